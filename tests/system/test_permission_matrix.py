"""The permission matrix, generated from anchang/permissions.yaml and asserted through
both doors (HTML pages and the API): every role × action × relation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang import permissions
from anchang.audit.models import AuditEntry
from anchang.customers.models import Customer
from anchang.customers.phones import format_phone
from anchang.customers.scope import actor_may
from anchang.customers.selectors import customers_for
from anchang.followups.models import FollowUp
from anchang.followups.suspicion.services import flags_backfill
from anchang.org.models import Membership, Role, Team
from anchang.org.selectors import forget_grants
from tests.conftest import make_user, world_layer

MATRIX = permissions.matrix()
ROLES = list(MATRIX["roles"])
ACTIONS = MATRIX["actions"]
RELATIONS = MATRIX["relations"]
DOORS = ["html", "api"]


def test_matrix_covers_every_role_and_action():
    assert set(ROLES) == set(Role.values)
    for role in ROLES:
        for action in ACTIONS:
            assert action in MATRIX["roles"][role], f"{role} lacks {action}"


def _setup(world, role):
    """The actor and one customer per relation. In p1 the actor shares a sales team (小组)
    with the first consultant; the second is in no team; one customer sits in the pool."""
    actor = world.grant(make_user(f"actor-{role}"), role)
    consultants = world.consultants
    mate, other = consultants["p1"]
    team = Team.objects.create(project=world.p1, name=f"一组{role}")
    Membership.objects.filter(user__in=[actor, mate], project=world.p1).update(team=team)
    pooled = world.customer(world.p1, None, f"公海客户{role}")
    Customer.objects.filter(pk=pooled.pk).update(pool_entered_at=timezone.now())
    pooled.refresh_from_db()
    customers = {
        "own": world.customer(world.p1, actor, f"自己的客户{role}"),
        "same_team": world.customer(world.p1, mate, f"同组客户{role}"),
        "pool": pooled,
        "same_project": world.customer(world.p1, other, f"同项目客户{role}"),
        "other_project": world.customer(world.p2, consultants["p2"][0], f"同区域客户{role}"),
        "other_region": world.customer(world.p3, consultants["p3"][0], f"外区域客户{role}"),
    }
    Customer.objects.filter(pk__in=[c.pk for c in customers.values()]).update(
        spouse_info=SENSITIVE_MARK
    )
    # One padded (filler) follow-up per customer, so each shows in the suspicious-records
    # report (可疑记录) to whoever the report door lets see it.
    for customer in customers.values():
        FollowUp.objects.create(
            customer=customer, project_id=customer.project_id,
            author_id=customer.owner_id or mate.pk, kind="phone", reached=True,
            occurred_at=timezone.now(), content="客户说再考虑" + "。" * 12,
        )  # fmt: skip
    # The report reads the flags the tick stores (records settle for a minute first).
    flags_backfill(now=timezone.now() + timedelta(minutes=2))
    targets = {
        "own": mate,
        "same_team": other,
        "pool": mate,
        "same_project": mate,
        "other_project": consultants["p2"][1],
        "other_region": consultants["p3"][1],
    }
    return actor, customers, targets


@world_layer("role")
def role_setup(world, role):
    """_setup, built once for the consecutive cells of one role (each cell gets a copy)."""
    return _setup(world, role)


def _client(actor, door, client, api_client):
    if door == "html":
        client.force_login(actor)
        return client
    api_client.force_authenticate(actor)
    return api_client


PHONE_FULL = permissions.phone_full_relations()


def _phone_shown(text: str, customer, door: str) -> str:
    """How the customer's mobile appears in an answer: full, masked or absent."""
    full = format_phone(customer.phone) if door == "html" else customer.phone
    digits = customer.phone[-11:]
    if full in text:
        return "full"
    if f"{digits[:3]}****{digits[-4:]}" in text:
        return "masked"
    return "absent"


SENSITIVE_MARK = "配偶在海关工作"  # a sensitive field's value (spouse_info), set on every customer


def _fields(text: str, customer, door: str, relation: str, allowed: bool, sensitive: bool) -> None:
    """The field set of the matrix (`fields`): the phone in full for the relations named
    there, masked for the others, and nothing of a customer the reader may not see; the
    sensitive fields only where `sensitive` says (never in a list)."""
    assert (SENSITIVE_MARK in text) is (allowed and sensitive), (relation, door, "sensitive")
    if not allowed:
        assert _phone_shown(text, customer, door) == "absent"
        return
    expected = "full" if relation in PHONE_FULL else "masked"
    assert _phone_shown(text, customer, door) == expected, (relation, door)


REPORT_ROLES = permissions.page_roles("reviews")


def _report_door(door, c, customer, may_list, relation) -> None:
    """The report door: the suspicious-records report names a customer only to a role that
    may list them, and shows the records of the customers a reviewing role may reassign
    (its team's, pool's and project's, as for the review queue); the phone never in full."""
    url = reverse("followups:suspicious" if door == "html" else "api:followups-suspicious")
    response = c.get(url, {"days": 7})
    role = c.role
    assert response.status_code == (200 if role in REPORT_ROLES else 403)
    body = response.content.decode()
    shown = customer.name in body
    assert not shown or may_list, ("report leaks", relation)
    if role in REPORT_ROLES:
        expected = relation in permissions.allowed_relations(role, "reassign")
        assert shown is expected, ("report", relation)
    assert _phone_shown(body, customer, door) != "full" or relation in PHONE_FULL


def _wrong_guess(phone: str) -> str:
    digits = phone[-11:]
    return digits[:3] + ("8888" if digits[3:7] != "8888" else "7777") + digits[7:]


def _listed(door, c, query) -> tuple[int, str]:
    """A list answer's status and its rows (the page's table, or the API's results)."""
    if door == "html":
        response = c.get(reverse("customers:list"), query)
        body = response.content.decode().partition('data-testid="customer-table"')[2]
        return response.status_code, body.partition("</table>")[0]
    response = c.get(reverse("api:customers"), query)
    return response.status_code, str(response.json().get("results"))


def _phone_search_door(door, c, customer, may_list, relation) -> None:
    """A search by the full number names the customer only to who sees it in full, or to who
    may reveal it, as an audited reveal; anyone else gets what a wrong guess gets."""
    role = c.role
    may_know = may_list and (
        relation in PHONE_FULL or relation in permissions.allowed_relations(role, "reveal")
    )
    reveals = AuditEntry.objects.filter(action="phone_revealed", object_id=str(customer.pk))
    before = reveals.count()
    right = _listed(door, c, {"q": customer.phone})
    wrong = _listed(door, c, {"q": _wrong_guess(customer.phone)})
    assert (customer.name in right[1]) is may_know, ("phone search", relation)
    assert customer.name not in wrong[1]
    if not may_know:
        assert right == wrong, ("phone search oracle", relation)
    revealed = may_know and relation not in PHONE_FULL
    assert reveals.count() - before == (1 if revealed else 0), ("search reveal audit", relation)


def _bulk_read_cell(door, c, customer, may_list, relation) -> None:
    """Rows listed through a relation the role may not export (beyond its own) count against
    its daily cap, with an audit entry; the others are not counted."""
    from anchang.audit.models import DailyReadCount

    actor = c.actor
    counted = may_list and relation in permissions.bulk_capped_relations(c.role)
    before = sum(DailyReadCount.objects.filter(user=actor).values_list("rows", flat=True))
    audited = AuditEntry.objects.filter(actor=actor, action="list_read").count()
    _listed(door, c, {"q": customer.name})
    after = sum(DailyReadCount.objects.filter(user=actor).values_list("rows", flat=True))
    assert after - before == (1 if counted else 0), ("bulk read", relation)
    now_audited = AuditEntry.objects.filter(actor=actor, action="list_read").count()
    assert now_audited - audited == (1 if counted else 0), ("bulk read audit", relation)


WORKFLOW_STATES = ("lost", "subscribed", "owner")


def _state_leaving_cell(door, c, customer, may_edit, denied_status) -> None:
    """Lost, subscribed and owner are left only through their workflows: no role's edit
    undoes them, through either door."""
    for state in WORKFLOW_STATES:
        Customer.objects.filter(pk=customer.pk).update(state=state)
        customer.refresh_from_db()
        payload = {"state": "prospect", "version": customer.version}
        if door == "html":
            response = c.post(
                reverse("customers:edit", args=[customer.pk]), {"name": customer.name, **payload}
            )
            assert response.status_code == (400 if may_edit else denied_status)
        else:
            response = c.patch(reverse("api:customer", args=[customer.pk]), payload, format="json")
            assert response.status_code == (400 if may_edit else denied_status)
            if may_edit:
                assert response.json()["code"] == "state_workflow_owned"
        customer.refresh_from_db()
        assert customer.state == state
    Customer.objects.filter(pk=customer.pk).update(state="prospect")
    customer.refresh_from_db()


def _phone_edit_oracle(door, c, customer, may_edit, relation) -> None:
    """Who edits a customer but sees the phone masked may not write phone or phone2, and the
    refusal is the same for the right and a wrong guess (no "repeats the mobile")."""
    if door != "api" or not may_edit or relation in PHONE_FULL:
        return
    url = reverse("api:customer", args=[customer.pk])
    answers = []
    for guess in (customer.phone, _wrong_guess(customer.phone)):
        response = c.patch(url, {"phone2": guess, "version": customer.version}, format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1], ("phone2 oracle", relation)
    assert answers[0][1]["code"] == "phone_not_editable"


def _check(door, action, c, customer, target, allowed, may_view, relation, sensitive) -> None:
    denied_status = 403 if may_view else 404
    if action == "list":
        # Two doors per client: the list, and a search for the customer by name (?q=).
        for query in ({}, {"q": customer.name}):
            if door == "html":
                response = c.get(reverse("customers:list"), query)
                assert response.status_code in ((200,) if allowed else (200, 403))
                # the rows only: the search box echoes the query
                body = response.content.decode().partition('data-testid="customer-table"')[2]
                body = body.partition("</table>")[0]
                assert (customer.name in body) is allowed, query
            else:
                response = c.get(reverse("api:customers"), {"page_size": 200, **query})
                body = response.content.decode()
                ids = [row["id"] for row in response.json()["results"]]
                assert (customer.pk in ids) is allowed, query
            _fields(body, customer, door, relation, allowed, sensitive=False)
        _report_door(door, c, customer, allowed, relation)
        _phone_search_door(door, c, customer, allowed, relation)
        _bulk_read_cell(door, c, customer, allowed, relation)
    elif action == "view":
        url = (
            reverse("customers:detail", args=[customer.pk])
            if door == "html"
            else reverse("api:customer", args=[customer.pk])
        )
        response = c.get(url)
        assert response.status_code == (200 if allowed else 404)
        _fields(response.content.decode(), customer, door, relation, allowed, sensitive)
    elif action == "edit":
        new_name = customer.name + "改"
        if door == "html":
            response = c.post(
                reverse("customers:edit", args=[customer.pk]),
                {"name": new_name, "version": customer.version},
            )
            assert response.status_code == (302 if allowed else denied_status)
        else:
            response = c.patch(
                reverse("api:customer", args=[customer.pk]),
                {"name": new_name, "version": customer.version},
                format="json",
            )
            assert response.status_code == (200 if allowed else denied_status)
        customer.refresh_from_db()
        assert (customer.name == new_name) is allowed
        _state_leaving_cell(door, c, customer, allowed, denied_status)
        _phone_edit_oracle(door, c, customer, allowed, relation)
    elif action == "reassign":
        payload = {"owner": target.pk, "reason": "顾问调岗", "version": customer.version}
        if door == "html":
            response = c.post(reverse("customers:reassign", args=[customer.pk]), payload)
            assert response.status_code == (302 if allowed else denied_status)
        else:
            response = c.post(
                reverse("api:customer-reassign", args=[customer.pk]), payload, format="json"
            )
            assert response.status_code == (200 if allowed else denied_status)
        customer.refresh_from_db()
        assert (customer.owner_id == target.pk) is allowed
    elif action == "export":
        url = reverse("customers:export") if door == "html" else reverse("api:customers-export")
        response = c.get(url)
        if response.status_code == 403:
            assert not allowed
            return
        assert response.status_code == 200
        body = response.content.decode("utf-8-sig")
        assert (customer.name in body) is allowed
    elif action == "reveal":
        before = AuditEntry.objects.filter(action="phone_revealed").count()
        payload = {"reason": "客户来电要求回拨"}
        if door == "html":
            response = c.post(reverse("customers:reveal", args=[customer.pk]), payload)
            assert response.status_code == (200 if allowed else denied_status)
            shown = allowed and format_phone(customer.phone) in response.content.decode()
        else:
            response = c.post(
                reverse("api:customer-reveal-phone", args=[customer.pk]), payload, format="json"
            )
            assert response.status_code == (200 if allowed else denied_status)
            shown = allowed and response.json()["phone"] == customer.phone
        assert shown is allowed
        revealed = AuditEntry.objects.filter(action="phone_revealed").count() - before
        assert revealed == (1 if allowed else 0)  # exactly one audit row per reveal
    else:  # pragma: no cover - a new action in the YAML needs a door here
        pytest.fail(f"no door for action {action}")


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_cell(world, role_setup, client, api_client, role, action, relation, door):
    actor, customers, targets = role_setup
    allowed = relation in permissions.allowed_relations(role, action)
    may_view = relation in permissions.allowed_relations(role, "view")
    sensitive = relation in permissions.allowed_relations(role, permissions.SENSITIVE)
    c = _client(actor, door, client, api_client)
    c.role, c.actor = role, actor
    customer, target = customers[relation], targets[relation]
    _check(door, action, c, customer, target, allowed, may_view, relation, sensitive)


def test_phone_masked_for_viewers_who_do_not_own(world, client):
    manager = world.grant(make_user("mgr"), Role.MANAGER)
    customer = world.customer(world.p1, world.consultants["p1"][0], "王先生")
    client.force_login(manager)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    digits = customer.phone[3:]
    assert digits not in body
    assert f"{digits[:3]}****{digits[-4:]}" in body


def test_owner_sees_full_phone(world, client):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "李女士")
    client.force_login(owner)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert format_phone(customer.phone) in body


class TestFailClosed:
    def test_user_without_role_sees_nothing(self, world, client, api_client):
        nobody = make_user("nobody")
        customer = world.customer(world.p1, world.consultants["p1"][0], "张三")
        client.force_login(nobody)
        assert customer.name not in client.get(reverse("customers:list")).content.decode()
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 404
        api_client.force_authenticate(nobody)
        assert api_client.get(reverse("api:customers")).json()["results"] == []

    def test_unknown_role_sees_nothing(self, world, api_client):
        from anchang.org.models import Membership

        ghost = make_user("ghost")
        Membership.objects.create(user=ghost, role="ghost", company=world.company, project=world.p1)
        world.customer(world.p1, world.consultants["p1"][0], "赵四")
        api_client.force_authenticate(ghost)
        assert api_client.get(reverse("api:customers")).json()["results"] == []

    def test_inactive_membership_and_project_see_nothing(self, world, api_client):
        consultant = world.consultants["p1"][0]
        world.customer(world.p1, consultant, "钱五")
        consultant.memberships.update(is_active=False)
        api_client.force_authenticate(consultant)
        assert api_client.get(reverse("api:customers")).json()["results"] == []

    def test_project_role_without_project_sees_nothing(self, world, api_client):
        from anchang.org.models import Membership

        odd = make_user("odd")
        # A consultant anchored at a region is malformed data: it must grant nothing.
        Membership.objects.create(
            user=odd, role="consultant", company=world.company, region=world.east
        )
        world.customer(world.p1, None, "孙六")
        api_client.force_authenticate(odd)
        assert api_client.get(reverse("api:customers")).json()["results"] == []

    def test_ids_do_not_reveal_existence(self, world, api_client):
        other = world.customer(world.p3, world.consultants["p3"][0], "周七")
        api_client.force_authenticate(world.consultants["p1"][0])
        existing = api_client.get(reverse("api:customer", args=[other.pk]))
        missing = api_client.get(reverse("api:customer", args=[other.pk + 10_000]))
        assert existing.status_code == missing.status_code == 404
        assert existing.json() == missing.json()
        assert Customer.objects.filter(pk=other.pk).exists()


def test_matrix_validation_rejects_inconsistent_file():
    import copy

    data = copy.deepcopy(MATRIX)
    data["roles"]["marketing"]["view"] = ["same_project"]
    with pytest.raises(permissions.MatrixError):
        permissions.validate(data)
    data = copy.deepcopy(MATRIX)
    data["roles"]["consultant"]["view"] = ["everything"]
    with pytest.raises(permissions.MatrixError):
        permissions.validate(data)
    data = copy.deepcopy(MATRIX)
    data["roles"]["clerk"]["view"] = ["own", "same_project"]  # but not its teams and pool
    with pytest.raises(permissions.MatrixError, match="teams and pool"):
        permissions.validate(data)
    data = copy.deepcopy(MATRIX)
    data["roles"]["consultant"]["sensitive"] = []  # edits what it may not read
    with pytest.raises(permissions.MatrixError, match="sensitive"):
        permissions.validate(data)
    data = copy.deepcopy(MATRIX)
    data["fields"]["phone_full"] = ["own", "the_whole_office"]
    with pytest.raises(permissions.MatrixError, match="phone_full"):
        permissions.validate(data)


def test_permissions_doc_is_rendered_from_the_matrix():
    from django.conf import settings

    from anchang.permissions_doc import render

    path = settings.REPO_DIR / "docs" / "permissions.md"
    assert path.read_text(encoding="utf-8") == render(), "run `anchang permissions_doc`"


@pytest.mark.parametrize("role", ROLES)
def test_actor_may_agrees_with_the_scoped_query(world, role):
    """actor_may decides from the row in hand (project and owner), without a query; for
    every action and relation it must answer what the scoped query answers."""
    actor, customers, _targets = _setup(world, role)
    unowned = world.customer(world.p1, None, f"无归属客户{role}")
    for action in ACTIONS:
        for relation, customer in [*customers.items(), ("unowned", unowned)]:
            expected = customers_for(actor, action).filter(pk=customer.pk).exists()
            assert actor_may(actor, action, customer) is expected, (action, relation)


def test_a_team_and_pool_reader_sees_those_and_no_more(world, monkeypatch):
    """No shipped role reads its team's or its pool's customers without the whole project,
    but the file may say so (a team leader, say): the query and the in-hand check must then
    reach exactly the team's and the pool's customers."""
    import copy

    data = copy.deepcopy(MATRIX)
    data["roles"]["consultant"]["list"] = ["own", "same_team", "pool"]
    permissions.validate(data)
    monkeypatch.setattr(permissions, "matrix", lambda: data)
    actor, customers, _targets = _setup(world, "consultant")
    listed = set(customers_for(actor, "list").values_list("pk", flat=True))
    expected = {customers[r].pk for r in ("own", "same_team", "pool")}
    assert listed == expected
    for relation, customer in customers.items():
        assert actor_may(actor, "list", customer) is (customer.pk in expected), relation
    # a teammate who leaves the team takes their customers out of the actor's reach
    Membership.objects.filter(user=world.consultants["p1"][0]).update(team=None)
    forget_grants(actor)  # as a new request would: grants and teams are read per request
    assert customers["same_team"].pk not in customers_for(actor, "list").values_list(
        "pk", flat=True
    )
    assert not actor_may(actor, "list", customers["same_team"])


def test_sensitive_fields_are_withheld_field_by_field(world, client, api_client):
    """A planner may view the project's customers but not their income, assets and family:
    every sensitive field is empty in the API (and named in restricted_fields) and reads
    "restricted" on the card, whatever it holds; the owner reads them all."""
    planner = world.grant(make_user("planner-s"), Role.PLANNER)
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "孙女士")
    values = {
        "personal_income_band": "30_50", "family_income_band": "100_plus", "cars": "宝马X5",
        "investments": "基金两百万", "other_property": "海南一套",
        "family_structure": "three_generations", "spouse_info": "配偶在海关工作",
        "children_info": "女儿读高二", "money_holder": "spouse", "decision_maker": "self",
    }  # fmt: skip
    assert set(values) == set(permissions.sensitive_fields())
    Customer.objects.filter(pk=customer.pk).update(**values)
    for name in values:  # every field named in the file is a real customer field
        Customer._meta.get_field(name)

    api_client.force_authenticate(planner)
    body = api_client.get(reverse("api:customer", args=[customer.pk])).json()
    assert body["restricted_fields"] == sorted(values)
    assert all(body[name] == "" for name in values)
    client.force_login(planner)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    for text in ("宝马X5", "基金两百万", "海南一套", "配偶在海关工作", "女儿读高二"):
        assert text not in page
    assert page.count("无权查看") == len(values)

    api_client.force_authenticate(owner)
    body = api_client.get(reverse("api:customer", args=[customer.pk])).json()
    assert body["restricted_fields"] == []
    assert {name: body[name] for name in values} == values


def test_the_completeness_hint_names_no_field_the_reader_may_not_read(world, client):
    """The hints "would raise it most" and "required but empty" name empty fields: a reader
    kept from the family group must not learn from them that the family structure is empty."""
    import re

    from anchang.customers.profile import field_label as _field_label

    planner = world.grant(make_user("planner-h"), Role.PLANNER)
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "钱先生")
    # a first visitor: the family structure is required, and weighs among the most
    Customer.objects.filter(pk=customer.pk).update(visit_count=1, family_structure="")
    label = str(_field_label("family_structure"))

    def hint(user) -> str:
        client.force_login(user)
        page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
        return re.search(r'data-testid="completeness".*?</section>', page, re.S).group(0)

    assert label in hint(owner)
    shown = hint(planner)
    assert "required-missing" in shown  # the hint is still there, with the fields it may name
    for name in permissions.sensitive_fields():
        assert str(_field_label(name)) not in shown, name


def test_a_managers_list_reads_the_team_once_not_per_row(world, api_client):
    """The phone a list row shows depends on how its customer stands to the reader (own,
    teammate's, ...): a manager's list of teammates' customers costs the same queries for
    3 rows as for 13."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actor, _customers, _targets = _setup(world, "manager")
    mate = world.consultants["p1"][0]

    def queries() -> int:
        api_client.force_authenticate(type(actor).objects.get(pk=actor.pk))  # a new request
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(reverse("api:customers")).status_code == 200
        return len(captured)

    before = queries()
    for i in range(10):
        world.customer(world.p1, mate, f"同组客户{i}")
    assert queries() == before
