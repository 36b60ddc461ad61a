"""followups/overdue: the pages (the HTML door).

逾期跟进: the overdue list shows grade and days late, filters by them, and puts the worst
first (grade nearest to buying, then days late); My day and the team board lead to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.followups.my_day.selectors import my_day
from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.conftest import make_user

URL = "followups:overdue"


def late(world, owner, name, grade, days):
    customer = world.customer(world.p1, owner, name)
    Customer.objects.filter(pk=customer.pk).update(
        grade=grade, next_follow_up_on=timezone.localdate() - timedelta(days=days)
    )
    return customer


@pytest.fixture
def backlog(world):
    c1, c2 = world.consultants["p1"]
    made = {
        "d1": late(world, c1, "丁一天", "D", 1),
        "a8": late(world, c1, "甲八天", "A", 8),
        "a2": late(world, c1, "甲两天", "A", 2),
        "b30": late(world, c2, "乙三十天", "B", 30),
        "none9": late(world, c1, "无级九天", "", 9),
        "h1": late(world, c2, "热一天", "H", 1),
    }
    late(world, c1, "未到期", "A", -3)  # due in three days: not overdue
    return world, c1, c2, made


def _rows(response):
    return [(r.name, r.grade, r.days_late) for r in response.context["overdue"].rows]


def test_worst_first_grade_then_days_late(backlog, client):
    world, _c1, _c2, _made = backlog
    client.force_login(world.grant(make_user("m"), "manager"))
    response = client.get(reverse(URL))
    assert response.status_code == 200
    assert _rows(response) == [
        ("热一天", "H", 1), ("甲八天", "A", 8), ("甲两天", "A", 2), ("乙三十天", "B", 30),
        ("丁一天", "D", 1), ("无级九天", "", 9),
    ]  # fmt: skip
    html = response.content.decode()
    assert 'data-grade="A" data-days="8"' in html and "未到期" not in html
    assert response.context["overdue"].total == 6


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"grade": "A"}, ["甲八天", "甲两天"]),
        ({"grade": "none"}, ["无级九天"]),
        ({"min_days": "8"}, ["甲八天", "乙三十天", "无级九天"]),
        ({"grade": "A", "min_days": "3"}, ["甲八天"]),
    ],
)
def test_filters_by_grade_and_minimum_days_late(backlog, client, params, names):
    world, *_ = backlog
    client.force_login(world.grant(make_user("m"), "manager"))
    assert [r[0] for r in _rows(client.get(reverse(URL), params))] == names


def test_filter_by_consultant_and_consultants_see_only_their_own(backlog, client):
    world, c1, c2, _made = backlog
    client.force_login(world.grant(make_user("m"), "manager"))
    only = _rows(client.get(reverse(URL), {"owner": c2.pk}))
    assert [r[0] for r in only] == ["热一天", "乙三十天"]
    client.force_login(c1)
    mine = [r[0] for r in _rows(client.get(reverse(URL)))]
    assert mine == ["甲八天", "甲两天", "丁一天", "无级九天"]
    # naming a colleague finds nothing: the list starts from what c1 may list
    assert _rows(client.get(reverse(URL), {"owner": c2.pk})) == []


def test_another_projects_manager_and_roles_without_a_list(backlog, client):
    world, *_ = backlog
    other = make_user("m-p2")
    membership_grant(user=other, role=Role.MANAGER, company=world.company, project=world.p2)
    client.force_login(other)
    assert _rows(client.get(reverse(URL))) == []
    client.logout()
    assert client.get(reverse(URL)).status_code == 302  # to the login page


@pytest.mark.parametrize(
    "params",
    [
        {"grade": "a"}, {"grade": "Ａ"}, {"grade": "<b>"}, {"grade": "AA"},
        {"min_days": "0"}, {"min_days": "-1"}, {"min_days": "3661"}, {"min_days": "1.5"},
        {"min_days": "²"}, {"min_days": "١"}, {"min_days": "9" * 400},
        {"owner": "x"}, {"owner": "0"}, {"owner": "9" * 30}, {"owner": "𐩀"},
        {"page": "0"}, {"page": "101"}, {"page": "1e2"},
    ],
    ids=repr,
)  # fmt: skip
def test_hostile_parameters_are_400_with_a_message(backlog, client, params):
    world, *_ = backlog
    client.force_login(world.grant(make_user("m"), "manager"))
    response = client.get(reverse(URL), params)
    assert response.status_code == 400
    (field,) = params
    assert f'data-field-error="{field}"' in response.content.decode()


def test_pages_and_queries_do_not_grow(world, client, django_assert_max_num_queries):
    c1 = world.consultants["p1"][0]
    client.force_login(world.grant(make_user("m"), "manager"))
    for i in range(3):
        late(world, c1, f"客户{i}", "B", i + 1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(URL))
    for i in range(3, 60):
        late(world, c1, f"客户{i}", "B", i + 1)
    with django_assert_max_num_queries(len(few)):
        first = client.get(reverse(URL))
    assert len(first.context["overdue"].rows) == 50 and first.context["overdue"].has_next
    assert 'data-testid="overdue-next"' in first.content.decode()
    second = client.get(reverse(URL), {"page": 2})
    assert len(second.context["overdue"].rows) == 10


def test_my_day_shows_the_grade_worst_first_and_leads_to_the_list(backlog, client):
    world, c1, _c2, _made = backlog
    day = my_day(c1)
    assert [(r.name, r.grade, r.days_overdue) for r in day.overdue] == [
        ("甲八天", "A", 8), ("甲两天", "A", 2), ("丁一天", "D", 1), ("无级九天", "", 9),
    ]  # fmt: skip
    client.force_login(c1)
    html = client.get(reverse("home")).content.decode()
    section = html[html.index('data-testid="overdue"') : html.index('data-testid="due-count"')]
    assert section.count('data-testid="overdue-grade"') == 3


def test_the_team_board_links_each_count_to_the_list(backlog, client):
    world, c1, c2, _made = backlog
    client.force_login(world.grant(make_user("m"), "manager"))
    html = client.get(reverse("home")).content.decode()
    assert f'href="/overdue/?owner={c2.pk}" data-testid="overdue-link-{c2.pk}">2<' in html
