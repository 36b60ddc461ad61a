"""followups/suspicion: the pages (the HTML door).

可疑记录 page and API: flags stored when detected, read over any period, paged; who
sees them, what a flag shows, bad input answered clearly."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from anchang.followups.models import SuspicionFlag
from anchang.followups.services import followup_record
from tests.conftest import make_user
from tests.followups.suspicion.helpers import (
    FILLER_TEXT,
    GENUINE,
    OTHER_GENUINE,
    PAGE,
    THIRD_GENUINE,
    detect,
)


def _flags(body: str) -> list[tuple[str, int]]:
    import re

    return [(k, int(r)) for k, r in re.findall(r'data-kind="(\w+)" data-record="(\d+)"', body)]


def test_copy_paste_shows_both_records_with_their_customers(office, client):
    world, manager, (wang, li, chen), (original, pasted, genuine) = office
    client.force_login(manager)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="suspicion-note"' in page and "不会自动处罚" in page
    assert sorted(_flags(page)) == [("near_duplicate", original.pk), ("near_duplicate", pasted.pk)]
    for customer in (wang, li):
        assert customer.name in page
        assert reverse("customers:detail", args=[customer.pk]) in page
    assert chen.name not in page
    rows = {row.followup.pk: row for row in response.context["report"].rows}
    percent = rows[pasted.pk].flag.details["percent"]
    assert 85 <= percent < 100
    assert f"#{original.pk}" in rows[pasted.pk].reason and f"{percent}%" in rows[pasted.pk].reason
    assert f"#{pasted.pk}" in rows[original.pk].reason
    assert 'data-testid="tab-suspicious"' in page  # the review tabs lead here


def test_a_text_pasted_on_many_customers_flags_each_record_with_its_closest(office, client):
    world, manager, (wang, li, chen), (original, pasted, _genuine) = office
    zhou = world.customer(world.p1, original.author, "周先生")
    third = followup_record(actor=original.author, customer=zhou, kind="phone",
                            content=GENUINE.replace("王先生", "周先生"))  # fmt: skip
    detect()  # the third record joins the group: every member now says "3 records"
    flags = SuspicionFlag.objects.filter(kind="near_duplicate").order_by("followup_id")
    assert [f.followup_id for f in flags] == [original.pk, pasted.pk, third.pk]
    assert {f.details["records"] for f in flags} == {3}
    assert all(f.details["other"] in {original.pk, pasted.pk, third.pk} for f in flags)


def test_bursts_filler_and_backdated_say_why(world, client):
    c2 = world.consultants["p1"][1]
    texts = [GENUINE, OTHER_GENUINE, THIRD_GENUINE,
             "孙先生来电咨询商铺，问了租金回报率和产权年限，约下周二来售楼处面谈。",
             "周女士微信问交房标准，发了精装清单和样板间视频，她说和老公商量后回复。"]  # fmt: skip
    for i, text in enumerate(texts):
        customer = world.customer(world.p1, c2, f"客户{i}")
        followup_record(actor=c2, customer=customer, kind="phone", content=text)
    filler_customer = world.customer(world.p1, c2, "吴先生")
    followup_record(actor=c2, customer=filler_customer, kind="phone", content=FILLER_TEXT)
    late = world.customer(world.p1, c2, "郑先生")
    followup_record(actor=c2, customer=late, kind="visit", content=OTHER_GENUINE + "（补录）",
                    occurred_at=timezone.now() - timedelta(days=5), reached=True)  # fmt: skip
    detect()
    client.force_login(world.grant(make_user("m"), "manager"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse(PAGE)).content.decode()
    assert page.count('data-kind="burst"') == 7
    assert "One of 7 records entered within 1 minute." in page
    assert page.count('data-kind="filler"') == 1
    assert "Only stock phrases: 客户考虑中、再联系." in page
    assert page.count('data-kind="backdated"') == 1
    assert "Entered 5 days after the contact." in page
    assert "Nothing is penalised automatically" in page
    only = client.get(reverse(PAGE), {"kind": "backdated"}).content.decode()
    assert [k for k, _r in _flags(only)] == ["backdated"]


def test_hostile_content_is_escaped(world, client):
    c1 = world.consultants["p1"][0]
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    text = hostile + "客户来电问价，说下周再来看房，想要南向三居室，预算三百万左右。"
    for name in ("<b>甲</b>", "乙<script>"):
        customer = world.customer(world.p1, c1, name)
        followup_record(actor=c1, customer=customer, kind="phone", content=text)
    detect()
    client.force_login(world.grant(make_user("m"), "manager"))
    page = client.get(reverse(PAGE)).content.decode()
    assert 'data-kind="near_duplicate"' in page
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "<b>甲</b>" not in page and "&lt;b&gt;甲&lt;/b&gt;" in page
    assert "&lt;img src=x" in page
