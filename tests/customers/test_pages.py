"""customers: the pages."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anchang.customers import selectors
from anchang.customers.models import Customer, Registration
from anchang.customers.phones import national_digits
from anchang.followups.reviews.services import review_comment
from anchang.followups.services import followup_record
from anchang.org.models import Project
from tests.conftest import make_user, next_phone
from tests.customers.helpers import FIRST_VISIT

# The intake flows through the API and the HTML doors: same services, same answers.


class TestHtmlDoor:
    def test_register_page_creates_and_opens_the_card(self, world, client):
        consultant = world.consultants["p1"][0]
        client.force_login(consultant)
        page = client.get(reverse("customers:register"))
        assert page.status_code == 200
        key = page.context["form"]["idempotency_key"].value()
        form = {
            "project": world.p1.pk, "kind": "call", "name": "何先生", "gender": "m",
            "phone": "139 1234 5678", "medium": world.medium(world.p1).pk,
            "content": "想了解车位和学区", "occurred_at": timezone.localtime().strftime(
                "%Y-%m-%dT%H:%M"), "companions": 0, "idempotency_key": key,
        }  # fmt: skip
        response = client.post(reverse("customers:register"), form)
        customer = Customer.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("customers:detail", args=[customer.pk])
        assert client.post(reverse("customers:register"), form).status_code == 302  # replay
        assert Registration.objects.count() == 1

    def test_register_page_shows_every_error(self, world, client):
        client.force_login(world.consultants["p1"][0])
        response = client.post(reverse("customers:register"), {"kind": "visit"})
        assert response.status_code == 400
        body = response.content.decode()
        for field in ("name", "gender", "phone", "medium", "content", "occurred_at"):
            assert f'data-field-error="{field}"' in body, field

    def test_conflict_page_says_only_that_there_is_an_owner(self, world, client):
        world.register(world.consultants["p1"][0], phone="13811112222", name="钱先生")
        client.force_login(world.consultants["p1"][1])
        form = {
            "project": world.p1.pk, "kind": "call", "name": "钱", "gender": "m",
            "phone": "13811112222", "medium": world.medium(world.p1).pk, "content": "再次来电",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        }  # fmt: skip
        response = client.post(reverse("customers:register"), form, follow=True)
        body = response.content.decode()
        assert "钱先生" not in body and str(world.consultants["p1"][0]) not in body
        assert "already has an owner" in body or "已有归属顾问" in body or "撞单" in body

    def test_clerk_cannot_open_the_register_page(self, world, client):
        client.force_login(world.grant(make_user("clerk"), "clerk"))
        assert client.get(reverse("customers:register")).status_code == 403

    def test_card_shows_completeness_and_timeline(self, world, client):
        consultant = world.consultants["p1"][0]
        customer = world.register(consultant, kind="visit", profile=FIRST_VISIT).customer
        client.force_login(consultant)
        body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
        assert f">{customer.completeness}%<" in body
        assert 'data-testid="timeline"' in body and "来电咨询三居室" in body
        assert "<progress" in body

    def test_profile_edit_page(self, world, client):
        consultant = world.consultants["p1"][0]
        customer = world.register(consultant).customer
        client.force_login(consultant)
        url = reverse("customers:edit", args=[customer.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"version": customer.version, "hobbies": "钓鱼",
                                     "industry": "finance", "name": customer.name})  # fmt: skip
        assert response.status_code == 302
        customer.refresh_from_db()
        assert (customer.hobbies, customer.industry, customer.gender) == ("钓鱼", "finance", "m")


class TestKeyDates:
    def test_owner_adds_and_removes_a_care_date_and_completeness_follows(self, world, client):
        owner = world.consultants["p1"][0]
        customer = world.register(owner).customer
        client.force_login(owner)
        url = reverse("customers:key-date-add", args=[customer.pk])
        response = client.post(
            url, {"kind": "anniversary", "date": "2026-05-20", "note": "结婚纪念日"}
        )
        assert response.status_code == 302
        customer.refresh_from_db()
        with_date = customer.completeness
        key_date = customer.key_dates.get()
        page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
        assert "结婚纪念日" in page
        remove = reverse("customers:key-date-remove", args=[customer.pk, key_date.pk])
        assert client.post(remove).status_code == 302
        customer.refresh_from_db()
        assert customer.completeness < with_date and not customer.key_dates.exists()

    @pytest.mark.parametrize(
        "data", [{"kind": "x", "date": "2026-01-01"}, {"kind": "school"},
                 {"kind": "school", "date": "not a date"},
                 {"kind": "school", "date": "2026-09-01", "note": "长" * 101}],
    )  # fmt: skip
    def test_bad_care_dates(self, world, client, data):
        owner = world.consultants["p1"][0]
        customer = world.register(owner).customer
        client.force_login(owner)
        response = client.post(reverse("customers:key-date-add", args=[customer.pk]), data)
        assert response.status_code == 400
        assert not customer.key_dates.exists()

    def test_a_clerk_cannot_add_dates(self, world, client):
        customer = world.register(world.consultants["p1"][0]).customer
        client.force_login(world.grant(make_user("clerk-kd"), "clerk"))
        url = reverse("customers:key-date-add", args=[customer.pk])
        assert client.post(url, {"kind": "school", "date": "2026-09-01"}).status_code == 403


# Finding customers: one search box, filters, scoping, fixed query counts.


@pytest.mark.parametrize("rows", [3, 40])
def test_list_and_card_queries_do_not_grow(world, client, rows, django_assert_max_num_queries):
    manager = world.grant(make_user("mgr3"), "manager")
    for i in range(rows):
        world.register(world.consultants["p1"][i % 2], name=f"客户{i}")
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("customers:list"), {"q": "kh"}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("customers:list"), {"below_target": "true"}).status_code == 200
    customer = Customer.objects.first()
    for _ in range(rows // 10):
        world.register(customer.owner, phone=customer.phone)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200


# The customer list as a person reads it: grade and next follow-up columns, the grade filter
# (the scale of the actor's projects, from the project rules), a bounded total, the apply
# button; query counts that do not grow with the rows.


def total_shown(client, **params) -> str:
    html = client.get(reverse("customers:list"), params).content.decode()
    text = html.split('data-testid="customer-total">')[1].split("<")[0]
    approx = "约" if "约" in text else ""
    return approx + "".join(ch for ch in text if ch.isdigit() or ch == "+")


def _list_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("customers:list"), params).status_code == 200
    return len(queries)


def test_a_manager_of_two_trades_sees_both_scales(world, client):
    Project.objects.filter(pk=world.p2.pk).update(rules_overrides={"grading": {"scale": "HABC"}})
    regional = world.grant(make_user("region-mgr"), "marketing")  # region scope: p1 and p2
    client.force_login(regional)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 200
    form = response.context["filter"].form
    assert [v for v, _l in form.fields["grade"].choices if v] == ["H", "A", "B", "C", "D", "none"]


def test_next_follow_up_column_marks_overdue_for_followed_customers_only(graded, client):
    _world, c1, people = graded
    yesterday = timezone.localdate() - timedelta(days=1)
    Customer.objects.filter(pk=people["A"].pk).update(next_follow_up_on=yesterday)
    Customer.objects.filter(pk=people["B"].pk).update(
        next_follow_up_on=yesterday, state="no_intent"
    )
    Customer.objects.filter(pk=people["C"].pk).update(
        next_follow_up_on=timezone.localdate() + timedelta(days=3)
    )
    client.force_login(c1)
    html = client.get(reverse("customers:list")).content.decode()
    assert html.count('data-testid="overdue"') == 1
    row_a = html.split(people["A"].name)[1].split("</tr>")[0]
    assert 'data-testid="overdue"' in row_a and yesterday.isoformat() in row_a
    row_b = html.split(people["B"].name)[1].split("</tr>")[0]
    assert yesterday.isoformat() not in row_b  # a lost customer has no follow-up due
    row_c = html.split(people["C"].name)[1].split("</tr>")[0]
    assert (timezone.localdate() + timedelta(days=3)).isoformat() in row_c


def test_the_filter_panel_has_an_apply_button(graded, client):
    _world, c1, _people = graded
    client.force_login(c1)
    html = client.get(reverse("customers:list")).content.decode()
    form = html.split('data-testid="customer-filter"')[1].split("</form>")[0]
    panel = form.split("<details")[1].split("</details>")[0]
    assert 'data-testid="apply-filters"' in panel and 'type="submit"' in panel


def test_total_is_exact_when_small_and_bounded_when_large(world, client, monkeypatch):
    manager = world.grant(make_user("mgr"), "manager")
    consultant = world.consultants["p1"][0]
    for i in range(57):
        customer = world.customer(world.p1, consultant, f"客户{i}")
    Customer.objects.filter(pk=customer.pk).update(state="no_intent")
    client.force_login(manager)
    assert total_shown(client) == "57"
    assert total_shown(client, page=2) == "57"  # a later page still says the total
    assert total_shown(client, page=9) == "57"  # past the end too
    assert total_shown(client, state="no_intent") == "1"  # the filtered rows
    monkeypatch.setattr(selectors, "LIST_TOTAL_CAP", 52)
    assert total_shown(client) == "52+"


def test_a_filtered_total_over_a_large_scope_is_estimated_from_a_sample(world, client, monkeypatch):
    manager = world.grant(make_user("mgr"), "manager")
    consultant = world.consultants["p1"][0]
    made = [world.customer(world.p1, consultant, f"客户{i}") for i in range(120)]
    # Every other customer is an A: 60 in all, 20 among the newest 40.
    Customer.objects.filter(pk__in=[c.pk for c in made[::2]]).update(grade="A")
    client.force_login(manager)
    assert total_shown(client, grade="A") == "60"  # scope under the sample: exact
    monkeypatch.setattr(selectors, "SAMPLE_ROWS", 40)
    assert total_shown(client, grade="A") == "约60"  # 20/40 of 120
    # No match among the newest: never below what the pages show (50 and a next page).
    Customer.objects.update(grade="")
    Customer.objects.filter(pk__in=[c.pk for c in made[:60]]).update(grade="B")
    assert total_shown(client, grade="B") == "51+"
    monkeypatch.setattr(selectors, "SCOPE_CAP", 100)
    Customer.objects.filter(pk__in=[c.pk for c in made]).update(grade="C")
    assert total_shown(client, grade="C") == "约100+"  # the scope is larger than counted


@pytest.mark.parametrize(
    "params", [{}, {"grade": "A"}, {"overdue": "true", "order": "follow_up"}, {"page": "2"}]
)
def test_list_queries_do_not_grow_with_rows(world, client, params, django_assert_max_num_queries):
    manager = world.grant(make_user("mgr"), "manager")
    consultant = world.consultants["p1"][0]
    overdue = timezone.localdate() - timedelta(days=2)

    def add(n):
        for i in range(n):
            customer = world.customer(world.p1, consultant, f"客户{i}")
            Customer.objects.filter(pk=customer.pk).update(grade="A", next_follow_up_on=overdue)

    client.force_login(manager)
    add(3)
    few = _list_queries(client, params)
    add(120)  # past a page: the total is counted, the next page exists
    many = _list_queries(client, params)
    assert many <= few + 2  # at most the bounded counts join in; nothing per row
    with django_assert_max_num_queries(14):
        client.get(reverse("customers:list"), params)


# The card's follow-ups as the paper intent card (意向客户管理卡) keeps them — each contact with the
# grade judged, impression, bottleneck, plan, next date and the manager's comment beside it,
# stacked so a phone reads it — and the printable card for the paper archive: scoped like the
# card, the phone masked unless the reader may see it in full.


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


# Phones are tappable: wherever a page shows a number in full (the card, the list, My day, a
# number revealed after the POST) it is a tel: link; a masked number never is.


TEL_LINK = re.compile(r'<a href="tel:([^"]*)"[^>]*>(.*?)</a>', re.S)


def _digits(text: str) -> str:
    return re.sub(r"(?<=\d)[\s\-](?=\d)", "", text)


def assert_full_numbers_are_links(html: str, numbers: list[str]) -> None:
    """Each number appears, only inside a tel: link whose target is that number."""
    links = TEL_LINK.findall(html)
    for number in numbers:
        shown = [text for href, text in links if href == number]
        assert shown, f"{number[:5]}… is not a tel: link"
        assert all(national_digits(number) in _digits(text) for text in shown)
    rest = _digits(TEL_LINK.sub("", html))
    for number in numbers:
        assert national_digits(number) not in rest, "a full number outside a tel: link"
    assert {href for href, _text in links} <= set(numbers)


def assert_no_links(html: str, numbers: list[str]) -> None:
    assert "tel:" not in html
    for number in numbers:
        assert national_digits(number) not in _digits(html)


@pytest.fixture
def owned(world):
    owner = world.consultants["p1"][0]
    customer = world.register(owner, name="可拨号").customer
    phone2 = "+86" + next_phone()
    Customer.objects.filter(pk=customer.pk).update(phone2=phone2)
    customer.refresh_from_db()
    return owner, customer


def _owner_pages(client, customer):
    yield "card", client.get(reverse("customers:detail", args=[customer.pk]))
    yield "print card", client.get(reverse("customers:print", args=[customer.pk]))
    yield "list", client.get(reverse("customers:list"))
    yield "my day", client.get(reverse("home"))


def test_every_full_number_the_owner_sees_is_a_tel_link(client, owned):
    owner, customer = owned
    client.force_login(owner)
    for page, response in _owner_pages(client, customer):
        assert response.status_code == 200, page
        numbers = [customer.phone, customer.phone2] if page == "card" else [customer.phone]
        assert_full_numbers_are_links(response.content.decode(), numbers)


def test_a_masked_number_is_never_a_link_and_a_revealed_one_is(client, world, owned):
    _owner, customer = owned
    manager = world.grant(make_user("m1"), "manager")
    client.force_login(manager)
    numbers = [customer.phone, customer.phone2]
    for url in (
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:print", args=[customer.pk]),
        reverse("customers:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_no_links(response.content.decode(), numbers)
    url = reverse("customers:reveal", args=[customer.pk])
    response = client.post(url, {"reason": "客户来电要求回拨"})
    assert response.status_code == 200
    page = response.content.decode()
    revealed = re.search(r'data-testid="revealed-phone">(.*?)</strong>', page, re.S)[1]
    assert_full_numbers_are_links(revealed, [customer.phone])
