"""Recording follow-ups, grading, cadence and My day."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang.customers.models import Customer, KeyDate
from anchang.errors import PermissionDenied, ValidationFailed
from anchang.followups.models import FollowUp, GradeChange
from anchang.followups.my_day.selectors import my_day, my_day_reminders
from anchang.followups.services import followup_record, grade_set
from tests.conftest import make_user

LONG_PHONE_NOTE = "客户确认周六带爱人来看样板间，重点看三居室，担心首付比例，希望有优惠。"


@pytest.fixture
def c1(world):
    return world.consultants["p1"][0]


@pytest.fixture
def customer(world, c1):
    return world.register(c1).customer


def record(actor, customer, **kw):
    kw.setdefault("kind", "phone")
    kw.setdefault("content", LONG_PHONE_NOTE)
    return followup_record(actor=actor, customer=customer, **kw)


class TestRecord:
    def test_registration_schedules_the_playbook_step(self, world, c1):
        result = world.register(c1)
        call = result.customer
        # the call's own day (5 minutes ago: before midnight, just after it)
        day = timezone.localtime(result.registration.occurred_at).date()
        assert call.next_follow_up_on == day + timedelta(days=3)  # invite to visit
        assert call.last_reached_at is not None

    def test_follow_up_sets_the_next_date_by_cadence(self, c1, customer):
        grade_set(actor=c1, customer=customer, grade="B", reason="价格可谈")
        record(c1, customer)
        customer.refresh_from_db()
        assert customer.next_follow_up_on == timezone.localdate() + timedelta(days=14)

    def test_a_chosen_date_wins(self, c1, customer):
        chosen = timezone.localdate() + timedelta(days=2)
        record(c1, customer, next_on=chosen, grade="A")
        customer.refresh_from_db()
        assert customer.next_follow_up_on == chosen and customer.grade == "A"
        assert GradeChange.objects.filter(customer=customer).latest("id").to_grade == "A"

    def test_change_history_keeps_grades_not_every_next_date(self, c1, customer):
        """The card's change history lists what changed in the customer: a follow-up that
        only moves the next date adds no row there; one that sets a grade does."""
        before = customer.history.count()
        record(c1, customer)
        assert customer.history.count() == before
        record(c1, customer, grade="B")
        latest = customer.history.first()
        assert customer.history.count() == before + 1
        assert (latest.grade, latest.history_user) == ("B", c1)

    def test_too_short_says_how_many_characters_are_missing(self, c1, customer):
        with pytest.raises(ValidationFailed) as info:
            record(c1, customer, content="好的，再联系")
        assert info.value.code == "content_too_short"
        assert "24" in str(info.value.fields["content"])
        assert not FollowUp.objects.exists()

    def test_unanswered_call_is_logged_but_keeps_nothing(self, c1, customer):
        before = Customer.objects.get(pk=customer.pk).last_reached_at
        followup = record(c1, customer, reached=False, content="")
        customer.refresh_from_db()
        assert followup.reached is False and customer.last_reached_at == before

    def test_visit_needs_fifty_characters(self, c1, customer):
        with pytest.raises(ValidationFailed):
            record(c1, customer, kind="visit", content=LONG_PHONE_NOTE[:40])

    def test_dates(self, c1, customer):
        now = timezone.now()
        with pytest.raises(ValidationFailed) as info:
            record(c1, customer, occurred_at=now + timedelta(hours=2))
        assert "occurred_at" in info.value.fields
        with pytest.raises(ValidationFailed) as info:
            record(c1, customer, next_on=timezone.localdate() - timedelta(days=1))
        assert info.value.code == "next_date_in_past"
        backdated = record(c1, customer, occurred_at=now - timedelta(days=3))
        assert backdated.is_backdated
        assert not record(c1, customer, occurred_at=now - timedelta(hours=5)).is_backdated

    def test_grade_outside_the_scale(self, world, c1, customer):
        with pytest.raises(ValidationFailed) as info:
            record(c1, customer, grade="H")  # real estate uses A/B/C/D
        assert info.value.code == "grade_not_in_scale"
        world.p1.rules_overrides = {"grading": {"scale": "HABC"}}
        world.p1.save()
        record(c1, customer, grade="H")
        customer.refresh_from_db()
        assert customer.grade == "H" and customer.next_follow_up_on == timezone.localdate()

    def test_someone_elses_customer(self, world, customer):
        with pytest.raises(PermissionDenied):
            record(world.consultants["p1"][1], customer)

    def test_unknown_signal(self, c1, customer):
        with pytest.raises(ValidationFailed):
            record(c1, customer, signals=["telepathy"])


class TestGrade:
    def test_grade_history_keeps_who_when_why_and_the_suggestion(self, c1, customer):
        checks = dict.fromkeys(
            ["accepts_product", "accepts_price", "purchasing_power", "unit_chosen", "attention",
             "decision_maker"], True)  # fmt: skip
        before = customer.grade  # the registration's (a call starts at C)
        grade_set(actor=c1, customer=customer, grade="B", reason="先定B", checks=checks)
        change = GradeChange.objects.latest("id")
        assert (change.from_grade, change.to_grade, change.suggested) == (before, "B", "A")
        assert change.actor == c1 and change.reason == "先定B"

    def test_unknown_criterion_and_bad_grade(self, c1, customer):
        recorded = GradeChange.objects.count()
        with pytest.raises(ValidationFailed):
            grade_set(actor=c1, customer=customer, grade="Z", reason="")
        with pytest.raises(ValidationFailed):
            grade_set(actor=c1, customer=customer, grade="A", reason="", checks={"luck": True})
        assert GradeChange.objects.count() == recorded


class TestMyDay:
    def test_due_overdue_new_and_care_dates(self, world, c1):
        today = timezone.localdate()
        due = world.register(c1, name="今天到期").customer
        late = world.register(c1, name="逾期客户").customer
        fresh = world.register(c1, name="新客户").customer
        Customer.objects.filter(pk=due.pk).update(next_follow_up_on=today)
        Customer.objects.filter(pk=late.pk).update(next_follow_up_on=today - timedelta(days=4))
        record(c1, due)
        Customer.objects.filter(pk=due.pk).update(next_follow_up_on=today)
        Customer.objects.filter(pk=fresh.pk).update(birthday=date(1985, today.month, today.day))
        KeyDate.objects.create(customer=late, kind="anniversary", date=today + timedelta(days=3))
        other = world.register(world.consultants["p1"][1], name="别人的").customer
        Customer.objects.filter(pk=other.pk).update(next_follow_up_on=today)
        day = my_day(c1, today)
        assert [c.name for c in day.due_today] == ["今天到期"]
        assert [(c.name, c.days_overdue) for c in day.overdue] == [("逾期客户", 4)]
        assert {c.name for c in day.new_without_followup} == {"逾期客户", "新客户"}
        assert [(d, c.name) for d, _what, c in my_day_reminders(c1, today).care_dates] == [
            (today, "新客户"),
            (today + timedelta(days=3), "逾期客户"),
        ]

    def test_care_dates_cross_the_year_and_keep_29_february(self, world, c1):
        # 2027 is not a leap year: a 29 February birthday is celebrated on the 28th
        names = {"生日0226": date(1980, 2, 26), "闰日": date(1988, 2, 29),
                 "三月五日": date(1990, 3, 5), "三月七日": date(1990, 3, 7)}  # fmt: skip
        for name, birthday in names.items():
            customer = world.register(c1, name=name).customer
            Customer.objects.filter(pk=customer.pk).update(birthday=birthday)
        day = my_day_reminders(c1, date(2027, 2, 27))
        assert [(d, c.name) for d, _w, c in day.care_dates] == [
            (date(2027, 2, 28), "闰日"), (date(2027, 3, 5), "三月五日"),
        ]  # fmt: skip
        # the week after Christmas reaches into January
        late = world.register(c1, name="元旦").customer
        KeyDate.objects.create(customer=late, kind="anniversary", date=date(2019, 1, 2))
        day = my_day_reminders(c1, date(2026, 12, 28))
        assert [(d, c.name) for d, _w, c in day.care_dates] == [(date(2027, 1, 2), "元旦")]

    def test_a_long_backlog_shows_the_most_overdue_and_counts_the_rest(
        self, world, c1, client, api_client
    ):
        today = timezone.localdate()
        for i in range(25):
            customer = world.register(c1, name=f"逾期{i:02d}").customer
            Customer.objects.filter(pk=customer.pk).update(
                next_follow_up_on=today - timedelta(days=i + 1)
            )
        day = my_day(c1, today)
        assert day.overdue_count == 25 and len(day.overdue) == 20
        assert day.overdue[0].name == "逾期24" and day.overdue[0].days_overdue == 25
        client.force_login(c1)
        page = client.get(reverse("home")).content.decode()
        assert 'data-testid="overdue-count">25<' in page
        section = page[page.index('data-testid="overdue"') : page.index('data-testid="due-count"')]
        assert "逾期05" in section and "逾期04" not in section  # the rest: in the full list
        link = f"/overdue/?owner={c1.pk}"
        assert link in page
        listed = client.get(link).content.decode()
        assert listed.index("逾期24") < listed.index("逾期03")  # most overdue first
        assert "逾期" in listed and listed.count("逾期") >= 25
        api_client.force_authenticate(c1)
        body = api_client.get(reverse("api:my-day")).json()
        assert body["overdue_count"] == 25 and len(body["overdue"]) == 20
        assert body["pool_warnings"] == []

    def test_a_fixed_number_of_queries_whatever_the_rows(
        self, world, c1, django_assert_max_num_queries
    ):
        today = timezone.localdate()
        for i in range(30):
            customer = world.register(c1, name=f"客户{i:02d}").customer
            Customer.objects.filter(pk=customer.pk).update(
                next_follow_up_on=today - timedelta(days=i % 3),
                birthday=date(1980, today.month, today.day),
            )
            KeyDate.objects.create(customer=customer, kind="anniversary", date=today)
        Customer.objects.filter(name="客户00").update(state="lost")
        my_day(c1, today)  # the actor's grants are read once per request
        with django_assert_max_num_queries(7):  # counts, 3 lists, the pool (projects, rows)
            day = my_day(c1, today)
        assert (day.total, day.new_today, day.new_week) == (30, 30, 30)  # lost ones count here
        assert (day.due_count, day.overdue_count) == (9, 20)  # but not on the agenda
        with django_assert_max_num_queries(4):  # birthdays, key dates, comments, tasks
            reminders = my_day_reminders(c1, today)
        assert len(reminders.care_dates) == 58

    def test_lost_customers_leave_the_day(self, world, c1):
        lost = world.register(c1).customer
        Customer.objects.filter(pk=lost.pk).update(
            state="lost", next_follow_up_on=timezone.localdate()
        )
        assert my_day(c1).due_today == []

    def test_home_page_is_my_day_with_one_tap_to_record(self, world, c1, client):
        customer = world.register(c1, name="到期甲").customer
        Customer.objects.filter(pk=customer.pk).update(next_follow_up_on=timezone.localdate())
        client.force_login(c1)
        page = client.get(reverse("home")).content.decode()
        assert 'data-testid="due-today"' in page and "到期甲" in page
        assert reverse("followups:new", args=[customer.pk]) in page

    def test_my_day_queries_do_not_grow(self, world, c1, client, django_assert_max_num_queries):
        for i in range(30):
            world.register(c1, name=f"客户{i}")
        client.force_login(c1)
        with django_assert_max_num_queries(18):
            assert client.get(reverse("home")).status_code == 200


class TestPages:
    def test_record_through_the_page(self, world, c1, customer, client):
        client.force_login(c1)
        url = reverse("followups:new", args=[customer.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"kind": "phone", "reached": "yes", "content": "太短"})
        assert response.status_code == 400
        assert b'data-field-error="content"' in response.content
        response = client.post(
            url, {"kind": "phone", "reached": "yes", "content": LONG_PHONE_NOTE, "grade": "B",
                  "signals": ["bargaining"], "next": "/"},
        )  # fmt: skip
        assert response.status_code == 302 and response["Location"] == "/"
        assert FollowUp.objects.get().signals == ["bargaining"]

    def test_grade_page(self, world, c1, customer, client):
        client.force_login(c1)
        url = reverse("followups:grade", args=[customer.pk])
        page = client.get(url)
        assert page.status_code == 200 and b"suggested-grade" in page.content
        response = client.post(url, {"grade": "C", "reason": "有意向", "accepts_product": "yes"})
        assert response.status_code == 302
        customer.refresh_from_db()
        assert customer.grade == "C" and customer.grade_checks["accepts_product"] is True

    def test_clerk_cannot_record(self, world, customer, client):
        client.force_login(world.grant(make_user("clerk-f"), "clerk"))
        assert client.get(reverse("followups:new", args=[customer.pk])).status_code == 403


class TestApi:
    def test_record_grade_and_my_day_through_the_api(self, world, c1, customer, api_client):
        api_client.force_authenticate(c1)
        response = api_client.post(
            reverse("api:followups"),
            {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE, "grade": "A"},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["grade"] == "A"
        short = api_client.post(
            reverse("api:followups"),
            {"customer": customer.pk, "kind": "visit", "content": "短"},
            format="json",
        )
        assert short.status_code == 400 and short.json()["code"] == "content_too_short"
        grade = api_client.get(reverse("api:grade", args=[customer.pk])).json()
        assert grade["grade"] == "A" and grade["changes"][0]["to_grade"] == "A"
        posted = api_client.post(
            reverse("api:grade", args=[customer.pk]),
            {"grade": "D", "reason": "预算不够", "checks": {"accepts_price": False}},
            format="json",
        )
        assert posted.status_code == 200 and posted.json()["suggested"] == "D"
        Customer.objects.filter(pk=customer.pk).update(next_follow_up_on=timezone.localdate())
        day = api_client.get(reverse("api:my-day")).json()
        assert [c["id"] for c in day["due_today"]] == [customer.pk]

    def test_follow_up_on_an_invisible_customer_is_404(self, world, customer, api_client):
        api_client.force_authenticate(world.consultants["p1"][1])
        response = api_client.post(
            reverse("api:followups"),
            {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE},
            format="json",
        )
        assert response.status_code == 404
        assert not FollowUp.objects.exists()

    def test_bad_input(self, c1, customer, api_client):
        api_client.force_authenticate(c1)
        for body in ({}, {"customer": customer.pk, "kind": "fax"},
                     {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE,
                      "next_on": "2000-01-01"},
                     {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE,
                      "grade": "Q"},
                     {"customer": customer.pk, "kind": "phone", "signals": ["x"]}):  # fmt: skip
            response = api_client.post(reverse("api:followups"), body, format="json")
            assert response.status_code == 400, body
        assert not FollowUp.objects.exists()


def test_manager_sees_the_teams_overdue_board(world, client):
    c1, c2 = world.consultants["p1"]
    today = timezone.localdate()
    for consultant, late in ((c1, 3), (c2, 1)):
        for i in range(late):
            customer = world.register(consultant).customer
            Customer.objects.filter(pk=customer.pk).update(
                next_follow_up_on=today - timedelta(days=i + 1)
            )
    manager = world.grant(make_user("mgr-board"), "manager")
    client.force_login(manager)
    response = client.get(reverse("home"))
    owners = {row["owner_id"]: row for row in response.context["overview"][0]["owners"]}
    assert owners[c1.pk]["overdue"] == 3 and owners[c2.pk]["overdue"] == 1
    assert f'data-testid="overdue-link-{c1.pk}">3<' in response.content.decode()


class TestIdempotency:
    def test_a_retry_with_the_key_answers_with_the_first_followup(self, c1, customer):
        first = record(c1, customer, idempotency_key="k1")
        again = record(c1, customer, idempotency_key="k1", content=LONG_PHONE_NOTE + "重发")
        assert again.pk == first.pk
        assert FollowUp.objects.filter(customer=customer).count() == 1
        assert record(c1, customer, idempotency_key="k2").pk != first.pk

    def test_a_key_reused_for_another_customer_is_refused(self, world, c1, customer):
        from anchang.errors import Conflict

        record(c1, customer, idempotency_key="k1")
        other = world.register(c1).customer
        with pytest.raises(Conflict) as refused:
            record(c1, other, idempotency_key="k1")
        assert refused.value.code == "idempotency_key_reused"
        assert not FollowUp.objects.filter(customer=other).exists()

    def test_each_rendered_form_carries_its_own_key(self, client, c1, customer):
        client.force_login(c1)
        url = reverse("followups:new", args=[customer.pk])
        pages = [client.get(url).content.decode() for _ in range(2)]
        found = [re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', p) for p in pages]
        assert all(found) and found[0][1] != found[1][1]

    @pytest.mark.parametrize("where", ["header", "field"])
    def test_an_oversized_key_is_a_400(self, api_client, c1, customer, where):
        api_client.force_authenticate(c1)
        body = {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE}
        headers = {}
        if where == "header":
            headers["HTTP_IDEMPOTENCY_KEY"] = "k" * 65
        else:
            body["idempotency_key"] = "k" * 65
        response = api_client.post(reverse("api:followups"), body, format="json", **headers)
        assert response.status_code == 400
        assert "idempotency_key" in response.json()["fields"]
        assert not FollowUp.objects.filter(customer=customer).exists()

    def test_the_schema_documents_the_header(self, api_client, c1):
        api_client.force_authenticate(c1)
        schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
        params = schema["paths"]["/api/v1/followups/"]["post"].get("parameters", [])
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)


class TestLastContact:
    """最近联系: a conversation (a reached call, visit, WeChat or event) is a contact; an
    unanswered call or a text sent out is not."""

    @pytest.mark.parametrize("kind", FollowUp.Kind.values)
    @pytest.mark.parametrize("reached", [True, False])
    def test_a_contact_moves_last_contact(self, world, c1, kind, reached):
        registered_at = timezone.now() - timedelta(days=10)
        customer = world.register(c1, occurred_at=registered_at).customer
        before = Customer.objects.get(pk=customer.pk).last_contact_at
        followup = record(c1, customer, kind=kind, reached=reached,
                          content=LONG_PHONE_NOTE * 2)  # fmt: skip
        after = Customer.objects.get(pk=customer.pk).last_contact_at
        if reached and kind != "sms":
            assert after == followup.occurred_at
        else:
            assert after == before

    def test_a_backdated_contact_does_not_move_it_back(self, world, c1, customer):
        latest = Customer.objects.get(pk=customer.pk).last_contact_at
        record(c1, customer, occurred_at=latest - timedelta(days=3))
        assert Customer.objects.get(pk=customer.pk).last_contact_at == latest

    def test_the_list_sorts_and_filters_by_it(self, world, c1, api_client):
        called = world.register(c1, name="跟进过", occurred_at=timezone.now() - timedelta(days=20))
        silent = world.register(c1, name="没联系", occurred_at=timezone.now() - timedelta(days=9))
        record(c1, called.customer)
        record(c1, silent.customer, reached=False, content="")  # nobody answered
        api_client.force_authenticate(c1)
        url = reverse("api:customers")
        ordered = api_client.get(url, {"order": "last_contact"}).json()["results"]
        assert [c["id"] for c in ordered][:2] == [called.customer.pk, silent.customer.pk]
        today = timezone.localdate().isoformat()
        recent = api_client.get(url, {"contact_from": today}).json()["results"]
        assert [c["id"] for c in recent] == [called.customer.pk]


def test_a_followup_recorded_from_the_card_returns_to_the_card(client, c1, customer):
    """The card's link carries next=<card>; the form keeps it and the save lands there."""
    import re
    from html import unescape

    client.force_login(c1)
    card = reverse("customers:detail", args=[customer.pk])
    page = client.get(card).content.decode()
    link = unescape(re.search(r'href="([^"]+)" data-testid="record-followup"', page)[1])
    form_page = client.get(link)
    assert f'name="next" value="{card}"' in form_page.content.decode()
    body = {"kind": "phone", "reached": "yes", "content": LONG_PHONE_NOTE, "next": card,
            "idempotency_key": form_page.context["form"]["idempotency_key"].value()}  # fmt: skip
    response = client.post(link, body)
    assert response.status_code == 302 and response["Location"] == card
