"""Deals' services: the unit's one active deal, each trade's stage table walked whole, the
customer following the deal, approvals, collections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.deals import rules, services
from anchang.deals.models import Approval, Deal, MilestoneTask, Receipt, StageChange, Unit
from anchang.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from anchang.followups.services import followup_record
from tests.deals.helpers import building, office, subscribe, vehicle


def _unit(b, floor=1, position=1) -> Unit:
    return Unit.objects.get(building=b, floor=floor, position=position)


def test_a_building_is_generated_from_its_pattern(world):
    o = office(world)
    b = building(o, name="3", floors=18, per_floor=4)
    assert Unit.objects.filter(building=b).count() == 72
    assert _unit(b, 18, 2).code == "3-1802"
    assert _unit(b, 1, 1).standard_price == 20000 * 100 * 100


def test_a_bad_pattern_is_refused_with_its_field(world):
    o = office(world)
    with pytest.raises(ValidationFailed) as exc:
        services.building_create(actor=o.manager, project=o.project, name="2", floors=3,
                                 units_per_floor=2, pattern="{floor}", price_per_m2="1",
                                 gross_area="90")  # fmt: skip
    assert "pattern" in exc.value.fields
    assert not Unit.objects.filter(project=o.project).exists()


def test_a_consultant_may_not_build(world):
    o = office(world)
    with pytest.raises(PermissionDenied):
        services.building_create(actor=o.consultant, project=o.project, name="9", floors=1,
                                 units_per_floor=1, price_per_m2="1", gross_area="90")  # fmt: skip


def test_hold_then_subscribe_then_a_second_subscription_is_409(world):
    o = office(world)
    unit = _unit(building(o))
    customer = world.customer(o.project, o.consultant, "王先生")
    services.unit_hold(actor=o.consultant, unit=unit, customer=customer)
    other = world.customer(o.project, o.colleague, "李女士")
    with pytest.raises(Conflict) as exc:
        services.unit_hold(actor=o.colleague, unit=unit, customer=other)
    assert exc.value.code == "unit_taken"
    deal = subscribe(world, o, unit, customer=customer)
    assert deal.stage == "subscription"
    unit.refresh_from_db()
    assert unit.status == "subscribed"
    customer.refresh_from_db()
    assert customer.state == "subscribed"
    with pytest.raises(Conflict):
        services.deal_subscribe(
            actor=o.colleague, customer=other, unit=unit,
            data=services.DealInput(deal_price="2000000", payment_method="full"),
        )  # fmt: skip
    assert Deal.objects.filter(unit=unit).count() == 1


@pytest.mark.parametrize("field", ["credit_to", "stand_in"])
def test_only_who_holds_the_projects_customers_is_credited_or_stands_in(world, field):
    """Both doors call this service, so the check lives here: a consultant of another
    project is refused with the field, and the unit stays free."""
    o = office(world)
    unit = _unit(building(o))
    customer = world.customer(o.project, o.consultant, "王先生")
    stranger = world.consultants["p3"][0]
    named = {"consultant" if field == "credit_to" else field: stranger}
    with pytest.raises(ValidationFailed) as exc:
        services.deal_subscribe(
            actor=o.consultant, customer=customer, unit=unit, **named,
            data=services.DealInput(deal_price="2000000", payment_method="full"),
        )  # fmt: skip
    assert field in exc.value.fields
    unit.refresh_from_db()
    assert unit.status == "available" and not Deal.objects.exists()


def test_an_expired_hold_is_taken_by_another(world):
    o = office(world)
    unit = _unit(building(o))
    mine = world.customer(o.project, o.consultant, "王先生")
    then = timezone.now() - timedelta(hours=2)
    services.unit_hold(actor=o.consultant, unit=unit, customer=mine, now=then)
    theirs = world.customer(o.project, o.colleague, "李女士")
    services.unit_hold(actor=o.colleague, unit=unit, customer=theirs)
    unit.refresh_from_db()
    assert unit.held_by == o.colleague


def test_the_hold_cap(world):
    o = office(world)
    b = building(o)
    customer = world.customer(o.project, o.consultant, "王先生")
    services.unit_hold(actor=o.consultant, unit=_unit(b, 1, 1), customer=customer)
    services.unit_hold(actor=o.consultant, unit=_unit(b, 1, 2), customer=customer)
    with pytest.raises(Conflict) as exc:
        services.unit_hold(actor=o.consultant, unit=_unit(b, 2, 1), customer=customer)
    assert exc.value.code == "hold_cap"


def test_a_consultant_may_not_sell_a_colleagues_customer(world):
    o = office(world)
    unit = _unit(building(o))
    theirs = world.customer(o.project, o.colleague, "李女士")
    with pytest.raises(PermissionDenied):
        services.deal_subscribe(
            actor=o.consultant, customer=theirs, unit=unit,
            data=services.DealInput(deal_price="2000000", payment_method="full"),
        )  # fmt: skip
    unit.refresh_from_db()
    assert unit.status == "available"


@pytest.mark.parametrize(
    "field,value",
    [("deal_price", "-1"), ("deal_price", "0"), ("deal_price", "abc"), ("deal_price", "1.001"),
     ("deal_price", "1e30"), ("deal_price", "NaN"), ("deal_price", "１００"),
     ("deposit", "-5"), ("loan_amount", "0")],
)  # fmt: skip
def test_bad_amounts_are_refused_and_nothing_changes(world, field, value):
    o = office(world)
    unit = _unit(building(o))
    customer = world.customer(o.project, o.consultant, "王先生")
    data = {"deal_price": "2000000", "payment_method": "mortgage", "bank": "工行",
            "loan_amount": "1000000", "loan_years": 20, field: value}  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.deal_subscribe(actor=o.consultant, customer=customer, unit=unit,
                                data=services.DealInput(**data))  # fmt: skip
    assert field in exc.value.fields
    unit.refresh_from_db()
    assert unit.status == "available" and not Deal.objects.exists()


def test_a_retry_with_the_same_key_makes_one_deal(world):
    o = office(world)
    unit = _unit(building(o))
    customer = world.customer(o.project, o.consultant, "王先生")
    data = services.DealInput(deal_price="2000000", payment_method="full")
    first = services.deal_subscribe(actor=o.consultant, customer=customer, unit=unit, data=data,
                                    idempotency_key="k1")  # fmt: skip
    again = services.deal_subscribe(actor=o.consultant, customer=customer, unit=unit, data=data,
                                    idempotency_key="k1")  # fmt: skip
    assert first.pk == again.pk and Deal.objects.count() == 1


# --- the stage tables, walked whole ------------------------------------------------------

TRADES = {"p1": "real_estate", "p2": "home_improvement", "p3": "dealership"}


def _deal_for(world, code, method="full"):
    o = office(world, code)
    table = rules.stage_table(TRADES[code])
    unit = None
    if code == "p1":
        unit = _unit(building(o))
    elif code == "p3":
        unit = vehicle(o)
    price = str(unit.standard_price / 100) if unit else "100000"
    deal = subscribe(world, o, unit, price=price, method=method, deposit="1000")
    return o, table, deal


def _walk_to(deal, o, stage, table):
    for s in table.stages[1 : table.index(stage) + 1]:
        if s == "loan" and deal.payment_method == "full":
            continue
        deal = services.deal_move(actor=o.consultant, deal=deal, to=s)
    return deal


CASES = [
    (code, method, stage, to)
    for code, trade in TRADES.items()
    for method in (("full", "mortgage") if code == "p1" else ("full",))
    for stage in rules.STAGE_TABLES[trade].stages
    if not (method == "full" and stage == "loan")
    for to in rules.STAGE_TABLES[trade].stages
]


@pytest.mark.parametrize("code,method,stage,to", CASES)
def test_every_move_of_every_table(world, code, method, stage, to):
    """From each stage to each stage: allowed exactly when the trade's table says so."""
    o, table, deal = _deal_for(world, code, method)
    deal = _walk_to(deal, o, stage, table)
    assert deal.stage == stage
    allowed = to in table.next_stages(stage, has_loan=method != "full")
    if allowed:
        moved = services.deal_move(actor=o.consultant, deal=deal, to=to)
        assert moved.stage == to
        assert StageChange.objects.filter(deal=deal, stage=to, kind="entered").count() == 1
    else:
        with pytest.raises((ValidationFailed, Conflict)):
            services.deal_move(actor=o.consultant, deal=deal, to=to)
        assert Deal.objects.get(pk=deal.pk).stage == stage


@pytest.mark.parametrize("code", TRADES)
def test_the_customer_becomes_an_owner_at_the_trades_stage(world, code):
    o, table, deal = _deal_for(world, code)
    for s in table.stages[1:]:
        if s == "loan":
            continue
        deal = services.deal_move(actor=o.consultant, deal=deal, to=s)
        state = Customer.objects.get(pk=deal.customer_id).state
        assert state == ("owner" if table.reached(s, table.owner_from) else "subscribed")
    if deal.unit_id:
        assert Unit.objects.get(pk=deal.unit_id).status == "sold"


def test_an_unknown_stage_is_a_clear_error(world):
    o, table, deal = _deal_for(world, "p1")
    with pytest.raises(ValidationFailed) as exc:
        services.deal_move(actor=o.consultant, deal=deal, to="delivery")
    assert exc.value.code == "unknown_stage"


# --- discounts and approvals ------------------------------------------------------------


def test_a_discount_above_the_limit_waits_for_a_manager(world):
    o = office(world)
    unit = _unit(building(o))
    price = str(unit.standard_price * 0.97 / 100)  # 3 % off, above 1 %
    deal = subscribe(world, o, unit, price=price, method="full")
    assert not deal.discount_approved
    with pytest.raises(Conflict) as exc:
        services.deal_move(actor=o.consultant, deal=deal, to="signing")
    assert exc.value.code == "discount_needs_approval"
    approval = Approval.objects.get(deal=deal, kind="discount")
    with pytest.raises(PermissionDenied):
        services.approval_decide(actor=o.consultant, approval=approval, approve=True)
    services.approval_decide(actor=o.manager, approval=approval, approve=True)
    deal.refresh_from_db()
    assert deal.discount_approved
    assert services.deal_move(actor=o.consultant, deal=deal, to="signing").stage == "signing"
    with pytest.raises(Conflict):
        services.approval_decide(actor=o.manager, approval=approval, approve=False, comment="x")


def test_below_the_floor_price_a_manager_cannot_approve(world):
    o = office(world)
    unit = _unit(building(o))
    deal = subscribe(world, o, unit, price=str(unit.floor_price * 0.9 / 100), method="full")
    approval = Approval.objects.get(deal=deal, kind="discount")
    with pytest.raises(ValidationFailed) as exc:
        services.approval_decide(actor=o.manager, approval=approval, approve=True)
    assert exc.value.code == "below_floor_price"


def test_nobody_decides_their_own_request(world):
    o = office(world)
    unit = _unit(building(o))
    customer = world.customer(o.project, o.manager, "经理的客户") if False else None
    deal = subscribe(world, o, unit, method="full")
    approval = services.deal_cancel_request(actor=o.manager, deal=deal, reason="客户退订")
    with pytest.raises(PermissionDenied) as exc:
        services.approval_decide(actor=o.manager, approval=approval, approve=True)
    assert exc.value.code == "own_request" and customer is None


def test_a_cancellation_needs_approval_and_returns_the_unit(world):
    o = office(world)
    unit = _unit(building(o))
    deal = subscribe(world, o, unit, method="full")
    deal = services.deal_move(actor=o.consultant, deal=deal, to="signing")
    approval = services.deal_cancel_request(actor=o.consultant, deal=deal, reason="客户资金问题")
    assert Deal.objects.get(pk=deal.pk).is_active  # nothing yet
    services.approval_decide(actor=o.manager, approval=approval, approve=True)
    deal.refresh_from_db()
    unit.refresh_from_db()
    assert not deal.is_active and unit.status == "available"
    assert not MilestoneTask.objects.filter(deal=deal, done_at__isnull=True, dropped=False).exists()
    # the unit sells again
    again = subscribe(world, o, unit, method="full")
    assert again.is_active


def test_side_moves_change_unit_name_and_date(world):
    o = office(world)
    b = building(o)
    deal = subscribe(world, o, _unit(b), method="full", due_on=timezone.localdate() + timedelta(5))
    new = _unit(b, 2, 2)
    a = services.deal_side_request(actor=o.consultant, deal=deal, kind="change_unit",
                                   reason="客户想换高楼层", unit=new)  # fmt: skip
    services.approval_decide(actor=o.manager, approval=a, approve=True)
    deal.refresh_from_db()
    assert deal.unit == new and Unit.objects.get(pk=_unit(b).pk).status == "available"
    a = services.deal_side_request(actor=o.consultant, deal=deal, kind="rename", reason="加名",
                                   buyer_name="王先生 李女士")  # fmt: skip
    services.approval_decide(actor=o.manager, approval=a, approve=True)
    later = timezone.localdate() + timedelta(30)
    a = services.deal_side_request(actor=o.consultant, deal=deal, kind="delay",
                                   reason="客户出差", due_on=later)  # fmt: skip
    services.approval_decide(actor=o.manager, approval=a, approve=True)
    deal.refresh_from_db()
    assert deal.buyer_name == "王先生 李女士" and deal.due_on == later
    task = MilestoneTask.objects.filter(deal=deal, key="before_signing").first()
    assert task is None or task.due_on == later - timedelta(1)


# --- collections ------------------------------------------------------------------------


def test_receipts_never_exceed_the_plan(world):
    o = office(world)
    deal = subscribe(world, o, _unit(building(o)), method="full", deposit="50000")
    assert deal.planned_total == 5_000_000 and deal.collect_due_on is not None
    services.receipt_record(actor=o.clerk, deal=deal, amount="20000", method="pos", voucher="V1")
    with pytest.raises(ValidationFailed) as exc:
        services.receipt_record(actor=o.clerk, deal=deal, amount="30000.01", method="pos",
                                voucher="V2")  # fmt: skip
    assert exc.value.code == "overpaid"
    with pytest.raises(Conflict):
        services.receipt_record(actor=o.clerk, deal=deal, amount="1", method="pos", voucher="V1")
    services.receipt_record(actor=o.clerk, deal=deal, amount="30000", method="pos", voucher="V3")
    deal.refresh_from_db()
    assert deal.received_total == 5_000_000 and deal.collect_due_on is None
    assert sum(Receipt.objects.filter(deal=deal).values_list("amount", flat=True)) == 5_000_000


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "1.234", "", "1e9999", "inf"])
def test_bad_receipt_amounts(world, amount):
    o = office(world)
    deal = subscribe(world, o, _unit(building(o)), method="full")
    with pytest.raises(ValidationFailed):
        services.receipt_record(actor=o.clerk, deal=deal, amount=amount, method="pos", voucher="V")
    assert not Receipt.objects.exists()


def test_a_consultant_records_no_receipt(world):
    o = office(world)
    deal = subscribe(world, o, _unit(building(o)), method="full")
    with pytest.raises(PermissionDenied):
        services.receipt_record(actor=o.consultant, deal=deal, amount="1", method="pos",
                                voucher="V")  # fmt: skip


def _cancelled(o, deal):
    a = services.deal_cancel_request(actor=o.consultant, deal=deal, reason="客户退订")
    services.approval_decide(actor=o.manager, approval=a, approve=True)
    deal.refresh_from_db()
    return deal


def test_a_refund_is_an_approved_negative_entry_of_a_cancelled_deal(world):
    o = office(world)
    deal = subscribe(world, o, _unit(building(o)), method="full")
    services.receipt_record(actor=o.clerk, deal=deal, amount="50000", method="pos", voucher="V1")
    with pytest.raises(Conflict) as exc:  # a deal under way owes its plan
        services.refund_request(actor=o.clerk, deal=deal, amount="50000", reason="退款")
    assert exc.value.code == "deal_not_cancelled"
    deal = _cancelled(o, deal)
    a = services.refund_request(actor=o.clerk, deal=deal, amount="50000", reason="退订退定金")
    deal.refresh_from_db()
    assert deal.received_total == 5_000_000
    services.approval_decide(actor=o.manager, approval=a, approve=True)
    deal.refresh_from_db()
    assert deal.received_total == 0
    assert list(Receipt.objects.filter(deal=deal).values_list("amount", flat=True)) == [
        5_000_000, -5_000_000,
    ]  # fmt: skip


# --- milestone tasks --------------------------------------------------------------------


def test_a_phone_call_closes_the_task_and_an_sms_does_not(world):
    o = office(world)
    deal = subscribe(world, o, _unit(building(o)), method="full")
    task = MilestoneTask.objects.get(deal=deal, key="congratulate")
    assert task.due_on == timezone.localdate()
    followup_record(actor=o.consultant, customer=deal.customer, kind="sms",
                    content="恭喜您认购成功！")  # fmt: skip
    task.refresh_from_db()
    assert task.done_at is None
    followup_record(actor=o.consultant, customer=deal.customer, kind="phone",
                    content="电话恭喜客户认购成功，提醒签约需要带的身份证户口本材料"
                    "和首付款项安排")  # fmt: skip
    task.refresh_from_db()
    assert task.done_at is not None


def test_a_deal_on_an_unseen_customer_is_not_found(world):
    o = office(world)
    deal = subscribe(world, o, _unit(building(o)), method="full")
    from anchang.deals.policies import ensure_can_deal

    with pytest.raises(NotFound):
        ensure_can_deal(o.colleague, "move", deal)


def test_amounts_past_32_bits_are_kept_whole(world):
    """A ¥60,000,000 villa: fen past 2**31 on every path that adds or compares money (the
    PostgreSQL backend binds a bare int as a 32-bit value: anchang.dbfunctions.bigint)."""
    o = office(world)
    villa = services.unit_create(actor=o.manager, project=o.project, kind="vehicle",
                                 code="VILLA-1", standard_price="60000000")  # fmt: skip
    deal = subscribe(world, o, villa, price="60000000", method="full", deposit="30000000")
    assert deal.planned_total == 3_000_000_000
    with pytest.raises(ValidationFailed):  # more than outstanding: refused, not wrapped
        services.receipt_record(actor=o.clerk, deal=deal, amount="30000000.01", method="transfer",
                                voucher="BIG-0")  # fmt: skip
    services.receipt_record(actor=o.clerk, deal=deal, amount="29999999", method="transfer",
                            voucher="BIG-1")  # fmt: skip
    services.receipt_record(actor=o.clerk, deal=deal, amount="1", method="transfer",
                            voucher="BIG-2")  # fmt: skip
    deal.refresh_from_db()
    assert deal.received_total == 3_000_000_000 and deal.outstanding == 0
    deal = _cancelled(o, deal)
    a = services.refund_request(actor=o.clerk, deal=deal, amount="25000000", reason="退款")
    services.approval_decide(actor=o.manager, approval=a, approve=True)
    deal.refresh_from_db()
    assert deal.received_total == 500_000_000


def test_a_refused_discount_is_asked_again_at_a_new_price(world):
    o = office(world)
    unit = _unit(building(o))
    deal = subscribe(world, o, unit, price=str(unit.standard_price * 0.97 / 100), method="full")
    first = Approval.objects.get(deal=deal, kind="discount")
    services.approval_decide(actor=o.manager, approval=first, approve=False, comment="太低")
    new_price = str(unit.standard_price * 0.985 / 100)
    a = services.deal_side_request(actor=o.consultant, deal=deal, kind="reprice",
                                   reason="客户接受新价格", deal_price=new_price)  # fmt: skip
    services.approval_decide(actor=o.manager, approval=a, approve=True)
    deal.refresh_from_db()
    assert deal.discount_approved and deal.discount_permille == 15
    assert services.deal_move(actor=o.consultant, deal=deal, to="signing").stage == "signing"


def test_a_new_unit_below_its_floor_price_is_not_approved(world):
    o = office(world)
    b = building(o)
    deal = subscribe(world, o, _unit(b), method="full")
    other = _unit(b, 2, 2)
    low = str(other.floor_price / 200)
    a = services.deal_side_request(actor=o.consultant, deal=deal, kind="change_unit", unit=other,
                                   reason="换房", deal_price=low)  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.approval_decide(actor=o.manager, approval=a, approve=True)
    assert exc.value.code == "below_floor_price"
    deal.refresh_from_db()
    assert deal.unit_id == _unit(b).pk


def test_a_full_payment_deal_skips_the_loan_and_a_loan_deal_does_not():
    table = rules.STAGE_TABLES["real_estate"]
    assert table.next_stages("filing", has_loan=False) == ("handover",)
    assert table.next_stages("filing", has_loan=True) == ("loan",)


def test_a_building_takes_its_net_area_and_floor_price_shares(world):
    o = office(world)
    b = services.building_create(actor=o.manager, project=o.project, name="7", floors=2,
                                 units_per_floor=1, price_per_m2="10000", gross_area="100",
                                 net_percent=80, floor_percent=90)  # fmt: skip
    unit = Unit.objects.get(building=b, floor=1)
    assert str(unit.net_area) == "80.00"
    assert (unit.standard_price, unit.floor_price) == (100_000_000, 90_000_000)
