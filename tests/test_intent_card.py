"""The card's follow-ups as the paper intent card (意向客户管理卡) keeps them — each contact with
the grade judged, impression, bottleneck, plan, next date and the manager's comment beside
it, stacked so a phone reads it — and the printable card for the paper archive: scoped like
the card, the phone masked unless the reader may see it in full."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from anchang.customers.phones import national_digits
from anchang.followups.reviews.services import review_comment
from anchang.followups.services import followup_record
from tests.conftest import make_user

TALK = (
    "客户周六带父母来看了样板间，对三居室的朝向和采光很满意，但担心首付压力，"
    "想等公积金贷款额度确认后再定，约好下周三前给他发一份详细的月供测算"
)


@pytest.fixture
def card(world):
    owner = world.consultants["p1"][0]
    customer = world.register(owner, name="卡片客户").customer
    manager = world.grant(make_user("m1"), "manager")
    first = followup_record(
        actor=owner, customer=customer, kind="visit", content=TALK, grade="B",
        impression="理性谨慎", bottleneck="首付压力", plan="周三前发公积金测算表",
        next_on=timezone.localdate() + timedelta(days=3),
        occurred_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    second = followup_record(actor=owner, customer=customer, kind="phone", content=TALK + "。")
    review_comment(actor=manager, followup=first, comment="测算表发出后当天回访")
    return owner, manager, customer, first, second


def _rows(page: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}">(.*?)</(?:li|tr)>', page, re.S)


def test_the_card_shows_each_contact_as_the_paper_card_does(client, card):
    owner, _manager, customer, first, _second = card
    client.force_login(owner)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    rows = _rows(page, "followup-row")
    assert len(rows) == 2
    oldest = rows[1]  # newest first on the card
    for shown in ("B", "理性谨慎", "首付压力", "周三前发公积金测算表",
                  first.next_on.isoformat(), "测算表发出后当天回访", "主管批示"):  # fmt: skip
        assert shown in oldest, shown
    assert "测算表发出后当天回访" not in rows[0]  # the comment sits beside its own contact
    # stacked rows, not a wide table a phone cannot read
    section = page[page.index('data-testid="followups"') :]
    assert "<table" not in section[: section.index("</ol>")]


def test_the_print_card_lists_every_contact_oldest_first_with_the_comments(client, card):
    owner, _manager, customer, first, second = card
    client.force_login(owner)
    response = client.get(reverse("customers:print", args=[customer.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    rows = _rows(page, "print-followup")
    assert len(rows) == 2 and "理性谨慎" in rows[0] and "测算表发出后当天回访" in rows[0]
    assert "意向客户管理卡" in page
    # its own print style sheet: A4, no navigation, nothing inline (the CSP)
    assert "print-card.css" in page and "<style" not in page and " style=" not in page
    css = Path(settings.BASE_DIR, "static", "anchang", "print-card.css").read_text()
    assert "size: A4" in css and "@media print" in css
    assert 'data-testid="nav"' not in page


def test_the_print_card_is_scoped_like_the_card_and_masks_the_phone(client, world, card):
    owner, manager, customer, _first, _second = card
    url = reverse("customers:print", args=[customer.pk])
    digits = national_digits(customer.phone)
    client.force_login(world.consultants["p1"][1])  # a colleague: not their customer
    assert client.get(url).status_code == 404
    client.force_login(world.consultants["p2"][0])  # another project
    assert client.get(url).status_code == 404
    client.force_login(manager)  # sees the customer, not the full number
    page = client.get(url).content.decode()
    phone = re.search(r'data-testid="print-phone">(.*?)</td>', page, re.S)[1]
    assert digits not in re.sub(r"\s", "", page) and "****" in phone and "tel:" not in page
    client.force_login(owner)
    phone = re.search(
        r'data-testid="print-phone">(.*?)</td>', client.get(url).content.decode(), re.S
    )[1]
    assert digits in re.sub(r"\s", "", phone)


@pytest.mark.parametrize("name", ["customers:detail", "customers:print"])
def test_the_card_reads_in_a_fixed_number_of_queries(
    client, card, name, django_assert_max_num_queries
):
    owner, manager, customer, first, _second = card
    client.force_login(owner)
    url = reverse(name, args=[customer.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        more = followup_record(actor=owner, customer=customer, kind="phone", content=TALK + str(i))
        review_comment(actor=manager, followup=more, comment=f"批示{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
