"""deals: the API door. Each trade's flow walked through the endpoints (the same services as
the pages), and bad input answered with a clear 4xx in the one error body, never a 500, with
nothing changed in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.customers.services import customer_create
from anchang.deals import services
from anchang.deals.models import (
    Approval,
    Building,
    Deal,
    Dispatch,
    MilestoneTask,
    PaymentLine,
    Receipt,
    StageChange,
    Unit,
)
from anchang.org.models import Role, User
from anchang.org.services import membership_grant
from tests.conftest import make_user, next_phone
from tests.deals.helpers import building, office, vehicle

HUGE = "9" * 30  # far above any column
ABOVE_ID_MAX = str(2**63)  # one above a BigAutoField
ID_MAX = str(2**63 - 1)  # fits the column; no such row
# Amounts that are not an amount: below or at zero, not a number, an exponent, full-width
# digits, 3 decimals, too long; and JSON values of the wrong type.
BAD_AMOUNTS = [
    "-1", "-0.01", "0", "0.00", "abc", "1e30", "1E5", "１００", "1.001", "NaN", "Infinity",
    "12,34.5.6", " ", "", "9" * 25, 1e30, -5, 0, True, [], {}, None,
]  # fmt: skip


def _flat(o, floor: int = 1, position: int = 1) -> Unit:
    """A flat of the office's building (built on first use: 3 floors of 2, 2,000,000 yuan)."""
    b = Building.objects.filter(project=o.project).first() or building(o)
    return Unit.objects.get(building=b, floor=floor, position=position)


def _post(api, url, data=None, **kw):
    return api.post(url, data if data is not None else {}, format="json", **kw)


def _error(response, status: int | tuple[int, ...], code: str | None = None) -> dict:
    """The one error body, with a message to show and the status asked for."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"].strip()
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body


def _state() -> dict:
    """What a refused request must leave as it was."""
    return {
        "deals": list(Deal.objects.order_by("pk").values_list(
            "pk", "stage", "is_active", "deal_price", "received_total", "planned_total",
            "discount_approved", "designer_id", "version",
        )),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "status", "version")),
        "customers": list(Customer.objects.order_by("pk").values_list("pk", "state", "version")),
        "receipts": Receipt.objects.count(),
        "plan": list(PaymentLine.objects.order_by("pk").values_list("deal_id", "kind", "amount")),
        "approvals": list(Approval.objects.order_by("pk").values_list("pk", "status")),
        "stage_changes": StageChange.objects.count(),
        "dispatches": list(Dispatch.objects.order_by("pk").values_list("pk", "status")),
        "tasks": MilestoneTask.objects.count(),
    }  # fmt: skip


def _subscribe_body(customer, unit=None, **overrides) -> dict:
    body = {"customer": customer.pk, "deal_price": "2000000", "payment_method": "full"}
    if unit is not None:
        body["unit"] = unit.pk
    body.update(overrides)
    return body


def _deal_via_api(api, o, customer=None, unit=None, **overrides) -> dict:
    """A subscription through the API, as the office's consultant; the deal's JSON."""
    customer = customer or _customer(o)
    unit = unit or _flat(o)
    api.force_authenticate(o.consultant)
    body = _subscribe_body(customer, unit, **{"deposit": "50000", **overrides})
    response = _post(api, reverse("api:deals"), body)
    assert response.status_code == 201, response.content
    return response.json()


_names = iter(f"客户{i}" for i in range(10_000))


def _customer(o, owner=None) -> Customer:
    """A customer of the office's project, owned by its consultant (or `owner`)."""
    owner = owner or o.consultant
    return customer_create(actor=owner, project=o.project, name=next(_names), phone=next_phone(),
                           owner=owner)  # fmt: skip


def _today():
    return timezone.localdate().isoformat()


# --- 1. real estate: hold, subscribe, approve, plan, receipts, stages -----------------------


def test_real_estate_from_hold_to_handover(world, api_client):
    o = office(world)
    unit = _flat(o)
    assert unit.standard_price == 200_000_000  # 2,000,000 yuan
    customer = _customer(o)
    api = api_client

    # the consultant holds the unit for the customer
    api.force_authenticate(o.consultant)
    held = _post(api, reverse("api:unit-hold", args=[unit.pk]), {"customer": customer.pk})
    assert held.status_code == 200, held.content
    assert held.json()["status"] == "held" and held.json()["standard_price"] == "2000000.00"
    assert held.json()["floor_price"] is None  # a consultant does not keep the catalogue

    # and subscribes: 2 % off (above the 1 % limit), a mortgage, a deposit
    response = _post(api, reverse("api:deals"), {
        "customer": customer.pk, "unit": unit.pk, "deal_price": "1960000",
        "payment_method": "mortgage", "bank": "建设银行", "loan_amount": "1000000",
        "loan_years": 20, "deposit": "50000", "idempotency_key": "api-re-1",
    })  # fmt: skip
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["stage"] == "subscription" and deal["unit"] == unit.pk
    assert deal["deal_price"] == "1960000.00" and deal["standard_price"] == "2000000.00"
    assert deal["loan_amount"] == "1000000.00" and deal["loan_years"] == 20
    assert deal["discount_permille"] == 20 and deal["discount_approved"] is False
    assert deal["planned_total"] == "50000.00" and deal["outstanding"] == "50000.00"
    assert deal["received_total"] == "0.00"
    assert deal["consultant"] == o.consultant.pk and deal["customer"] == customer.pk
    pk = deal["id"]
    # a retry with the same key answers the same deal
    again = _post(api, reverse("api:deals"), {
        "customer": customer.pk, "unit": unit.pk, "deal_price": "1960000",
        "payment_method": "mortgage", "bank": "建设银行", "loan_amount": "1000000",
        "loan_years": 20, "deposit": "50000", "idempotency_key": "api-re-1",
    })  # fmt: skip
    assert again.status_code == 201 and again.json()["id"] == pk
    assert Deal.objects.filter(unit=unit).count() == 1

    detail = api.get(reverse("api:deal", args=[pk]))
    assert detail.status_code == 200
    body = detail.json()
    assert "congratulate" in {t["key"] for t in body["tasks"]}
    assert all(t["assignee"] == o.consultant.pk for t in body["tasks"])
    assert body["plan"] == [{"kind": "deposit", "due_on": _today(), "amount": "50000.00"}]
    assert [(a["kind"], a["status"]) for a in body["approvals"]] == [("discount", "pending")]
    assert body["timeline"][0]["stage"] == "subscription"
    listed = api.get(reverse("api:deals"))
    assert listed.status_code == 200 and pk in [d["id"] for d in listed.json()["results"]]
    assert Unit.objects.get(pk=unit.pk).status == "subscribed"
    assert Customer.objects.get(pk=customer.pk).state == "subscribed"

    # the discount holds the deal until a manager approves it; the consultant decides nothing
    _error(_post(api, reverse("api:deal-move", args=[pk]), {"to": "signing"}), 409,
           "discount_needs_approval")  # fmt: skip
    assert api.get(reverse("api:approvals")).json() == []
    approval_id = body["approvals"][0]["id"]
    _error(_post(api, reverse("api:approval-decide", args=[approval_id]),
                 {"decision": "approve"}), 404)  # fmt: skip

    api.force_authenticate(o.manager)
    waiting = api.get(reverse("api:approvals"))
    assert waiting.status_code == 200
    [row] = [a for a in waiting.json() if a["deal"] == pk]
    assert row["id"] == approval_id and row["kind"] == "discount"
    assert row["payload"]["permille"] == 20 and row["requested_by"] == o.consultant.pk
    decided = _post(api, reverse("api:approval-decide", args=[approval_id]),
                    {"decision": "approve", "comment": "同意"})  # fmt: skip
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved" and decided.json()["decided_by"] == o.manager.pk
    _error(_post(api, reverse("api:approval-decide", args=[approval_id]),
                 {"decision": "approve"}), 404)  # fmt: skip
    # decided: no longer pending, so no longer found
    assert api.get(reverse("api:deal", args=[pk])).json()["discount_approved"] is True

    # the clerk sets the plan and records two receipts; the consultant may do neither
    today = timezone.localdate()
    plan = {"lines": [
        {"kind": "deposit", "due_on": today.isoformat(), "amount": "50000"},
        {"kind": "instalment", "due_on": (today + timedelta(days=30)).isoformat(),
         "amount": "910000.50"},
    ]}  # fmt: skip
    api.force_authenticate(o.consultant)
    _error(api.put(reverse("api:deal-plan", args=[pk]), plan, format="json"), 403)
    _error(_post(api, reverse("api:deal-receipts", args=[pk]),
                 {"amount": "1", "method": "pos", "voucher": "X"}), 403)  # fmt: skip
    api.force_authenticate(o.clerk)
    put = api.put(reverse("api:deal-plan", args=[pk]), plan, format="json")
    assert put.status_code == 200, put.content
    assert put.json()["planned_total"] == "960000.50"
    assert sorted((p["kind"], p["amount"]) for p in put.json()["plan"]) == [
        ("deposit", "50000.00"), ("instalment", "910000.50"),
    ]  # fmt: skip
    first = _post(api, reverse("api:deal-receipts", args=[pk]),
                  {"amount": "50000", "method": "pos", "voucher": "POS-0001"})  # fmt: skip
    assert first.status_code == 201, first.content
    assert first.json()["amount"] == "50000.00" and first.json()["recorded_by"] == o.clerk.pk
    assert first.json()["received_on"] == _today()
    second = _post(api, reverse("api:deal-receipts", args=[pk]), {
        "amount": "300000.25", "method": "transfer", "voucher": "TR-0002",
        "received_on": (today - timedelta(days=1)).isoformat(), "idempotency_key": "r-2",
    })  # fmt: skip
    assert second.status_code == 201, second.content
    assert second.json()["amount"] == "300000.25"
    receipts = api.get(reverse("api:deal-receipts", args=[pk]))
    assert [r["amount"] for r in receipts.json()] == ["50000.00", "300000.25"]
    money = api.get(reverse("api:deal", args=[pk])).json()
    assert money["received_total"] == "350000.25" and money["outstanding"] == "610000.25"
    collections = api.get(reverse("api:collections"))
    assert collections.status_code == 200 and isinstance(collections.json(), list)

    # the stages: the consultant signs, the clerk files and records the loan, handover
    api.force_authenticate(o.consultant)
    moved = _post(api, reverse("api:deal-move", args=[pk]), {"to": "signing", "note": "已签约"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "signing"
    assert Customer.objects.get(pk=customer.pk).state == "owner"
    api.force_authenticate(o.clerk)
    for stage in ("filing", "loan"):
        moved = _post(api, reverse("api:deal-move", args=[pk]), {"to": stage})
        assert moved.status_code == 200, (stage, moved.content)
        assert moved.json()["stage"] == stage
        assert stage in {t["stage"] for t in moved.json()["timeline"]}
    api.force_authenticate(o.consultant)
    moved = _post(api, reverse("api:deal-move", args=[pk]), {"to": "handover"})
    assert moved.status_code == 200, moved.content
    final = moved.json()
    assert final["stage"] == "handover"
    assert sorted(t["stage"] for t in final["timeline"]) == sorted(
        ["subscription", "signing", "filing", "loan", "handover"]
    )
    assert api.get(reverse("api:unit", args=[unit.pk])).json()["status"] == "sold"
    assert Unit.objects.get(pk=unit.pk).status == "sold"
    assert Customer.objects.get(pk=customer.pk).state == "owner"
    board = api.get(reverse("api:board"), {"project": o.project.pk, "building": unit.building_id})
    assert board.status_code == 200 and board.json()["counts"].get("sold") == 1
    assert {"id": unit.pk, "status": "sold"}.items() <= next(
        c for c in board.json()["units"] if c["id"] == unit.pk
    ).items()
    _error(_post(api, reverse("api:deal-move", args=[pk]), {"to": "handover"}), 409,
           "stage_already")  # fmt: skip


def test_who_may_move_what(world, api_client):
    """permissions.yaml: a consultant and a designer move their own deals, a clerk and a
    manager those of the project; care staff read them, and move none."""
    o = office(world)
    deal = _deal_via_api(api_client, o)
    care = make_user("p1-care", "客服")
    membership_grant(user=care, role=Role.CARE, company=world.company, project=o.project)
    api_client.force_authenticate(care)
    assert api_client.get(reverse("api:deal", args=[deal["id"]])).status_code == 200
    before = _state()
    _error(_post(api_client, reverse("api:deal-move", args=[deal["id"]]), {"to": "signing"}), 403)
    api_client.force_authenticate(o.colleague)  # another consultant: not even visible
    _error(_post(api_client, reverse("api:deal-move", args=[deal["id"]]), {"to": "signing"}), 404)
    assert _state() == before
    api_client.force_authenticate(o.manager)
    moved = _post(api_client, reverse("api:deal-move", args=[deal["id"]]), {"to": "signing"})
    assert moved.status_code == 200 and moved.json()["stage"] == "signing"


# --- 2. dealership: a vehicle ordered and delivered ------------------------------------------


def test_dealership_order_to_delivery(world, api_client):
    o = office(world, "p3")
    car = vehicle(o)
    customer = _customer(o)
    api_client.force_authenticate(o.consultant)
    units = api_client.get(reverse("api:units"), {"project": o.project.pk})
    assert units.status_code == 200
    [row] = [u for u in units.json()["results"] if u["id"] == car.pk]
    assert row["kind"] == "vehicle" and row["standard_price"] == "200000.00"
    assert row["model_name"] == "Model A"
    response = _post(api_client, reverse("api:deals"), {
        "customer": customer.pk, "unit": car.pk, "deal_price": "198000.00",
        "payment_method": "full", "deposit": "10000",
    })  # fmt: skip
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["stage"] == "order" and deal["discount_permille"] == 10
    assert deal["discount_approved"] is True  # 1 % is within the dealership's 2 %
    assert deal["plan"] == [{"kind": "deposit", "due_on": _today(), "amount": "10000.00"}]
    assert Unit.objects.get(pk=car.pk).status == "subscribed"
    _error(_post(api_client, reverse("api:deal-move", args=[deal["id"]]),
                 {"to": "first_service"}), 400, "stage_not_allowed")  # fmt: skip
    moved = _post(api_client, reverse("api:deal-move", args=[deal["id"]]), {"to": "delivery"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "delivery"
    assert "after_delivery" in {t["key"] for t in moved.json()["tasks"]}
    assert Unit.objects.get(pk=car.pk).status == "sold"
    assert Customer.objects.get(pk=customer.pk).state == "owner"
    moved = _post(api_client, reverse("api:deal-move", args=[deal["id"]]), {"to": "first_service"})
    assert moved.status_code == 200 and moved.json()["stage"] == "first_service"


# --- 3. home improvement: an order, its dispatch, the designer's stages ----------------------


def _designers(world, o, n: int = 2):
    users = [o.designer]
    for i in range(1, n):
        user = make_user(f"api-designer{i}", f"设计师{i}")
        membership_grant(user=user, role=Role.DESIGNER, company=world.company, project=o.project)
        users.append(user)
    for i, user in enumerate(users):
        services.designer_profile_set(actor=o.manager, project=o.project, user=user,
                                      priority=10 * (i + 1), senior=i == 0)  # fmt: skip
    return users


def test_home_improvement_dispatch_and_the_designers_walk(world, api_client):
    o = office(world, "p2")
    first, second = _designers(world, o)
    package = services.unit_create(actor=o.manager, project=o.project, kind="package",
                                   code="PKG-1", standard_price="100000", floor_price="90000",
                                   name="全包套餐")  # fmt: skip
    customer = _customer(o)
    api = api_client
    api.force_authenticate(o.consultant)
    response = _post(api, reverse("api:deals"), {
        "customer": customer.pk, "package": package.pk, "deal_price": "98000",
        "payment_method": "full", "deposit": "2000",
    })  # fmt: skip
    assert response.status_code == 201, response.content
    deal = response.json()
    pk = deal["id"]
    assert deal["unit"] is None and deal["package"] == package.pk
    assert deal["stage"] == "deposit" and deal["designer"] is None
    assert deal["discount_approved"] is True  # 2 % is within home improvement's 5 %
    # an order without a package: the deal price is its standard price
    bare = _post(api, reverse("api:deals"), {
        "customer": _customer(o).pk, "deal_price": "50000", "payment_method": "full",
    })  # fmt: skip
    assert bare.status_code == 201, bare.content
    assert bare.json()["package"] is None and bare.json()["standard_price"] == "50000.00"
    # a consultant dispatches nothing
    assert api.get(reverse("api:dispatches")).json() == []

    api.force_authenticate(o.manager)
    queue = api.get(reverse("api:dispatches"))
    assert queue.status_code == 200
    [row] = [d for d in queue.json() if d["deal"] == pk]
    assert row["status"] == "proposed" and row["proposed"] == first.pk
    assert row["reasons"] and row["designer"] is None
    api.force_authenticate(o.consultant)
    _error(_post(api, reverse("api:dispatch-decide", args=[row["id"]])), 404)
    api.force_authenticate(o.manager)
    decided = _post(api, reverse("api:dispatch-decide", args=[row["id"]]))
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "confirmed" and decided.json()["designer"] == first.pk
    assert row["id"] not in [d["id"] for d in api.get(reverse("api:dispatches")).json()]
    _error(_post(api, reverse("api:dispatch-decide", args=[row["id"]])), 404)

    # the designer sees the order and walks it to completion; the other designer cannot
    api.force_authenticate(second)
    _error(api.get(reverse("api:deal", args=[pk])), 404)
    api.force_authenticate(first)
    card = api.get(reverse("api:deal", args=[pk]))
    assert card.status_code == 200 and card.json()["designer"] == first.pk
    for stage in ("measuring", "design_fee", "quote", "contract", "started", "completed"):
        moved = _post(api, reverse("api:deal-move", args=[pk]), {"to": stage})
        assert moved.status_code == 200, (stage, moved.content)
        assert moved.json()["stage"] == stage
    assert Deal.objects.get(pk=pk).stage == "completed"
    assert Customer.objects.get(pk=customer.pk).state == "owner"
    assert not Dispatch.objects.filter(deal_id=pk, status="proposed").exists()
    _error(_post(api, reverse("api:deal-move", args=[pk]), {"to": "measuring"}), 409,
           "stage_already")  # fmt: skip


def test_a_designer_refuses_an_order_through_the_api(world, api_client):
    o = office(world, "p2")
    first, second = _designers(world, o)
    api_client.force_authenticate(o.consultant)
    response = _post(api_client, reverse("api:deals"), {
        "customer": _customer(o).pk, "deal_price": "80000", "payment_method": "full",
        "deposit": "2000",
    })  # fmt: skip
    pk = response.json()["id"]
    dispatch = Dispatch.objects.get(deal_id=pk, status="proposed")
    api_client.force_authenticate(o.manager)
    # giving it to another designer needs a note
    _error(_post(api_client, reverse("api:dispatch-decide", args=[dispatch.pk]),
                 {"assign_to": second.pk}), 400)  # fmt: skip
    not_a_designer = {"assign_to": o.consultant.pk, "note": "试试"}
    _error(_post(api_client, reverse("api:dispatch-decide", args=[dispatch.pk]), not_a_designer),
           400, "not_a_designer")  # fmt: skip
    assert _post(api_client, reverse("api:dispatch-decide", args=[dispatch.pk])).status_code == 200
    api_client.force_authenticate(second)
    _error(_post(api_client, reverse("api:deal-refuse-order", args=[pk]), {"note": "不是我的"}),
           404)  # fmt: skip
    api_client.force_authenticate(first)
    _error(_post(api_client, reverse("api:deal-refuse-order", args=[pk]), {"note": ""}), 400)
    refused = _post(api_client, reverse("api:deal-refuse-order", args=[pk]), {"note": "档期已满"})
    assert refused.status_code == 201, refused.content
    assert refused.json()["status"] == "refused" and refused.json()["designer"] == first.pk
    assert Dispatch.objects.get(deal_id=pk, status="proposed").proposed_id == second.pk


# --- 4. bad input: a clear 4xx, the error body, nothing changed ------------------------------


def test_a_unit_already_subscribed_is_409_unit_taken(world, api_client):
    o = office(world)
    unit = _flat(o)
    _deal_via_api(api_client, o, unit=unit)
    theirs = _customer(o, owner=o.colleague)
    api_client.force_authenticate(o.colleague)
    before = _state()
    _error(_post(api_client, reverse("api:deals"), _subscribe_body(theirs, unit)), 409,
           "unit_taken")  # fmt: skip
    _error(_post(api_client, reverse("api:unit-hold", args=[unit.pk]), {"customer": theirs.pk}),
           409, "unit_taken")  # fmt: skip
    assert _state() == before
    assert Deal.objects.filter(unit=unit).count() == 1


def test_a_held_unit_is_taken_for_another_consultant(world, api_client):
    o = office(world)
    unit = _flat(o)
    api_client.force_authenticate(o.consultant)
    held = _post(api_client, reverse("api:unit-hold", args=[unit.pk]),
                 {"customer": _customer(o).pk})  # fmt: skip
    assert held.status_code == 200
    theirs = _customer(o, owner=o.colleague)
    api_client.force_authenticate(o.colleague)
    before = _state()
    _error(_post(api_client, reverse("api:deals"), _subscribe_body(theirs, unit)), 409,
           "unit_taken")  # fmt: skip
    _error(_post(api_client, reverse("api:unit-release", args=[unit.pk])), 409)
    assert _state() == before


@pytest.mark.parametrize(
    ("to", "status", "code"),
    [
        ("filing", 400, "stage_not_allowed"),  # skips signing
        ("loan", 400, "stage_not_allowed"),
        ("handover", 400, "stage_not_allowed"),
        ("delivery", 400, "unknown_stage"),  # a stage of another trade
        ("completed", 400, "unknown_stage"),
        ("subscription", 409, "stage_already"),
        ("nowhere", 400, "invalid"),  # no trade has it
        ("SIGNING", 400, "invalid"),
        ("ｓｉｇｎｉｎｇ", 400, "invalid"),
        ("", 400, "invalid"),
        (None, 400, "invalid"),
        (3, 400, "invalid"),
        (["signing"], 400, "invalid"),
    ],
)
def test_a_stage_the_table_does_not_allow(world, api_client, to, status, code):
    o = office(world)
    deal = _deal_via_api(api_client, o)
    before = _state()
    body = _error(_post(api_client, reverse("api:deal-move", args=[deal["id"]]), {"to": to}),
                  status, code)  # fmt: skip
    if status == 400:
        assert set(body["fields"]) & {"to", "stage"}, body
    assert _state() == before


def test_a_full_payment_goes_from_filing_to_handover_and_a_loan_does_not(world, api_client):
    o = office(world)
    loan = _deal_via_api(api_client, o, payment_method="mortgage", bank="工行",
                         loan_amount="1000000", loan_years=20)  # fmt: skip
    for stage in ("signing", "filing"):
        assert _post(api_client, reverse("api:deal-move", args=[loan["id"]]),
                     {"to": stage}).status_code == 200  # fmt: skip
    before = _state()
    body = _error(_post(api_client, reverse("api:deal-move", args=[loan["id"]]),
                        {"to": "handover"}), 400, "stage_not_allowed")  # fmt: skip
    assert "stage" in body["fields"]
    assert _state() == before
    full = _deal_via_api(api_client, o, unit=_flat(o, 1, 2))
    for stage in ("signing", "filing", "handover"):
        moved = _post(api_client, reverse("api:deal-move", args=[full["id"]]), {"to": stage})
        assert moved.status_code == 200, (stage, moved.content)
    _error(_post(api_client, reverse("api:deal-move", args=[full["id"]]), {"to": "loan"}), 409,
           "stage_already")  # fmt: skip


@pytest.mark.parametrize("value", BAD_AMOUNTS, ids=repr)
def test_a_bad_deal_price_is_400_and_nothing_is_made(world, api_client, value):
    o = office(world)
    unit = _flat(o)
    customer = _customer(o)
    api_client.force_authenticate(o.consultant)
    before = _state()
    body = _subscribe_body(customer, unit, deal_price=value)
    answer = _error(_post(api_client, reverse("api:deals"), body), 400)
    assert "deal_price" in answer["fields"], answer
    assert _state() == before
    assert not Deal.objects.exists() and Unit.objects.get(pk=unit.pk).status == "available"


@pytest.mark.parametrize("field", ["deposit", "loan_amount"])
@pytest.mark.parametrize("value", ["-1", "abc", "1e30", "１００", "1.001", 1e30, True])
def test_other_bad_amounts_of_a_subscription(world, api_client, field, value):
    o = office(world)
    unit = _flat(o)
    customer = _customer(o)
    api_client.force_authenticate(o.consultant)
    before = _state()
    loan = {"payment_method": "mortgage", "bank": "工行", "loan_amount": "1000000",
            "loan_years": 20}  # fmt: skip
    body = _subscribe_body(customer, unit, **{**loan, field: value})
    answer = _error(_post(api_client, reverse("api:deals"), body), 400)
    assert field in answer["fields"], answer
    assert _state() == before


@pytest.mark.parametrize("value", ["-1", "0", "abc", "1e30", "１００", "1.001", 1e30, True])
def test_a_bad_standard_price_of_an_order_without_a_package(world, api_client, value):
    o = office(world, "p2")
    customer = _customer(o)
    api_client.force_authenticate(o.consultant)
    before = _state()
    body = {"customer": customer.pk, "deal_price": "50000", "standard_price": value,
            "payment_method": "full"}  # fmt: skip
    answer = _error(_post(api_client, reverse("api:deals"), body), 400)
    assert "standard_price" in answer["fields"], answer
    assert _state() == before


def _deal_as_clerk(api, o, deposit="50000") -> dict:
    """A deal whose plan is its deposit, and the client signed in as the project's clerk."""
    deal = _deal_via_api(api, o, deposit=deposit)
    api.force_authenticate(o.clerk)
    return deal


@pytest.mark.parametrize("value", BAD_AMOUNTS, ids=repr)
def test_a_bad_receipt_amount_is_400_and_nothing_is_recorded(world, api_client, value):
    o = office(world)
    deal = _deal_as_clerk(api_client, o)
    before = _state()
    body = {"amount": value, "method": "pos", "voucher": "V-1"}
    answer = _error(_post(api_client, reverse("api:deal-receipts", args=[deal["id"]]), body), 400)
    assert "amount" in answer["fields"], answer
    assert _state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "1", "method": "bitcoin", "voucher": "V"},
        {"amount": "1", "method": "pos", "voucher": ""},
        {"amount": "1", "method": "pos", "voucher": "V" * 41},
        {"amount": "1", "method": "pos"},
        {"amount": "1", "method": "pos", "voucher": "V", "received_on": "2999-01-01"},
        {"amount": "1", "method": "pos", "voucher": "V", "received_on": "昨天"},
        {"amount": "1", "method": "pos", "voucher": "V", "received_on": "2020-01-01"},
    ],
    ids=[
        "method",
        "blank-voucher",
        "long-voucher",
        "no-voucher",
        "future",
        "not-a-date",
        "too-old",
    ],
)
def test_other_bad_receipts(world, api_client, body):
    o = office(world)
    deal = _deal_as_clerk(api_client, o)
    before = _state()
    _error(_post(api_client, reverse("api:deal-receipts", args=[deal["id"]]), body), 400)
    assert _state() == before


def test_a_receipt_beyond_what_is_outstanding_is_overpaid(world, api_client):
    o = office(world)
    deal = _deal_as_clerk(api_client, o, deposit="50000")
    url = reverse("api:deal-receipts", args=[deal["id"]])
    before = _state()
    answer = _error(_post(api_client, url, {"amount": "50000.01", "method": "pos",
                                            "voucher": "V-1"}), 400, "overpaid")  # fmt: skip
    assert "amount" in answer["fields"] and "50,000.00" in answer["message"]
    assert _state() == before
    assert _post(api_client, url, {"amount": "20000", "method": "pos",
                                   "voucher": "V-2"}).status_code == 201  # fmt: skip
    before = _state()
    _error(_post(api_client, url, {"amount": "30000.01", "method": "pos", "voucher": "V-3"}),
           400, "overpaid")  # fmt: skip
    _error(_post(api_client, url, {"amount": "1", "method": "pos", "voucher": "V-2"}), 409,
           "voucher_used")  # fmt: skip
    assert _state() == before
    assert _post(api_client, url, {"amount": "30000", "method": "pos",
                                   "voucher": "V-4"}).status_code == 201  # fmt: skip
    deal_now = api_client.get(reverse("api:deal", args=[deal["id"]])).json()
    assert deal_now["received_total"] == "50000.00" and deal_now["outstanding"] == "0.00"
    _error(_post(api_client, url, {"amount": "0.01", "method": "pos", "voucher": "V-5"}), 400,
           "overpaid")  # fmt: skip


@pytest.mark.parametrize(
    "lines",
    [
        [{"kind": "deposit", "due_on": "2030-01-01", "amount": "-1"}],
        [{"kind": "deposit", "due_on": "2030-01-01", "amount": "0"}],
        [{"kind": "deposit", "due_on": "2030-01-01", "amount": "1e30"}],
        [{"kind": "deposit", "due_on": "2030-01-01", "amount": "１００"}],
        [{"kind": "deposit", "due_on": "2030-01-01", "amount": "1.001"}],
        [{"kind": "deposit", "due_on": "2030-01-01", "amount": "99999999"}],  # above the price
        [{"kind": "gift", "due_on": "2030-01-01", "amount": "1"}],
        [{"kind": "deposit", "due_on": "soon", "amount": "1"}],
        [],
    ],
    ids=[
        "negative",
        "zero",
        "exponent",
        "full-width",
        "3-decimals",
        "above-price",
        "kind",
        "date",
        "empty",
    ],
)
def test_a_bad_plan_is_400_and_the_plan_stays(world, api_client, lines):
    o = office(world)
    deal = _deal_as_clerk(api_client, o)
    before = _state()
    answer = _error(api_client.put(reverse("api:deal-plan", args=[deal["id"]]), {"lines": lines},
                                   format="json"), 400)  # fmt: skip
    assert any(k.startswith("lines") for k in answer["fields"]), answer
    assert _state() == before


@pytest.mark.parametrize(
    "line",
    [
        {"kind": "deposit", "due_on": "2030-01-01", "amount": "1", "note": "x"},
        {"kind": "deposit", "due_on": "2030-01-01"},
        {"kind": "deposit", "due_on": "2030-01-01", "amount": "1" * 21},
        {"kind": "gift", "due_on": "2030-01-01", "amount": "1"},
        {"kind": "deposit", "due_on": "2030-02-30", "amount": "1"},
        {"kind": "deposit", "due_on": "2030-01-01", "amount": "１００"},
    ],
    ids=["unknown-field", "missing-amount", "too-long", "kind", "date", "full-width"],
)
def test_a_bad_plan_line_names_its_field(world, api_client, line):
    """The line and the field: `lines.0.amount`, with a message."""
    o = office(world)
    deal = _deal_as_clerk(api_client, o)
    before = _state()
    answer = _error(api_client.put(reverse("api:deal-plan", args=[deal["id"]]),
                                   {"lines": [line]}, format="json"), 400)  # fmt: skip
    assert _state() == before
    named = {k: v for k, v in answer["fields"].items() if k.startswith("lines")}
    assert any(k.startswith("lines.0.") and v.strip() for k, v in named.items()), answer


def test_a_body_id_in_unicode_digits_is_400(world, api_client):
    o = office(world)
    unit = _flat(o)
    customer = _customer(o)
    arabic = str(customer.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    api_client.force_authenticate(o.consultant)
    before = _state()
    answer = _error(_post(api_client, reverse("api:unit-hold", args=[unit.pk]),
                          {"customer": arabic}), 400)  # fmt: skip
    assert "customer" in answer["fields"]
    assert _state() == before


def test_another_consultants_deal_is_404(world, api_client):
    o = office(world)
    deal = _deal_via_api(api_client, o)
    pk = deal["id"]
    api_client.force_authenticate(o.colleague)
    before = _state()
    _error(api_client.get(reverse("api:deal", args=[pk])), 404, "not_found")
    _error(_post(api_client, reverse("api:deal-move", args=[pk]), {"to": "signing"}), 404)
    _error(api_client.get(reverse("api:deal-receipts", args=[pk])), 404)
    _error(_post(api_client, reverse("api:deal-receipts", args=[pk]),
                 {"amount": "1", "method": "pos", "voucher": "V"}), 404)  # fmt: skip
    plan = {"lines": [{"kind": "deposit", "due_on": "2030-01-01", "amount": "1"}]}
    _error(api_client.put(reverse("api:deal-plan", args=[pk]), plan, format="json"), 404)
    _error(_post(api_client, reverse("api:deal-request", args=[pk]),
                 {"kind": "cancel", "reason": "不要了"}), 404)  # fmt: skip
    _error(_post(api_client, reverse("api:deal-refund", args=[pk]),
                 {"amount": "1", "reason": "退"}), 404)  # fmt: skip
    assert pk not in [d["id"] for d in api_client.get(reverse("api:deals")).json()["results"]]
    # a consultant of another project, too
    api_client.force_authenticate(world.consultants["p3"][0])
    _error(api_client.get(reverse("api:deal", args=[pk])), 404)
    assert _state() == before


DEAL_ROUTES = [
    ("get", "api:deal"), ("post", "api:deal-move"), ("get", "api:deal-receipts"),
    ("post", "api:deal-receipts"), ("put", "api:deal-plan"), ("post", "api:deal-request"),
    ("post", "api:deal-refund"), ("post", "api:deal-refuse-order"), ("get", "api:unit"),
    ("post", "api:unit-hold"), ("post", "api:unit-release"), ("post", "api:approval-decide"),
    ("post", "api:dispatch-decide"),
]  # fmt: skip


BAD_PATH_IDS = [HUGE, ABOVE_ID_MAX, ID_MAX, "-1", "0", "00", "²", "١٢٣", "１", "1.5", "1e3"]


@pytest.mark.parametrize(("method", "name"), DEAL_ROUTES)
def test_path_ids_that_are_no_id_are_404(world, api_client, method, name):
    o = office(world)
    _deal_via_api(api_client, o)
    api_client.force_authenticate(o.manager)
    before = _state()
    for pk in BAD_PATH_IDS:
        url = reverse(name, args=[1]).replace("/1/", f"/{pk}/", 1)
        response = getattr(api_client, method)(url, {}, format="json")
        _error(response, 404)
    assert _state() == before


BAD_QUERY_IDS = [HUGE, ABOVE_ID_MAX, "-1", "0", "²", "١٢٣", "1.5", "1e3", "abc", "", " "]


@pytest.mark.parametrize(
    ("name", "param"),
    [
        ("api:board", "project"), ("api:board", "building"), ("api:units", "project"),
        ("api:units", "building"), ("api:deals", "project"), ("api:deals", "consultant"),
        ("api:deals", "building"), ("api:contract-forms", "project"),
    ],
)  # fmt: skip
def test_query_ids_that_are_no_id_are_400(world, api_client, name, param):
    o = office(world)
    building(o)
    api_client.force_authenticate(o.manager)
    for value in BAD_QUERY_IDS:
        response = api_client.get(reverse(name), {param: value})
        if value == "" and name == "api:deals":
            assert response.status_code == 200  # an empty filter is no filter
            continue
        body = _error(response, 400)
        assert param in body["fields"], (value, body)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("api:board", {"project": "p3"}), ("api:board", {"building": ID_MAX}),
        ("api:units", {"project": "p3"}), ("api:contract-forms", {"project": "p3"}),
        ("api:contract-forms", {"project": ID_MAX}), ("api:board", {"project": ID_MAX}),
    ],
)  # fmt: skip
def test_query_ids_of_nothing_you_see_are_404(world, api_client, name, params):
    o = office(world)
    building(o)
    api_client.force_authenticate(o.manager)
    params = {k: (world.p3.pk if v == "p3" else v) for k, v in params.items()}
    _error(api_client.get(reverse(name), params), 404)


def test_a_deal_list_filtered_by_a_bad_stage_is_400(world, api_client):
    o = office(world)
    api_client.force_authenticate(o.consultant)
    for stage in ("nowhere", "ｓｉｇｎｉｎｇ"):
        _error(api_client.get(reverse("api:deals"), {"stage": stage}), 400)


def _bodies(o, deal, unit, customer):
    """Each POST/PUT door of the deals API with a valid body."""
    return [
        ("post", reverse("api:deals"), _subscribe_body(customer, unit)),
        ("post", reverse("api:unit-hold", args=[unit.pk]), {"customer": customer.pk}),
        ("post", reverse("api:deal-move", args=[deal["id"]]), {"to": "signing"}),
        ("post", reverse("api:deal-receipts", args=[deal["id"]]),
         {"amount": "1", "method": "pos", "voucher": "V"}),
        ("put", reverse("api:deal-plan", args=[deal["id"]]),
         {"lines": [{"kind": "deposit", "due_on": "2030-01-01", "amount": "1"}]}),
        ("post", reverse("api:deal-request", args=[deal["id"]]),
         {"kind": "cancel", "reason": "客户退订"}),
        ("post", reverse("api:deal-refund", args=[deal["id"]]), {"amount": "1", "reason": "退"}),
        ("post", reverse("api:approval-decide", args=[deal["approvals"][0]["id"]]),
         {"decision": "approve"}),
        ("post", reverse("api:contract-forms"), {"project": o.project.pk, "first": 1, "count": 1}),
        ("post", reverse("api:contract-forms-move"),
         {"project": o.project.pk, "kind": "void", "numbers": ["1"]}),
    ]  # fmt: skip


def _admin(world):
    user = make_user("api-admin", "管理员")
    return world.grant(user, Role.ADMIN)


@pytest.mark.parametrize("shape", ["list", "unknown"])
def test_a_body_that_is_a_list_or_has_an_unknown_field_is_400(world, api_client, shape):
    o = office(world)
    deal = _deal_via_api(api_client, o, deal_price="1900000")  # 5 % off: an approval
    unit = _flat(o, 2, 1)
    customer = _customer(o, owner=o.manager)
    api_client.force_authenticate(_admin(world))
    for method, url, body in _bodies(o, deal, unit, customer):
        before = _state()
        if shape == "list":
            sent, field = [body], "non_field_errors"
        else:
            sent, field = {**body, "discount_approved": True}, "discount_approved"
        answer = _error(getattr(api_client, method)(url, sent, format="json"), 400)
        assert field in answer["fields"], (url, answer)
        assert _state() == before, url


def test_bodies_that_are_not_objects_are_400(world, api_client):
    o = office(world)
    deal = _deal_via_api(api_client, o)
    api_client.force_authenticate(o.consultant)
    url = reverse("api:deal-move", args=[deal["id"]])
    before = _state()
    for raw in ('"signing"', "42", "null", "true", '[{"to": "signing"}]', "{", '{"to": '):
        response = api_client.post(url, raw, content_type="application/json")
        _error(response, 400)
    assert _state() == before


def test_bad_decisions_are_400(world, api_client):
    o = office(world)
    deal = _deal_via_api(api_client, o, deal_price="1900000")
    approval_id = deal["approvals"][0]["id"]
    url = reverse("api:approval-decide", args=[approval_id])
    api_client.force_authenticate(o.manager)
    before = _state()
    for body in ({}, {"decision": "maybe"}, {"decision": "reject"}, {"decision": True},
                 {"decision": "reject", "comment": "x" * 301}):  # fmt: skip
        _error(_post(api_client, url, body), 400)
    assert _state() == before
    rejected = _post(api_client, url, {"decision": "reject", "comment": "折扣太大"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert Deal.objects.get(pk=deal["id"]).discount_approved is False


def test_nobody_decides_the_cancellation_they_asked_for(world, api_client):
    o = office(world)
    deal = _deal_via_api(api_client, o)
    api_client.force_authenticate(o.manager)
    asked = _post(api_client, reverse("api:deal-request", args=[deal["id"]]),
                  {"kind": "cancel", "reason": "客户资金问题，要求退订"})  # fmt: skip
    assert asked.status_code == 201, asked.content
    approval = asked.json()
    assert approval["kind"] == "cancel" and approval["status"] == "pending"
    assert approval["requested_by"] == o.manager.pk
    assert approval["id"] in [a["id"] for a in api_client.get(reverse("api:approvals")).json()]
    before = _state()
    _error(_post(api_client, reverse("api:approval-decide", args=[approval["id"]]),
                 {"decision": "approve"}), 403, "own_request")  # fmt: skip
    assert _state() == before
    assert Deal.objects.get(pk=deal["id"]).is_active
    # another manager decides it: the deal ends and the unit returns to sale
    other = make_user("p1-manager2", "经理二")
    membership_grant(user=other, role=Role.MANAGER, company=world.company, project=o.project)
    api_client.force_authenticate(other)
    decided = _post(api_client, reverse("api:approval-decide", args=[approval["id"]]),
                    {"decision": "approve"})  # fmt: skip
    assert decided.status_code == 200, decided.content
    assert Deal.objects.get(pk=deal["id"]).is_active is False
    assert Unit.objects.get(pk=deal["unit"]).status == "available"
    # a cancelled deal moves no further
    _error(_post(api_client, reverse("api:deal-move", args=[deal["id"]]), {"to": "signing"}), 409,
           "deal_closed")  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "cancel"},
        {"kind": "cancel", "reason": ""},
        {"kind": "cancel", "reason": "  "},
        {"kind": "cancel", "reason": "x" * 301},
        {"kind": "elope", "reason": "x"},
        {"kind": "rename", "reason": "加名"},
        {"kind": "delay", "reason": "出差", "due_on": "2000-01-01"},
        {"kind": "reprice", "reason": "新价", "deal_price": "１００"},
        {"kind": "reprice", "reason": "新价", "deal_price": "-1"},
        {"kind": "change_unit", "reason": "换房", "unit": HUGE},
        {"kind": "change_unit", "reason": "换房", "unit": -1},
    ],
    ids=lambda b: "-".join(f"{k}={str(v)[:8]}" for k, v in b.items()),
)
def test_bad_requests_are_400(world, api_client, body):
    o = office(world)
    deal = _deal_via_api(api_client, o)
    before = _state()
    _error(_post(api_client, reverse("api:deal-request", args=[deal["id"]]), body), 400)
    assert _state() == before


def test_refunds_bad_amounts_and_a_deal_under_way(world, api_client):
    o = office(world)
    deal = _deal_as_clerk(api_client, o)
    paid = {"amount": "20000", "method": "pos", "voucher": "V-1"}
    assert (
        _post(api_client, reverse("api:deal-receipts", args=[deal["id"]]), paid).status_code == 201
    )
    url = reverse("api:deal-refund", args=[deal["id"]])
    before = _state()
    _error(_post(api_client, url, {"amount": "1", "reason": "退款"}), 409, "deal_not_cancelled")
    assert _state() == before
    cancel = services.deal_cancel_request(actor=o.consultant, deal=Deal.objects.get(
        pk=deal["id"]), reason="客户退订")  # fmt: skip
    services.approval_decide(actor=o.manager, approval=cancel, approve=True)
    before = _state()
    for value in ("-1", "0", "1e30", "１００", "1.001", "20000.01", True, None):
        answer = _error(_post(api_client, url, {"amount": value, "reason": "退款"}), 400)
        assert "amount" in answer["fields"], (value, answer)
    _error(_post(api_client, url, {"amount": "1", "reason": ""}), 400)
    assert _state() == before
    asked = _post(api_client, url, {"amount": "20000", "reason": "退订退定金"})
    assert asked.status_code == 201, asked.content
    assert asked.json()["kind"] == "refund" and asked.json()["payload"]["amount"] == 2_000_000


def test_a_subscription_with_a_stranger_or_missing_objects_is_refused(world, api_client):
    o = office(world)
    unit = _flat(o)
    mine = _customer(o)
    theirs = _customer(o, owner=o.colleague)
    other_project = world.customer(world.p3, None, "别的项目")
    api_client.force_authenticate(o.consultant)
    before = _state()
    cases = [
        (_subscribe_body(theirs, unit), (403, 404)),  # a colleague's customer
        (_subscribe_body(other_project, unit), 404),  # not visible
        (_subscribe_body(mine, None), 400),  # real estate needs a unit
        ({**_subscribe_body(mine, unit), "unit": int(ID_MAX)}, 404),
        ({**_subscribe_body(mine, unit), "customer": int(ID_MAX)}, 404),
        ({**_subscribe_body(mine, unit), "customer": int(ABOVE_ID_MAX)}, 400),
        ({**_subscribe_body(mine, unit), "unit": "²"}, 400),
        ({**_subscribe_body(mine, unit), "customer": -1}, 400),
        ({**_subscribe_body(mine, unit), "credit_to": int(ID_MAX)}, 400),
        ({**_subscribe_body(mine, unit), "payment_method": "barter"}, 400),
        ({**_subscribe_body(mine, unit), "payment_method": "mortgage"}, 400),  # no loan given
        ({**_subscribe_body(mine, unit), "loan_years": 31}, 400),
        ({**_subscribe_body(mine, unit), "due_on": "2000-01-01"}, 400),
        ({**_subscribe_body(mine, unit), "deposit": "2000001"}, 400),  # above the price
        ({**_subscribe_body(mine, unit), "buyer_name": "名" * 51}, 400),
        ({**_subscribe_body(mine, unit), "note": "x" * 301}, 400),
        ({"customer": mine.pk, "unit": unit.pk}, 400),
    ]  # fmt: skip
    for body, status in cases:
        _error(_post(api_client, reverse("api:deals"), body), status)
        assert _state() == before, body


def test_a_package_that_is_no_package_of_the_project_is_refused(world, api_client):
    o = office(world, "p2")
    customer = _customer(o)
    not_a_package = services.unit_create(actor=o.manager, project=o.project, kind="vehicle",
                                         code="V-1", standard_price="100000")  # fmt: skip
    flat_elsewhere = _flat(office(world, "p1"))
    api_client.force_authenticate(o.consultant)
    before = _state()
    body = {"customer": customer.pk, "deal_price": "1000", "payment_method": "full"}
    answer = _error(_post(api_client, reverse("api:deals"), {**body, "package": not_a_package.pk}),
                    400)  # fmt: skip
    assert "package" in answer["fields"]
    # a unit of a project whose board the consultant does not open is not found
    _error(_post(api_client, reverse("api:deals"), {**body, "package": flat_elsewhere.pk}), 404)
    assert _state() == before


def test_a_package_given_as_the_unit_is_refused_and_stays_on_sale(world, api_client):
    o = office(world, "p2")
    package = services.unit_create(actor=o.manager, project=o.project, kind="package",
                                   code="PKG-1", standard_price="100000")  # fmt: skip
    customer = _customer(o)
    api_client.force_authenticate(o.consultant)
    before = _state()
    body = {"customer": customer.pk, "unit": package.pk, "deal_price": "100000",
            "payment_method": "full"}  # fmt: skip
    response = _post(api_client, reverse("api:deals"), body)
    assert Unit.objects.get(pk=package.pk).status == "available"
    answer = _error(response, 400)
    assert "unit" in answer["fields"]
    assert _state() == before


def test_credit_to_must_be_a_consultant_of_the_project(world, api_client):
    o = office(world)
    customer = _customer(o, owner=o.manager)
    stranger = world.consultants["p3"][0]
    flat = _flat(o)
    api_client.force_authenticate(o.manager)
    before = _state()
    body = {**_subscribe_body(customer, flat), "credit_to": stranger.pk}
    answer = _error(_post(api_client, reverse("api:deals"), body), 400)
    assert "credit_to" in answer["fields"]
    assert _state() == before


def _named_person_doors(world, api, o, home):
    """Each door of the deals API that names a staff member by id, as a function of the id:
    (its field, the response)."""
    customer, flat = _customer(o, owner=o.manager), _flat(o)
    admin = _admin(world)
    api.force_authenticate(admin)
    _post(api, reverse("api:contract-forms"), {"project": o.project.pk, "first": 1, "count": 2})
    _designers(world, home)
    api.force_authenticate(home.consultant)
    subscribed = _post(api, reverse("api:deals"), {
        "customer": _customer(home).pk, "deal_price": "80000", "payment_method": "full",
    })  # fmt: skip
    dispatch = Dispatch.objects.get(deal_id=subscribed.json()["id"], status="proposed")

    def as_(user, url, body):
        api.force_authenticate(user)
        return _post(api, url, body)

    return [
        ("credit_to", lambda pk: as_(o.manager, reverse("api:deals"),
                                     {**_subscribe_body(customer, flat), "credit_to": pk})),
        ("stand_in", lambda pk: as_(o.manager, reverse("api:deals"),
                                    {**_subscribe_body(customer, flat), "stand_in": pk})),
        ("holder", lambda pk: as_(admin, reverse("api:contract-forms-move"),
                                  {"project": o.project.pk, "kind": "issued",
                                   "numbers": ["1"], "holder": pk})),
        ("assign_to", lambda pk: as_(home.manager,
                                     reverse("api:dispatch-decide", args=[dispatch.pk]),
                                     {"assign_to": pk, "note": "换人"})),
    ]  # fmt: skip


def test_a_person_named_by_id_is_refused_alike_if_a_stranger_or_nobody(world, api_client):
    """Every field that names a staff member by id (credit_to, stand_in, holder, assign_to):
    the service decides who may be named, and an id nobody has gets the stranger's answer,
    so the API does not tell which ids exist."""
    o, home = office(world), office(world, "p2")
    stranger = world.consultants["p3"][0]
    nobody = User.objects.order_by("-pk").first().pk + 1000
    for field, door in _named_person_doors(world, api_client, o, home):
        before = _state()
        answers = [_error(door(pk), 400) for pk in (stranger.pk, nobody)]
        assert field in answers[0]["fields"], (field, answers[0])
        assert answers[0] == answers[1], field
        assert _state() == before, field


def test_a_manager_credits_a_deal_to_a_consultant_of_the_project(world, api_client):
    o = office(world)
    customer = _customer(o, owner=o.manager)
    api_client.force_authenticate(o.manager)
    body = {**_subscribe_body(customer, _flat(o)), "credit_to": o.colleague.pk,
            "stand_in": o.consultant.pk}  # fmt: skip
    response = _post(api_client, reverse("api:deals"), body)
    assert response.status_code == 201, response.content
    assert response.json()["consultant"] == o.colleague.pk
    assert response.json()["stand_in"] == o.consultant.pk


def test_an_overdue_payment_is_on_the_collections_list(world, api_client):
    o = office(world)
    deal = _deal_as_clerk(api_client, o)
    today = timezone.localdate()
    plan = {"lines": [
        {"kind": "deposit", "due_on": (today - timedelta(days=10)).isoformat(), "amount": "50000"},
        {"kind": "down_payment", "due_on": (today + timedelta(days=20)).isoformat(),
         "amount": "550000"},
    ]}  # fmt: skip
    put = api_client.put(reverse("api:deal-plan", args=[deal["id"]]), plan, format="json")
    assert put.status_code == 200, put.content
    assert put.json()["collect_due_on"] == (today - timedelta(days=10)).isoformat()
    rows = api_client.get(reverse("api:collections"))
    assert rows.status_code == 200
    [row] = [r for r in rows.json() if r["id"] == deal["id"]]
    assert row["outstanding"] == "600000.00"
    overdue = api_client.get(reverse("api:deals"), {"overdue": "true"})
    assert deal["id"] in [d["id"] for d in overdue.json()["results"]]
    # paid up to the overdue line: off the list
    assert (
        _post(
            api_client,
            reverse("api:deal-receipts", args=[deal["id"]]),
            {"amount": "50000", "method": "cash", "voucher": "C-1"},
        ).status_code
        == 201
    )
    assert deal["id"] not in [r["id"] for r in api_client.get(reverse("api:collections")).json()]
    api_client.force_authenticate(o.manager)
    assert api_client.get(reverse("api:deals-stale")).status_code == 200


def test_a_consultant_sees_no_dispatch_and_decides_no_approval(world, api_client):
    o = office(world)
    api_client.force_authenticate(o.consultant)
    assert api_client.get(reverse("api:approvals")).json() == []
    assert api_client.get(reverse("api:dispatches")).json() == []
    _error(api_client.get(reverse("api:deals-stale")), 403)


def test_a_user_without_the_deals_page_is_refused(world, api_client):
    planner = make_user("p1-planner", "策划")
    membership_grant(user=planner, role=Role.PLANNER, company=world.company, project=world.p1)
    api_client.force_authenticate(planner)
    for name in ("api:board", "api:units", "api:deals", "api:collections"):
        _error(api_client.get(reverse(name)), 403)
    assert api_client.get(reverse("api:approvals")).json() == []
    api_client.force_authenticate(None)
    for name in ("api:board", "api:deals", "api:approvals", "api:dispatches"):
        assert api_client.get(reverse(name)).status_code in (401, 403)


# --- 5. the OpenAPI schema lists every deals endpoint ----------------------------------------

DEAL_OPERATIONS = {
    "/api/v1/board/": {"get"},
    "/api/v1/units/": {"get"},
    "/api/v1/units/{id}/": {"get"},
    "/api/v1/units/sheet/": {"post"},
    "/api/v1/units/{id}/hold/": {"post"},
    "/api/v1/units/{id}/release/": {"post"},
    "/api/v1/deals/": {"get", "post"},
    "/api/v1/deals/{id}/": {"get"},
    "/api/v1/deals/{id}/move/": {"post"},
    "/api/v1/deals/{id}/requests/": {"post"},
    "/api/v1/deals/{id}/receipts/": {"get", "post"},
    "/api/v1/deals/{id}/plan/": {"put"},
    "/api/v1/deals/{id}/refunds/": {"post"},
    "/api/v1/deals/{id}/refuse-order/": {"post"},
    "/api/v1/deals/stale/": {"get"},
    "/api/v1/approvals/": {"get"},
    "/api/v1/approvals/{id}/decide/": {"post"},
    "/api/v1/collections/": {"get"},
    "/api/v1/dispatches/": {"get"},
    "/api/v1/dispatches/{id}/decide/": {"post"},
    "/api/v1/contract-forms/": {"get", "post"},
    "/api/v1/contract-forms/move/": {"post"},
}


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _ref(schema, node) -> dict:
    if "$ref" in node:
        return schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if node.get("type") == "array":
        return _ref(schema, node["items"])
    return node


def test_the_schema_lists_every_deals_endpoint(schema):
    paths = schema["paths"]
    missing = {
        path: sorted(methods - set(paths.get(path, {})))
        for path, methods in DEAL_OPERATIONS.items()
        if methods - set(paths.get(path, {}))
    }
    assert not missing, missing
    for path, methods in DEAL_OPERATIONS.items():
        for method in methods:
            operation = paths[path][method]
            for param in operation.get("parameters", ()):
                if param["in"] == "path":
                    assert param["schema"]["type"] == "integer", (path, param)
            responses = operation["responses"]
            assert {"400", "403", "404"} <= set(responses), (path, method)
            if method in ("post", "put") and path != "/api/v1/units/{id}/release/":
                assert "requestBody" in operation, (path, method)


def test_the_schema_says_what_the_deals_endpoints_take_and_give(schema):
    paths = schema["paths"]
    subscribe = paths["/api/v1/deals/"]["post"]
    assert "201" in subscribe["responses"]
    body = _ref(schema, subscribe["requestBody"]["content"]["application/json"]["schema"])
    assert {"customer", "deal_price", "payment_method"} <= set(body["required"])
    assert body["properties"]["deal_price"]["type"] == "string"
    detail = _ref(schema, subscribe["responses"]["201"]["content"]["application/json"]["schema"])
    for money in ("deal_price", "standard_price", "planned_total", "received_total",
                  "outstanding"):  # fmt: skip
        assert detail["properties"][money]["type"] == "string", money
    assert {"tasks", "plan", "receipts", "approvals", "timeline"} <= set(detail["properties"])
    move = paths["/api/v1/deals/{id}/move/"]["post"]
    move_in = _ref(schema, move["requestBody"]["content"]["application/json"]["schema"])
    to = move_in["properties"]["to"]
    enum = _ref(schema, to.get("allOf", [to])[0]).get("enum", [])
    assert {"signing", "handover", "delivery", "completed"} <= set(enum)
    decide = paths["/api/v1/approvals/{id}/decide/"]["post"]
    decide_in = _ref(schema, decide["requestBody"]["content"]["application/json"]["schema"])
    assert decide_in["required"] == ["decision"]
    receipts = paths["/api/v1/deals/{id}/receipts/"]
    assert "201" in receipts["post"]["responses"]
    listed = _ref(schema, receipts["get"]["responses"]["200"]["content"]["application/json"]
                  ["schema"])  # fmt: skip
    assert listed["properties"]["amount"]["type"] == "string"
    board = paths["/api/v1/board/"]["get"]
    types = {p["name"]: p["schema"]["type"] for p in board["parameters"]}
    assert types["project"] == "integer" and types["building"] == "integer"
    codes = set(schema["components"]["schemas"]["Error"]["properties"]["code"]["enum"])
    assert {"unit_taken", "stage_not_allowed", "unknown_stage", "overpaid", "own_request",
            "discount_needs_approval", "stage_already"} <= codes  # fmt: skip


def test_the_schema_endpoint_serves_the_deals_paths(client, db):
    import yaml

    response = client.get("/api/schema/")
    assert response.status_code == 200
    loaded = yaml.safe_load(response.content)
    assert set(DEAL_OPERATIONS) <= set(loaded["paths"])
