"""followups/my_day: the selectors.

Recording follow-ups, grading, cadence and My day."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from anchang.customers.models import Customer, KeyDate
from anchang.followups.my_day.selectors import my_day, my_day_reminders
from tests.followups.helpers import record


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
        # counts, 3 lists, the pool (projects, rows), deals (milestone tasks, payments due),
        # reception (today's walk-ins), conflicts decided (撞单 outcomes)
        with django_assert_max_num_queries(10):
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
