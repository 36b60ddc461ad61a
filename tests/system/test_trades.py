"""Trades are data (issue 13, item 13): a sales centre, a 4S dealership and a home-improvement
store each register, offer products and grade by their own project rules. Every test runs
over the three trades and both doors, so a trade treated as another is found whatever
field or rule it shows up in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from anchang.customers.choices import UnitType
from anchang.customers.forms import RegistrationForm
from anchang.customers.models import Customer, Medium
from anchang.followups import rules as grading
from anchang.followups import services as followup_services
from anchang.followups.forms import reason_words
from anchang.org.rules import ProjectRules
from anchang.org.selectors import project_rules
from tests.conftest import next_phone

TRADES = ("real_estate", "dealership", "home_improvement")
# A first visit each trade's consultant would register, with the fields its rules ask.
VISIT_PROFILE = {
    "real_estate": {
        "age_band": "35_44", "address_area": "西湖区", "family_structure": "young_children",
        "industry": "it", "purpose": "upgrade", "unit_type": "room_3", "area_min": 110,
        "budget_max": 400,
    },
    "dealership": {
        "age_band": "25_34", "address_area": "滨江区", "unit_type": "suv",
        "purchase_horizon": "week", "budget_max": 25, "payment_method": "instalments",
        "trade_in": True,
    },
    "home_improvement": {
        "address_area": "拱墅区", "family_structure": "couple", "unit_type": "whole_house",
        "house_area": 128, "decor_style": "chinese", "budget_max": 35, "measure_wanted": True,
    },
}  # fmt: skip
# What the trade's visit suggests with that profile and nothing ticked (B when unsure).
VISIT_GRADE = {"real_estate": "B", "dealership": "H", "home_improvement": "B"}
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def project_of(world, trade):
    return {"real_estate": world.p1, "home_improvement": world.p2, "dealership": world.p3}[trade]


def consultant_of(world, trade):
    return world.consultants[project_of(world, trade).code][0]


def api_payload(world, project, **overrides):
    data = {
        "project": project.pk,
        "kind": "visit",
        "name": "刘女士",
        "gender": "f",
        "phone": next_phone(),
        "medium": world.medium(project).pk,
        "content": "到访看了样板，聊了预算和时间",
        "occurred_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    }
    data.update(overrides)
    return data


class TestTradeDefaults:
    @pytest.mark.parametrize("trade", TRADES)
    def test_products_are_the_trades_own(self, trade):
        rules = ProjectRules.from_overrides({}, trade)
        products = set(rules.intake.options["unit_type"])
        assert products <= set(UnitType.values)
        for other in set(TRADES) - {trade}:
            assert not products & set(ProjectRules.from_overrides({}, other).intake.options[
                "unit_type"])  # fmt: skip

    @pytest.mark.parametrize("trade", TRADES)
    def test_every_asked_field_is_weighed_and_required_fields_are_asked(self, trade):
        rules = ProjectRules.from_overrides({}, trade)
        weights = rules.completeness.weights
        assert set(rules.intake.first_visit_fields) <= set(weights)
        call_fields = {"name", "gender", "phone", "medium"}
        assert set(rules.intake.required["first_visit"]) <= (
            set(rules.intake.first_visit_fields) | call_fields
        )

    def test_dealership_never_requires_floor_area_or_housing_purpose(self):
        rules = ProjectRules.from_overrides({}, "dealership")
        for stage, fields in rules.intake.required.items():
            assert not {"area_min", "purpose", "floor_pref", "eligibility"} & set(fields), stage
        assert rules.grading.scale == "HABC" and rules.grading.method == "horizon"

    def test_overrides_still_win_over_trade_defaults(self):
        rules = ProjectRules.from_overrides({"intake": {"product_term": "unit_type"}}, "dealership")
        assert rules.intake.product_term == "unit_type"
        assert rules.intake.options["unit_type"] == ["sedan", "suv", "mpv", "nev"]


class TestRegistrationForm:
    @pytest.mark.parametrize("trade", TRADES)
    def test_form_asks_the_trades_fields_and_offers_its_products(self, world, trade):
        project = project_of(world, trade)
        rules = project_rules(project)
        form = RegistrationForm(projects=[project], media=[], project=project, rules=rules)
        assert form.first_visit_fields == rules.intake.first_visit_fields
        asked = set(form.fields) - set(RegistrationForm.base_fields)
        assert asked == set(rules.intake.first_visit_fields)
        offered = [v for v, _label in form.fields["unit_type"].choices if v]
        assert offered == rules.intake.options["unit_type"]

    @pytest.mark.parametrize("trade", TRADES)
    def test_page_registers_a_first_visit_with_the_trades_fields(self, world, client, trade):
        project = project_of(world, trade)
        client.force_login(consultant_of(world, trade))
        page = client.get(reverse("customers:register"))
        html = page.content.decode()
        offered = set(project_rules(project).intake.first_visit_fields)
        for field in ("area_min", "purpose", "purchase_horizon", "decor_style"):
            assert (f'name="{field}"' in html) == (field in offered), field
        data = api_payload(world, project, occurred_at=timezone.localtime().strftime(
            "%Y-%m-%dT%H:%M"), **VISIT_PROFILE[trade])  # fmt: skip
        data = {k: ("true" if v is True else v) for k, v in data.items()}
        response = client.post(reverse("customers:register"), data)
        assert response.status_code == 302, response.content.decode()[-2000:]
        customer = Customer.objects.get(project=project)
        assert customer.unit_type == VISIT_PROFILE[trade]["unit_type"]

    @pytest.mark.parametrize("trade", TRADES)
    def test_api_registers_a_first_visit_with_the_trades_fields(self, world, api_client, trade):
        project = project_of(world, trade)
        api_client.force_authenticate(consultant_of(world, trade))
        response = api_client.post(
            reverse("api:registrations"), api_payload(world, project, **VISIT_PROFILE[trade]),
            format="json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
        customer = Customer.objects.get(pk=response.json()["customer"])
        assert customer.grade == VISIT_GRADE[trade]

    @pytest.mark.parametrize("trade", TRADES)
    @pytest.mark.parametrize("door", ["api", "page"])
    def test_another_trades_field_or_product_is_refused(
        self, world, api_client, client, trade, door
    ):
        project = project_of(world, trade)
        other = next(t for t in TRADES if t != trade)
        foreign_field = next(
            f for f in VISIT_PROFILE[other] if f not in project_rules(project).intake.
            first_visit_fields
        )  # fmt: skip
        foreign_product = VISIT_PROFILE[other]["unit_type"]
        for extra in ({foreign_field: VISIT_PROFILE[other][foreign_field]},
                      {"unit_type": foreign_product}):  # fmt: skip
            profile = {**VISIT_PROFILE[trade], **extra}
            if door == "api":
                api_client.force_authenticate(consultant_of(world, trade))
                response = api_client.post(
                    reverse("api:registrations"), api_payload(world, project, **profile),
                    format="json",
                )  # fmt: skip
                if "unit_type" in extra or door == "api":
                    assert response.status_code == 400, (extra, response.content)
            else:
                client.force_login(consultant_of(world, trade))
                data = api_payload(world, project, occurred_at=timezone.localtime().strftime(
                    "%Y-%m-%dT%H:%M"), **profile)  # fmt: skip
                data = {k: ("true" if v is True else v) for k, v in data.items()}
                response = client.post(reverse("customers:register"), data)
                # The page has no field for another trade's question: it is never saved.
                if "unit_type" in extra:
                    assert response.status_code == 400
            assert not Customer.objects.filter(
                project=project, **{k: v for k, v in extra.items()}
            ).exists(), extra

    @pytest.mark.parametrize("trade", TRADES)
    def test_a_first_visit_requires_the_trades_fields_only(self, world, api_client, trade):
        project = project_of(world, trade)
        api_client.force_authenticate(consultant_of(world, trade))
        response = api_client.post(
            reverse("api:registrations"), api_payload(world, project), format="json"
        )
        assert response.status_code == 400
        missing = set(response.json()["fields"])
        required = set(project_rules(project).intake.required["first_visit"])
        assert missing == required - {"name", "gender", "phone", "medium"}


class TestGradeSuggestion:
    @pytest.mark.parametrize("trade", TRADES)
    def test_price_rejected_gives_d_only_where_price_is_a_criterion(self, world, trade):
        project = project_of(world, trade)
        customer = world.register(consultant_of(world, trade), project).customer
        spec = project_rules(project).grading.spec
        suggestion = followup_services.grade_suggestion(
            customer, checks={"accepts_price": False}, horizon="month"
        )
        if "accepts_price" in spec.deal_breakers:
            assert suggestion.grade == "D"
        else:
            assert suggestion.grade != "D"
        assert suggestion.grade in (*spec.scale, None)

    @pytest.mark.parametrize("trade", TRADES)
    def test_every_suggestion_is_on_the_projects_scale(self, world, trade):
        spec = ProjectRules.from_overrides({}, trade).grading.spec

        @given(
            checks=st.dictionaries(
                st.sampled_from(grading.ALL_CRITERIA), st.sampled_from([True, False, None])
            ),
            signals=st.frozensets(st.sampled_from(grading.ALL_SIGNALS)),
            horizon=st.sampled_from([None, "", *grading.HORIZON_DAYS]),
        )
        def check(checks, signals, horizon):
            suggestion = grading.suggest(spec, checks, signals, horizon)
            assert suggestion.grade in (*spec.scale, None)
            assert all(reason_words(suggestion.reasons))

        check()

    def test_dealership_grades_by_horizon(self):
        spec = ProjectRules.from_overrides({}, "dealership").grading.spec
        got = {h: grading.suggest(spec, {}, horizon=h).grade for h in grading.HORIZON_DAYS}
        assert got == {"week": "H", "month": "A", "quarter": "B", "later": "C"}
        lifted = grading.suggest(
            spec, {"test_drive": True, "trim_chosen": True}, frozenset({"trade_in"}), "later"
        )
        assert lifted.grade == "B"  # three signals lift C one step, never to H
        assert grading.suggest(spec, {}, horizon=None).grade is None

    @pytest.mark.parametrize("trade", TRADES)
    def test_grade_page_and_api_use_the_trades_rules(self, world, client, api_client, trade):
        project = project_of(world, trade)
        consultant = consultant_of(world, trade)
        customer = world.register(consultant, project).customer
        spec = project_rules(project).grading.spec
        client.force_login(consultant)
        page = client.get(reverse("followups:grade", args=[customer.pk]))
        html = page.content.decode()
        for criterion in grading.ALL_CRITERIA:
            assert (f'name="{criterion}"' in html) == (criterion in spec.criteria), criterion
        assert ('name="horizon"' in html) == (spec.method == "horizon")
        api_client.force_authenticate(consultant)
        body = {"grade": spec.scale[0], "reason": "看好", "checks": {"accepts_price": False}}
        response = api_client.post(reverse("api:grade", args=[customer.pk]), body,
                                   format="json")  # fmt: skip
        if "accepts_price" in spec.criteria:
            assert response.status_code == 200 and response.json()["suggested"] == "D"
        else:
            assert response.status_code == 400  # not a question this trade asks

    @pytest.mark.parametrize("trade", TRADES)
    def test_live_suggestion_follows_the_boxes(self, world, client, trade):
        project = project_of(world, trade)
        consultant = consultant_of(world, trade)
        customer = world.register(consultant, project).customer
        spec = project_rules(project).grading.spec
        client.force_login(consultant)
        url = reverse("followups:grade-suggest", args=[customer.pk])
        query = {c: "yes" for c in spec.criteria} | {"horizon": "week"}
        expected = grading.suggest(spec, dict.fromkeys(spec.criteria, True), horizon="week")
        response = client.get(url, query)
        assert response.status_code == 200
        assert f">{expected.grade}</strong>" in response.content.decode()
        customer.refresh_from_db()
        assert customer.grade_checks == {} or customer.grade_checks  # nothing was saved
        assert customer.grade_changes.count() == 1  # only the registration's grade
        hostile = client.get(url, {"horizon": "𐩀" * 500, spec.criteria[0]: "²", "x": "1e99"})
        assert hostile.status_code == 200


class TestReasonWords:
    @pytest.mark.parametrize("trade", TRADES)
    def test_no_reason_code_is_ever_rendered(self, world, client, trade):
        """Every reason the trade's rules can give, through the page fragment: words only."""
        spec = ProjectRules.from_overrides({}, trade).grading.spec
        codes = ["all_criteria", "not_enough_known", "no_horizon"]
        codes += [f"{p}:{c}" for p in ("rejects", "meets") for c in spec.criteria]
        codes += [f"signal:{s}" for s in (*spec.signals, *spec.criteria)]
        codes += [f"horizon:{h}" for h in grading.HORIZON_DAYS]
        words = reason_words(codes)
        assert len(words) == len(codes)
        generic = reason_words(["unknown:code"])[0]
        for code, text in zip(codes, words, strict=True):
            assert not SNAKE.search(text) and code not in text, (code, text)
            assert text != generic, code  # every reason the rules give has its own words
        project = project_of(world, trade)
        consultant = consultant_of(world, trade)
        customer = world.register(consultant, project).customer
        client.force_login(consultant)
        for query in ({}, {c: "no" for c in spec.criteria}, {c: "yes" for c in spec.criteria},
                      {"horizon": "later", **{c: "yes" for c in spec.criteria}}):  # fmt: skip
            html = client.get(reverse("followups:grade-suggest", args=[customer.pk]), query)
            text = re.sub(r"<[^>]+>", " ", html.content.decode())
            assert not SNAKE.search(text), text
        page = client.get(reverse("followups:grade", args=[customer.pk]))
        text = re.sub(r"<[^>]+>|\{[^}]*\}", " ", page.content.decode().split("<main", 1)[-1])
        shown = [w for w in SNAKE.findall(text) if w not in ("csrfmiddlewaretoken",)]
        assert not shown, shown


def test_trade_media_are_the_projects_own(world, client):
    consultant = consultant_of(world, "dealership")
    client.force_login(consultant)
    form = client.get(reverse("customers:register")).context["form"]
    offered = {pk for pk, _label in form.fields["medium"].choices if pk}
    assert offered == set(Medium.objects.filter(project=world.p3, is_active=True).values_list(
        "pk", flat=True))  # fmt: skip


class TestGradeHistory:
    """Every door that changes a grade leaves a history row whose from/to are what the card
    showed before and after (issue 13, item 16)."""

    def _card(self, customer):
        customer.refresh_from_db()
        return customer.grade

    def _latest(self, customer):
        return customer.grade_changes.order_by("-at", "-id").first()

    @pytest.mark.parametrize("trade", TRADES)
    def test_every_path_records_what_the_card_shows(self, world, client, api_client, trade):
        project = project_of(world, trade)
        consultant = consultant_of(world, trade)
        scale = project_rules(project).grading.spec.scale
        # register (a call: the playbook's C)
        customer = world.register(consultant, project).customer
        assert self._card(customer) and (self._latest(customer).from_grade, self._latest(
            customer).to_grade) == ("", customer.grade)  # fmt: skip
        paths = []

        def follow_up(grade):
            followup_services.followup_record(
                actor=consultant, customer=customer, kind="phone", grade=grade,
                content="电话沟通了预算和时间安排，客户表示周末再来店里详细看看方案，并会带家人一起来确认。",
            )  # fmt: skip

        def grade_page(grade):
            response = client.post(reverse("followups:grade", args=[customer.pk]),
                                   {"grade": grade, "reason": "页面评级"})  # fmt: skip
            assert response.status_code == 302, response.content.decode()[-1500:]

        def api(grade):
            body = {"grade": grade, "reason": "接口评级"}
            url = reverse("api:grade", args=[customer.pk])
            response = api_client.post(url, body, format="json")
            assert response.status_code == 200, response.content

        def return_visit(grade):
            world.register(consultant, project, phone=customer.phone, kind="visit",
                           profile=VISIT_PROFILE[trade])  # fmt: skip

        client.force_login(consultant)
        api_client.force_authenticate(consultant)
        paths = [follow_up, grade_page, api, follow_up, grade_page, api]
        for step, path in enumerate(paths):
            before = self._card(customer)
            after = scale[(scale.index(before) + 1 + step) % len(scale)]
            if after == before:
                after = scale[(scale.index(before) + 1) % len(scale)]
            path(after)
            change = self._latest(customer)
            assert (change.from_grade, change.to_grade) == (before, self._card(customer)), path
            assert self._card(customer) == after, path
        # A return visit of a graded customer keeps the grade the consultant gave.
        before, count = self._card(customer), customer.grade_changes.count()
        return_visit(None)
        assert self._card(customer) == before and customer.grade_changes.count() == count

    @pytest.mark.parametrize("door", ["service", "page", "api"])
    def test_same_grade_with_a_reason_is_a_confirmation(self, world, client, api_client, door):
        consultant = consultant_of(world, "real_estate")
        customer = world.register(consultant, world.p1).customer
        grade, count = customer.grade, customer.grade_changes.count()
        if door == "service":
            followup_services.grade_set(actor=consultant, customer=customer, grade=grade,
                                        reason="再次确认，客户仍在比较")  # fmt: skip
        elif door == "page":
            client.force_login(consultant)
            client.post(reverse("followups:grade", args=[customer.pk]),
                        {"grade": grade, "reason": "再次确认，客户仍在比较"})  # fmt: skip
        else:
            api_client.force_authenticate(consultant)
            body = {"grade": grade, "reason": "再次确认，客户仍在比较"}
            api_client.post(reverse("api:grade", args=[customer.pk]), body, format="json")
        assert customer.grade_changes.count() == count + 1
        change = self._latest(customer)
        assert (change.from_grade, change.to_grade, change.reason) == (
            grade, grade, "再次确认，客户仍在比较")  # fmt: skip
        # Without a reason nothing happened, and nothing is written.
        followup_services.grade_set(actor=consultant, customer=customer, grade=grade, reason="")
        assert customer.grade_changes.count() == count + 1

    def test_history_page_agrees_with_a_card_graded_without_a_record(self, world, client):
        consultant = consultant_of(world, "dealership")
        customer = world.register(consultant, world.p3).customer
        customer.grade_changes.all().delete()  # a grade from before changes were recorded
        Customer.objects.filter(pk=customer.pk).update(grade="H")
        client.force_login(consultant)
        html = client.get(reverse("followups:grade", args=[customer.pk])).content.decode()
        assert 'data-to="H"' in html
        assert "尚未评级" not in html and "No grade yet" not in html


@pytest.mark.parametrize("trade", TRADES)
def test_first_visit_block_is_open_when_the_kind_is_visit(world, client, trade):
    """Item 19: a visit never starts with its required fields folded away."""
    client.force_login(consultant_of(world, trade))
    block = re.compile(r"<details[^>]*data-testid=\"first-visit-fields\"[^>]*>")

    def opened(html):
        tag = block.search(html).group(0)
        return re.search(r"\sopen(\s|>|=)", tag) is not None

    assert opened(client.get(reverse("customers:register")).content.decode())  # visit default
    call = client.post(reverse("customers:register"), {"kind": "call"}).content.decode()
    assert opened(call)  # errors: everything shown
    visit = client.post(reverse("customers:register"), {"kind": "visit"}).content.decode()
    assert opened(visit)
    html = client.get(reverse("customers:register")).content.decode()
    required = project_rules(project_of(world, trade)).intake.required["first_visit"]
    marked = html.count('data-testid="first-visit-required"')
    assert marked == len(set(required) & set(project_rules(project_of(world, trade)).intake.
                                             first_visit_fields))  # fmt: skip


@pytest.mark.parametrize("trade", TRADES)
def test_follow_up_offers_and_accepts_only_the_trades_buying_signals(
    world, client, api_client, trade
):
    project = project_of(world, trade)
    consultant = consultant_of(world, trade)
    customer = world.register(consultant, project).customer
    signals = project_rules(project).grading.signals
    client.force_login(consultant)
    html = client.get(reverse("followups:new", args=[customer.pk])).content.decode()
    for signal in grading.ALL_SIGNALS:
        assert (f'value="{signal}"' in html) == (signal in signals), signal
    api_client.force_authenticate(consultant)
    content = "电话沟通了预算和时间安排，客户表示周末再来店里详细看看方案，并带家人。"
    body = {"customer": customer.pk, "kind": "phone", "reached": True, "content": content}
    foreign = next(s for s in grading.ALL_SIGNALS if s not in signals)
    refused = api_client.post(reverse("api:followups"), {**body, "signals": [foreign]},
                              format="json")  # fmt: skip
    assert refused.status_code == 400
    taken = api_client.post(reverse("api:followups"), {**body, "signals": [signals[0]]},
                            format="json")  # fmt: skip
    assert taken.status_code == 201, taken.content


def test_a_consultant_of_two_trades_registers_each_with_its_own_form(world, client):
    from anchang.org.models import Role
    from anchang.org.services import membership_grant

    consultant = consultant_of(world, "real_estate")
    membership_grant(user=consultant, role=Role.CONSULTANT, company=world.company,
                     project=world.p3)  # fmt: skip
    client.force_login(consultant)
    url = reverse("customers:register")
    assert 'name="area_min"' in client.get(url).content.decode()  # the first project's
    dealer = client.get(url, {"project": world.p3.pk}).content.decode()
    assert 'name="area_min"' not in dealer and 'name="purchase_horizon"' in dealer
    assert f'href="?project={world.p1.pk}"' in dealer  # the way back to the other project
    data = api_payload(world, world.p3, occurred_at=timezone.localtime().strftime(
        "%Y-%m-%dT%H:%M"), **VISIT_PROFILE["dealership"])  # fmt: skip
    data = {k: ("true" if v is True else v) for k, v in data.items()}
    assert client.post(url, data).status_code == 302
    assert Customer.objects.get(project=world.p3).purchase_horizon == "week"
    hostile = client.post(url, {**data, "project": "𐩀" * 300})
    assert hostile.status_code == 400


@pytest.mark.parametrize("trade", TRADES)
def test_every_list_setting_says_which_values_it_may_hold(trade):
    """A rules form builds tick boxes from setting_choices: every list-valued setting of
    every trade has them, and the trade's defaults are among them."""
    from anchang.org.rules import FREE_TEXT_SETTINGS, flatten, setting_choices

    for key, value in flatten(ProjectRules.from_overrides({}, trade)).items():
        if key in FREE_TEXT_SETTINGS:  # a list of free texts, one a line: no fixed values
            continue
        entries = value.items() if isinstance(value, dict) else [(None, value)]
        for entry, item in entries:
            name = f"{key}.{entry}" if entry is not None else key
            if isinstance(item, list) or key in ("grading.method", "intake.product_term"):
                allowed = setting_choices(name)
                assert allowed, name
                assert set(item if isinstance(item, list) else [item]) <= set(allowed), name


@pytest.mark.parametrize("trade", TRADES)
def test_card_edit_offers_the_trades_fields_and_refuses_another_trades_product(
    world, client, api_client, trade
):
    project = project_of(world, trade)
    consultant = consultant_of(world, trade)
    customer = world.register(consultant, project).customer
    rules = project_rules(project)
    client.force_login(consultant)
    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    assert ("area_min" in form.fields) == ("area_min" in rules.completeness.weights)
    assert ("purchase_horizon" in form.fields) == ("purchase_horizon" in rules.completeness.weights)
    offered = [v for v, _label in form.fields["unit_type"].choices if v]
    assert offered == rules.intake.options["unit_type"]
    other = next(t for t in TRADES if t != trade)
    api_client.force_authenticate(consultant)
    response = api_client.patch(
        reverse("api:customer", args=[customer.pk]),
        {"version": customer.version, "unit_type": VISIT_PROFILE[other]["unit_type"]},
        format="json",
    )
    assert response.status_code == 400, response.content
    ok = api_client.patch(
        reverse("api:customer", args=[customer.pk]),
        {"version": customer.version, "unit_type": VISIT_PROFILE[trade]["unit_type"]},
        format="json",
    )
    assert ok.status_code == 200, ok.content
