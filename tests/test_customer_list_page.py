"""The customer list as a person reads it: grade and next follow-up columns, the grade filter
(the scale of the actor's projects, from the project rules), a bounded total, the apply button;
query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anchang.customers import selectors
from anchang.customers.models import Customer
from anchang.org.models import Project
from tests.conftest import make_user


@pytest.fixture
def graded(world):
    """p1 (real estate, ABCD): one customer per grade and one not graded yet."""
    c1 = world.consultants["p1"][0]
    people = {}
    for grade in ["A", "B", "C", "D", ""]:
        customer = world.customer(world.p1, c1, f"客户{grade or '未评'}")
        Customer.objects.filter(pk=customer.pk).update(grade=grade)
        people[grade] = customer
    return world, c1, people


def api_names(api_client, **params) -> set[str]:
    response = api_client.get(reverse("api:customers"), params)
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def page_names(client, **params) -> set[str]:
    response = client.get(reverse("customers:list"), params)
    assert response.status_code == 200
    return {c.name for c in response.context["customers"]}


def test_grade_filter_on_the_page_and_the_api(graded, client, api_client):
    _world, c1, people = graded
    client.force_login(c1)
    api_client.force_authenticate(c1)
    for grade in "ABCD":
        expected = {people[grade].name}
        assert page_names(client, grade=grade) == expected
        assert api_names(api_client, grade=grade) == expected
    assert page_names(client, grade="none") == {people[""].name}
    assert api_names(api_client, grade="none") == {people[""].name}


def test_grade_choices_follow_the_project_rules(graded, client, api_client):
    world, c1, people = graded
    client.force_login(c1)
    choices = [v for v, _label in client.get(reverse("customers:list")).context[
        "filter"
    ].form.fields["grade"].choices if v]  # fmt: skip
    assert choices == ["A", "B", "C", "D", "none"]
    # The project becomes a dealership scale (H/A/B/C): H is offered, D is not.
    Project.objects.filter(pk=world.p1.pk).update(rules_overrides={"grading": {"scale": "HABC"}})
    form = client.get(reverse("customers:list")).context["filter"].form
    assert [v for v, _label in form.fields["grade"].choices if v] == ["H", "A", "B", "C", "none"]
    api_client.force_authenticate(c1)
    response = api_client.get(reverse("api:customers"), {"grade": "D"})
    assert response.status_code == 400 and "grade" in response.json()["fields"]


def test_a_manager_of_two_trades_sees_both_scales(world, client):
    Project.objects.filter(pk=world.p2.pk).update(rules_overrides={"grading": {"scale": "HABC"}})
    regional = world.grant(make_user("region-mgr"), "marketing")  # region scope: p1 and p2
    client.force_login(regional)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 200
    form = response.context["filter"].form
    assert [v for v, _l in form.fields["grade"].choices if v] == ["H", "A", "B", "C", "D", "none"]


HOSTILE = ["Z", "a", "Ａ", "A\x00", "A ", "AB", "' OR 1=1 --", "x" * 5000, "𐩀", "²", "None"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_grade_values_are_refused_or_ignored_never_500(graded, client, api_client, value):
    _world, c1, _people = graded
    api_client.force_authenticate(c1)
    response = api_client.get(reverse("api:customers"), {"grade": value})
    assert response.status_code == 400
    assert response.json()["code"] and "grade" in response.json()["fields"]
    client.force_login(c1)
    page = client.get(reverse("customers:list"), {"grade": value})
    assert page.status_code == 200
    assert "alert-warning" in page.content.decode()  # "some filters were ignored"
    assert len(page.context["customers"]) == 5  # ignored: the whole list


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


def total_shown(client, **params) -> str:
    html = client.get(reverse("customers:list"), params).content.decode()
    text = html.split('data-testid="customer-total">')[1].split("<")[0]
    approx = "约" if "约" in text else ""
    return approx + "".join(ch for ch in text if ch.isdigit() or ch == "+")


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


def _list_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("customers:list"), params).status_code == 200
    return len(queries)


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


def test_a_revisit_plan_made_from_a_grade_filter_reads_it_as_words(db):
    from anchang.followups.revisits.selectors import criteria_display

    shown = dict(criteria_display({"grade": "none", "overdue": "true"}))
    assert shown == {"意向等级": "未评级", "跟进已逾期": "✓"}
    assert dict(criteria_display({"grade": "A"})) == {"意向等级": "A"}
