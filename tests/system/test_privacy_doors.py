"""Holes found from outside (issue 13, items 1, 3, 4, 5, 7): a masked phone confirmed by a
search or an edit's error, the pool's claim rules bypassed by registering, a workflow's
state undone by an edit, a list paged through by a role without the export right, and the
follow-up list read by author instead of by visibility. Each is tested by class; the
permission-matrix cells (tests/system/test_permission_matrix.py) repeat them for every role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang import permissions
from anchang.audit.models import AuditEntry, DailyReadCount
from anchang.customers.choices import MANUAL_STATES, State
from anchang.customers.models import Customer, OwnershipConflict, Registration
from anchang.customers.phones import format_phone
from anchang.customers.services import customer_reassign
from anchang.followups.services import followup_record
from anchang.org.models import Role
from anchang.scheduler.services import tick
from tests.conftest import make_user

PHONE_TALK = "电话沟通了首付比例和贷款年限，客户周末带家人来看样板间，关注学区"


def wrong_guess(phone: str) -> str:
    """The same visible digits (first 3, last 4) with other hidden ones: what a guesser tries."""
    digits = phone[-11:]
    middle = "8888" if digits[3:7] != "8888" else "7777"
    return digits[:3] + middle + digits[7:]


def _ids(api_client, **query) -> tuple[int, list[int]]:
    response = api_client.get(reverse("api:customers"), query)
    if response.status_code != 200:
        return response.status_code, []
    return 200, [row["id"] for row in response.json()["results"]]


def _override(project, section: str, **values) -> None:
    rules = dict(project.rules_overrides or {})
    rules[section] = {**rules.get(section, {}), **values}
    project.rules_overrides = rules
    project.save()


# -- 1. full-number search -------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PLANNER, Role.CLERK, Role.MARKETING])
def test_full_number_search_is_no_oracle_for_who_sees_it_masked(world, api_client, client, role):
    """A role that lists a customer but neither sees nor may reveal the phone gets the same
    answer for the right number as for a wrong one, through the API and the page."""
    reader = world.grant(make_user(f"r-{role}"), role)
    customer = world.customer(world.p1, world.consultants["p1"][0], "吴先生")
    api_client.force_authenticate(reader)
    right = _ids(api_client, q=customer.phone)
    wrong = _ids(api_client, q=wrong_guess(customer.phone))
    assert right == wrong == (200, [])
    client.force_login(reader)
    pages = [
        client.get(reverse("customers:list"), {"q": q}).content.decode()
        for q in (customer.phone, wrong_guess(customer.phone))
    ]
    rows = [p.partition('data-testid="customer-table"')[2].partition("</table>")[0] for p in pages]
    assert customer.name not in rows[0] and rows[0] == rows[1]
    # the name and the last 4 digits (shown in the mask anyway) still find them
    assert customer.pk in _ids(api_client, q=customer.name)[1]
    assert customer.pk in _ids(api_client, q=customer.phone[-4:])[1]


def test_full_number_search_by_a_revealer_is_a_reveal(world, api_client):
    """A manager may reveal the number, so the search names the customer, as a reveal: one
    audit entry with the search as its reason, counted against the reveal cap; at the cap
    the right number answers what a wrong one does."""
    manager = world.grant(make_user("mgr-s"), Role.MANAGER)
    customer = world.customer(world.p1, world.consultants["p1"][0], "郑女士")
    api_client.force_authenticate(manager)
    assert _ids(api_client, q=customer.phone) == (200, [customer.pk])
    reveals = AuditEntry.objects.filter(action="phone_revealed", actor=manager)
    assert reveals.count() == 1 and reveals.get().object_id == str(customer.pk)
    assert _ids(api_client, q=wrong_guess(customer.phone)) == (200, [])
    assert reveals.count() == 1  # a miss reveals nothing
    _override(world.p1, "privacy", reveals_per_hour=1)
    assert _ids(api_client, q=customer.phone) == _ids(api_client, q=wrong_guess(customer.phone))
    assert reveals.count() == 1


def test_owner_finds_own_customer_by_full_number_without_a_reveal(world, api_client):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "冯先生")
    api_client.force_authenticate(owner)
    assert _ids(api_client, q=format_phone(customer.phone)) == (200, [customer.pk])
    assert not AuditEntry.objects.filter(action="phone_revealed").exists()
    searched = AuditEntry.objects.get(action="phone_searched", actor=owner)
    assert customer.phone[-11:] not in str(searched.details)  # the number is never logged


def test_full_number_searches_are_capped_per_hour_whatever_they_find(world, api_client, client):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "陈先生")
    _override(world.p1, "privacy", phone_searches_per_hour=3)
    api_client.force_authenticate(owner)
    for q in (customer.phone, wrong_guess(customer.phone), customer.phone):
        assert api_client.get(reverse("api:customers"), {"q": q}).status_code == 200
    for q in (customer.phone, wrong_guess(customer.phone)):  # refused before it looks
        response = api_client.get(reverse("api:customers"), {"q": q})
        assert response.status_code == 429
        assert response.json()["code"] == "phone_search_limit"
    client.force_login(owner)
    page = client.get(reverse("customers:list"), {"q": customer.phone})
    assert page.status_code == 429
    assert "后四位" in page.content.decode()
    assert AuditEntry.objects.filter(action="phone_search_blocked", actor=owner).count() == 3
    # a name search is not capped
    assert customer.pk in _ids(api_client, q=customer.name)[1]


# -- 1. phones written through an edit ---------------------------------------------------


@pytest.mark.parametrize("field", ["phone", "phone2"])
def test_an_editor_who_sees_the_number_masked_cannot_probe_it(world, api_client, field):
    """A manager edits the customer but sees the phone masked: writing phone or phone2 is
    refused before the value is looked at, the same answer for the right and a wrong guess."""
    manager = world.grant(make_user("mgr-e"), Role.MANAGER)
    customer = world.customer(world.p1, world.consultants["p1"][0], "褚先生")
    api_client.force_authenticate(manager)
    url = reverse("api:customer", args=[customer.pk])
    answers = []
    for guess in (customer.phone, wrong_guess(customer.phone)):
        response = api_client.patch(url, {field: guess, "version": customer.version}, format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400 and answers[0][1]["code"] == "phone_not_editable"
    customer.refresh_from_db()
    assert customer.phone2 == ""


def test_the_owner_still_edits_the_phones(world, api_client):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "卫女士")
    api_client.force_authenticate(owner)
    url = reverse("api:customer", args=[customer.pk])
    response = api_client.patch(
        url, {"phone2": "13490000777", "version": customer.version}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["phone2"].endswith("13490000777")


# -- 3. registering a pool customer applies the claim rules -------------------------------


@pytest.fixture
def pooled(world):
    """A customer of the first consultant, returned to the pool by the tick."""
    first = world.consultants["p1"][0]
    customer = world.register(first, name="公海客户").customer
    Customer.objects.filter(pk=customer.pk).update(
        owned_since=timezone.now() - timedelta(days=120),
        created_at=timezone.now() - timedelta(days=120),
    )
    tick()
    customer.refresh_from_db()
    assert customer.owner_id is None and customer.pool_entered_at is not None
    return customer


def _register_phone(world, actor, phone, door, client, api_client):
    data = {
        "project": world.p1.pk, "kind": "call", "name": "公海客户", "gender": "m",
        "phone": phone, "medium": world.medium(world.p1).pk, "content": "来电咨询三居室价格",
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
    }  # fmt: skip
    if door == "api":
        api_client.force_authenticate(actor)
        response = api_client.post(reverse("api:registrations"), data, format="json")
        assert response.status_code == 201, response.content
        return response.json()["outcome"]
    client.force_login(actor)
    data["occurred_at"] = timezone.localtime(timezone.now() - timedelta(minutes=5)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    client.post(reverse("customers:register"), data)
    return Registration.objects.filter(consultant=actor).latest("id").outcome


@pytest.mark.parametrize("door", ["api", "form"])
@pytest.mark.parametrize("rule", ["cooldown", "hold_cap", "daily_claim_limit"])
def test_registering_a_pool_customer_obeys_the_claim_rules(
    world, pooled, client, api_client, door, rule
):
    """Every rule that refuses a claim refuses the registration's taking too: the customer
    stays in the pool and the managers get a conflict to decide."""
    first, second = world.consultants["p1"]
    actor = first if rule == "cooldown" else second
    if rule == "hold_cap":
        _override(world.p1, "pool", max_active_customers=1)
        world.customer(world.p1, actor, "已持有的客户")
    elif rule == "daily_claim_limit":
        _override(world.p1, "pool", daily_claim_limit=0)
    outcome = _register_phone(world, actor, pooled.phone, door, client, api_client)
    assert outcome == Registration.Outcome.CONFLICT
    pooled.refresh_from_db()
    assert pooled.owner_id is None and pooled.pool_entered_at is not None
    conflict = OwnershipConflict.objects.get(customer=pooled)
    assert conflict.claimant == actor and conflict.owner_id is None


@pytest.mark.parametrize("door", ["api", "form"])
def test_registering_a_pool_customer_within_the_rules_takes_them(
    world, pooled, client, api_client, door
):
    second = world.consultants["p1"][1]
    outcome = _register_phone(world, second, pooled.phone, door, client, api_client)
    assert outcome == Registration.Outcome.RETURN
    pooled.refresh_from_db()
    assert pooled.owner_id == second.pk


# -- 4. a workflow's states are left only through the workflow -----------------------------


@pytest.mark.parametrize("start", [State.LOST, State.SUBSCRIBED, State.OWNER])
@pytest.mark.parametrize("target", sorted(State.values))
def test_an_edit_neither_sets_nor_leaves_a_workflow_state(world, api_client, client, start, target):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "蒋先生")
    Customer.objects.filter(pk=customer.pk).update(state=start)
    customer.refresh_from_db()
    api_client.force_authenticate(owner)
    url = reverse("api:customer", args=[customer.pk])
    response = api_client.patch(url, {"state": target, "version": customer.version}, format="json")
    if target == start:
        assert response.status_code in (200, 400)  # 400: the schema lists manual states only
    else:
        assert response.status_code == 400
        # refused as a workflow's state, not by chance (a stage's required fields missing)
        expected = "state_workflow_owned" if target in MANUAL_STATES else "invalid"
        assert response.json()["code"] == expected
    client.force_login(owner)
    client.post(
        reverse("customers:edit", args=[customer.pk]),
        {"name": customer.name, "state": target, "version": customer.version},
    )
    customer.refresh_from_db()
    assert customer.state == start


@pytest.mark.parametrize("target", sorted(State.values))
def test_an_edit_never_enters_a_workflow_state(world, api_client, target):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "沈女士")
    api_client.force_authenticate(owner)
    url = reverse("api:customer", args=[customer.pk])
    response = api_client.patch(url, {"state": target, "version": customer.version}, format="json")
    customer.refresh_from_db()
    if target in MANUAL_STATES:
        assert response.status_code in (200, 400)  # 400: a stage's required fields missing
    else:
        assert response.status_code == 400
        assert customer.state == State.PROSPECT


def test_the_schema_offers_only_the_manual_states_on_patch(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    patch = schema["components"]["schemas"]["CustomerPatchRequest"]["properties"]["state"]
    ref = patch.get("$ref") or patch["allOf"][0]["$ref"]
    enum = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"]
    assert set(enum) == set(MANUAL_STATES)


# -- 5. bulk reads by roles without the export right ---------------------------------------


@pytest.mark.parametrize("door", ["api", "page"])
def test_a_role_without_export_cannot_page_through_the_whole_list(world, api_client, client, door):
    planner = world.grant(make_user("planner-b"), Role.PLANNER)
    owner = world.consultants["p1"][0]
    for i in range(5):
        world.customer(world.p1, owner, f"客户{i}")
    _override(world.p1, "privacy", list_rows_per_day=4)
    if door == "api":
        api_client.force_authenticate(planner)
        first = api_client.get(reverse("api:customers"), {"page_size": 3})
        assert first.status_code == 200
        refused = api_client.get(reverse("api:customers"), {"page_size": 3})
        assert refused.status_code == 429 and refused.json()["code"] == "bulk_read_limit"
        assert "results" not in refused.json()
    else:
        client.force_login(planner)
        refused = client.get(reverse("customers:list"))
        assert refused.status_code == 429
        assert "客户0" not in refused.content.decode()
    assert DailyReadCount.objects.get(user=planner).rows <= 4
    entries = AuditEntry.objects.filter(actor=planner)
    assert entries.filter(action="list_read_blocked").count() == 1
    assert entries.filter(action="list_read").count() == (1 if door == "api" else 0)


def test_who_may_export_or_reads_their_own_is_not_counted(world, api_client):
    manager = world.grant(make_user("mgr-b"), Role.MANAGER)
    owner = world.consultants["p1"][0]
    for i in range(5):
        world.customer(world.p1, owner, f"客户{i}")
    _override(world.p1, "privacy", list_rows_per_day=1)
    for actor in (manager, owner):
        api_client.force_authenticate(actor)
        for _ in range(3):
            assert api_client.get(reverse("api:customers")).status_code == 200
    assert not DailyReadCount.objects.exists()


# -- 7. the follow-up list starts from visibility ------------------------------------------


def test_follow_ups_are_listed_by_visibility_not_by_author(world, api_client):
    first, second = world.consultants["p1"]
    manager = world.grant(make_user("mgr-f"), Role.MANAGER)
    customer = world.register(first, name="韩先生").customer
    followup = followup_record(actor=first, customer=customer, kind="phone", content=PHONE_TALK)
    api_client.force_authenticate(first)
    ids = [r["id"] for r in api_client.get(reverse("api:followups")).json()["results"]]
    assert followup.pk in ids
    customer_reassign(actor=manager, customer=customer, new_owner_id=second.pk, reason="调岗")
    assert api_client.get(reverse("api:followups")).json()["results"] == []
    api_client.force_authenticate(second)  # the new owner reads the customer's history
    ids = [r["id"] for r in api_client.get(reverse("api:followups")).json()["results"]]
    assert followup.pk in ids


# -- every filter of the customer list, every door: a hidden phone is no answer -----------

# Roles that list a colleague's customer (same project) but may neither see nor reveal
# the number, read from the matrix.
MASKED_ROLES = [
    role
    for role in permissions.matrix()["roles"]
    if "same_project" in permissions.allowed_relations(role, "list")
    and "same_project" not in permissions.allowed_relations(role, "reveal")
]


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_no_customer_filter_answers_a_guess_of_a_masked_phone(world, client, api_client, role):
    """Every parameter of the customer list's FilterSet, through the page and the API, given
    the right number and a wrong one, by a role that sees the number masked and may not
    reveal it: the same answer. A new filter that matches phones must keep it so."""
    from anchang.customers.filters import CustomerFilter

    reader = world.grant(make_user(f"o-{role}"), role)
    customer = world.customer(world.p1, world.consultants["p1"][0], "秦先生")
    client.force_login(reader)
    api_client.force_authenticate(reader)
    for name in CustomerFilter.base_filters:
        answers = []
        for guess in (customer.phone[-11:], wrong_guess(customer.phone)):
            page = client.get(reverse("customers:list"), {name: guess})
            rows = page.content.decode().partition('data-testid="customer-table"')[2]
            api = api_client.get(reverse("api:customers"), {name: guess})
            # an error may echo the value sent: that is the reader's own input, not an answer
            seen = (rows.partition("</table>")[0], api.content.decode())
            seen = tuple(text.replace(guess, "GUESS") for text in seen)
            answers.append((page.status_code, api.status_code, *seen))
        assert answers[0] == answers[1], name


def test_a_revisit_plan_built_on_a_full_number_is_a_reveal_not_a_crash(world, client):
    """A plan's filters run the same search (a stand-in request, no address): a manager's
    full-number criterion is an audited reveal."""
    from anchang.followups.revisits.selectors import plan_targets

    manager = world.grant(make_user("mgr-plan"), Role.MANAGER)
    customer = world.customer(world.p1, world.consultants["p1"][0], "尤女士")
    targets = plan_targets(actor=manager, project=world.p1, criteria={"q": customer.phone})
    assert [c.pk for c in targets] == [customer.pk]
    assert AuditEntry.objects.filter(action="phone_revealed", actor=manager).count() == 1
