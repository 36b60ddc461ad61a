"""org: the services.

Project rules: docs/domain.md#project-settings, validated overrides, edited by admins only."""

from __future__ import annotations

from datetime import time

import pytest
from pydantic import ValidationError

from anchang.audit.models import AuditEntry
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.org.rules import (
    DEFAULT_RULES,
    ProjectRules,
    RuleSection,
    flatten,
    overrides_from_flat,
    register_section,
    sections,
)
from anchang.org.selectors import project_rules
from anchang.org.services import project_rules_update
from anchang.pool.rules import PoolRules
from tests.conftest import make_user


class TestDefaults:
    def test_domain_defaults(self):
        r = DEFAULT_RULES
        assert r.timezone == "Asia/Shanghai"
        assert r.intake.working_day_end == time(21, 0)
        assert r.grading.cadence_days == {"H": 0, "A": 7, "B": 14, "C": 30, "D": 90}
        assert (
            r.completeness.after_first_visit,
            r.completeness.after_third_visit_or_month,
            r.completeness.owner,
        ) == (30, 70, 100)
        p = r.pool
        assert (
            p.reclaim_after_days_without_contact,
            p.reclaim_after_days_without_subscription,
            p.warn_days_before,
            p.daily_claim_limit,
            p.max_active_customers,
            p.reclaim_cooldown_days,
        ) == (30, 90, 2, 10, 200, 7)

    def test_overrides_merge_over_defaults(self):
        rules = ProjectRules.from_overrides({"pool": {"daily_claim_limit": 5}})
        assert rules.pool.daily_claim_limit == 5
        assert rules.pool.max_active_customers == 200

    @pytest.mark.parametrize(
        "overrides",
        [
            {"timezone": "Mars/Olympus"},
            {"pool": {"daily_claim_limit": -1}},
            {"completeness": {"owner": 101}},
            {"grading": {"scale": "XYZ"}},
            {"grading": {"cadence_days": {"Z": 3}}},
            {"grading": {"cadence_days": {"A": 1000}}},
            {"pool": {"unknown_rule": 1}},
            {"intake": {"working_day_end": "25:00"}},
        ],
    )
    def test_invalid_overrides_are_refused(self, overrides):
        with pytest.raises(ValidationError):
            ProjectRules.from_overrides(overrides)

    def test_flat_round_trip_keeps_only_differences(self):
        flat = flatten(DEFAULT_RULES)
        assert overrides_from_flat(flat) == {}
        flat["pool.daily_claim_limit"] = 3
        assert overrides_from_flat(flat) == {"pool": {"daily_claim_limit": 3}}


class TestSections:
    """Each app adds its section of the rules from its ready(); org imports none of them."""

    def test_each_app_adds_its_section_in_order(self):
        assert [(s.key, s.model.__module__) for s in sections()] == [
            ("intake", "anchang.customers.rules"),
            ("grading", "anchang.followups.rules"),
            ("completeness", "anchang.customers.rules"),
            ("pool", "anchang.pool.rules"),
            ("privacy", "anchang.customers.rules"),
            ("suspicion", "anchang.followups.rules"),
            ("review", "anchang.followups.rules"),
            ("reception", "anchang.assignment.rules"),
            ("ownership", "anchang.assignment.rules"),
            ("channels", "anchang.assignment.rules"),
            ("imports", "anchang.assignment.rules"),
            ("deals", "anchang.deals.rules"),
            ("care", "anchang.care.rules"),
        ]
        assert list(ProjectRules.model_fields) == ["timezone"] + [s.key for s in sections()]

    def test_a_section_added_after_the_rules_were_read_is_refused(self):
        DEFAULT_RULES.pool  # noqa: B018 - reading the rules builds them
        late = RuleSection(key="late", model=PoolRules, order=99)
        with pytest.raises(RuntimeError, match="after the project rules were first read"):
            register_section(late)


class TestUpdate:
    def test_admin_saves_an_override_and_it_is_audited(self, world, admin):
        values = flatten(DEFAULT_RULES) | {"pool.daily_claim_limit": 4}
        project_rules_update(actor=admin, project=world.p1, values=values, version=1)
        world.p1.refresh_from_db()
        assert project_rules(world.p1).pool.daily_claim_limit == 4
        assert project_rules(world.p2).pool.daily_claim_limit == 10  # other projects untouched
        entry = AuditEntry.objects.get(action="rules_changed")
        assert entry.details == {"overrides": {"pool": {"daily_claim_limit": 4}}}

    def test_manager_may_not(self, world):
        manager = world.grant(make_user("m"), "manager")
        with pytest.raises(PermissionDenied):
            project_rules_update(actor=manager, project=world.p1, values={}, version=1)

    def test_invalid_value_names_the_setting(self, world, admin):
        with pytest.raises(ValidationFailed) as info:
            project_rules_update(
                actor=admin, project=world.p1, values={"completeness.owner": 150}, version=1
            )
        assert "completeness.owner" in info.value.fields
        world.p1.refresh_from_db()
        assert world.p1.rules_overrides == {}

    def test_stale_version_is_a_conflict(self, world, admin):
        project_rules_update(actor=admin, project=world.p1, values={}, version=1)
        with pytest.raises(Conflict):
            project_rules_update(actor=admin, project=world.p1, values={}, version=1)

    def test_unknown_key(self, world, admin):
        with pytest.raises(ValidationFailed):
            project_rules_update(actor=admin, project=world.p1, values={"x.y": 1}, version=1)
