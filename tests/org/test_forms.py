"""The project-rules page as a typed form: every rule a labelled field (a mapping one field per
entry), grouped as the rules are, validated beside the field, saving the same rules data."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from anchang.org.rules import DEFAULT_RULES, FREE_TEXT_SETTINGS, flatten
from anchang.org.selectors import project_rules
from tests.conftest import make_user
from tests.rules_form import rules_form_data


@pytest.fixture
def admin(world):
    return world.grant(make_user("adm"), "admin")


def url(world):
    return reverse("org:project-rules", args=[world.p1.pk])


def test_every_rule_has_a_typed_field_per_value(world, admin, client):
    """Generic over the rules' structure: a rule added to ProjectRules shows up here."""
    client.force_login(admin)
    page = client.get(url(world)).content.decode()
    for key, value in flatten(DEFAULT_RULES).items():
        if isinstance(value, dict):
            assert f'name="{key}"' not in page, f"{key} is still one JSON box"
            for part in value:
                assert f'name="{key}.{part}"' in page, f"{key}.{part}"
        else:
            assert f'name="{key}"' in page, key
    # no JSON box: a textarea only for a list of free texts, one a line
    textareas = re.findall(r'<textarea name="([^"]+)"', page)
    assert set(textareas) <= set(FREE_TEXT_SETTINGS), textareas
    assert page.count('data-testid="rule-group"') == len(
        {k.rpartition(".")[0] for k in flatten(DEFAULT_RULES)}
    )


def test_saving_unchanged_stores_no_override(world, admin, client):
    client.force_login(admin)
    assert client.post(url(world), rules_form_data()).status_code == 302
    world.p1.refresh_from_db()
    assert world.p1.rules_overrides == {}


def test_typed_values_save_the_same_rules_data(world, admin, client):
    client.force_login(admin)
    first_visit = list(DEFAULT_RULES.intake.required["first_visit"])
    first_visit.remove("industry")
    data = rules_form_data(
        **{
            "grading.cadence_days.A": "5",
            "grading.scale": "HABC",
            "completeness.weights.birthday": "9",
            "intake.required.first_visit": first_visit,
            "intake.working_day_end": "20:30",
        }
    )
    assert client.post(url(world), data).status_code == 302
    world.p1.refresh_from_db()
    rules = project_rules(world.p1)
    assert rules.grading.cadence_days["A"] == 5 and rules.grading.scale == "HABC"
    assert rules.completeness.weights["birthday"] == 9
    assert "industry" not in rules.intake.required["first_visit"]
    assert rules.intake.working_day_end.strftime("%H:%M") == "20:30"
    assert world.p1.rules_overrides["grading"]["cadence_days"]["A"] == 5
    # The page shows the saved values back.
    page = client.get(url(world)).content.decode()
    assert 'name="grading.cadence_days.A" value="5"' in page


HOSTILE_NUMBERS = [
    "", "-1", "99999999999999999999999", "1e3", "1.5", "²", "𐩀", "<script>", "x" * 10000,
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize(
    "field", ["grading.cadence_days.A", "completeness.weights.name", "pool.daily_claim_limit"]
)
def test_bad_numbers_are_refused_beside_the_field(world, admin, client, field, value):
    client.force_login(admin)
    response = client.post(url(world), rules_form_data(**{field: value}))
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    world.p1.refresh_from_db()
    assert world.p1.rules_overrides == {}


@pytest.mark.parametrize(
    "field, value",
    [
        ("grading.cadence_days.B", "367"),  # a year at most
        ("pool.max_active_customers", "0"),
        ("privacy.reveals_per_hour", "10001"),
        ("suspicion.similarity_percent", "49"),
        ("grading.scale", "XYZ"),
        ("grading.scale", "ABCD\x00"),
        ("timezone", "../../etc/passwd"),
        ("intake.working_day_end", "25:99"),
        ("intake.required.call_in", ["name", "password"]),
    ],
)
def test_out_of_range_and_unknown_values_are_refused_beside_the_field(
    world, admin, client, field, value
):
    client.force_login(admin)
    response = client.post(url(world), rules_form_data(**{field: value}))
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    world.p1.refresh_from_db()
    assert world.p1.rules_overrides == {}


def test_a_rule_about_a_whole_mapping_lands_beside_its_first_entry(world, admin, client):
    client.force_login(admin)
    zero = {f"completeness.weights.{k}": "0" for k in DEFAULT_RULES.completeness.weights}
    response = client.post(url(world), rules_form_data(**zero))
    assert response.status_code == 400
    first = next(iter(DEFAULT_RULES.completeness.weights))
    html = response.content.decode()
    assert f'data-field-error="completeness.weights.{first}"' in html
    assert "至少一个字段" in html  # in the admin's language, not the rules' English


def test_an_unknown_time_zone_is_explained_in_chinese(world, admin, client):
    client.force_login(admin)
    response = client.post(url(world), rules_form_data(timezone="Mars/Olympus"))
    assert response.status_code == 400
    assert "未知时区" in response.content.decode()
