"""成交: subscribing a customer (the deal's first stage), moving it along its trade's table,
side moves and cancellations by approval, and what follows each stage (the unit's status,
the customer's state, milestone tasks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.assignment.channels import selectors as channel_selectors
from anchang.assignment.channels import services as channel_services
from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies as customer_policies
from anchang.customers.choices import State
from anchang.customers.models import Customer
from anchang.dates import local_date
from anchang.deals import policies, rules
from anchang.deals.errors import Code
from anchang.deals.models import Approval, Deal, MilestoneTask, PaymentLine, StageChange, Unit
from anchang.deals.services.catalogue import _takeable, _taken, approval_ask
from anchang.deals.services.dispatch import dispatch_propose
from anchang.deals.services.milestones import tasks_create_for, tasks_drop, tasks_redate_due
from anchang.deals.services.payments import plan_refresh
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.org.models import User
from anchang.org.selectors import project_owners, project_rules
from anchang.validators import fold_spaces

S = Unit.Status
LOAN_METHODS = (Deal.PaymentMethod.MORTGAGE, Deal.PaymentMethod.PROVIDENT,
                Deal.PaymentMethod.COMBINED)  # fmt: skip
NOTE_MAX = rules.NOTE_MAX


def _money(value, field: str, errors: dict, *, allow_zero: bool = False) -> int:
    if value in (None, ""):
        if allow_zero:
            return 0
        errors[field] = _("Enter an amount.")
        return 0
    try:
        fen = rules.yuan_to_fen(value)
    except rules.MoneyError:
        errors[field] = _("Enter an amount in yuan, at most 2 decimals.")
        return 0
    if fen < 0 or (fen == 0 and not allow_zero):
        errors[field] = _("The amount must be above zero.")
        return 0
    return fen


@dataclass(frozen=True)
class DealInput:
    """What a subscription asks for, as the doors pass it (amounts in yuan, as text)."""

    deal_price: str
    payment_method: str
    due_on: date | None = None
    bank: str = ""
    loan_amount: str = ""
    loan_years: int | None = None
    deposit: str = ""
    standard_price: str = ""  # a deal without a unit (a home-improvement order)
    buyer_name: str = ""
    note: str = ""


def _clean(data: DealInput, *, standard_fen: int | None, today: date) -> dict:
    errors: dict[str, str] = {}
    price = _money(data.deal_price, "deal_price", errors)
    if standard_fen is None:
        standard_fen = _money(data.standard_price or data.deal_price, "standard_price", errors)
    method = data.payment_method
    if method not in Deal.PaymentMethod.values:
        errors["payment_method"] = _("Choose how the customer pays.")
    loan = _money(data.loan_amount, "loan_amount", errors, allow_zero=True)
    years = data.loan_years or 0
    bank = fold_spaces(data.bank)
    if method in LOAN_METHODS:
        if loan <= 0:
            errors["loan_amount"] = _("A loan payment needs the loan amount.")
        elif price and loan >= price:
            errors["loan_amount"] = _("The loan must be less than the deal price.")
        if not 1 <= years <= 30:
            errors["loan_years"] = _("Loan years: 1 to 30.")
        if not bank:
            errors["bank"] = _("Name the lending bank.")
    elif loan or years:
        errors["loan_amount"] = _("Only a loan payment has a loan amount.")
    if len(bank) > 40:
        errors["bank"] = _("At most %(n)d characters.") % {"n": 40}
    deposit = _money(data.deposit, "deposit", errors, allow_zero=True)
    if price and deposit > price:
        errors["deposit"] = _("The deposit cannot be more than the deal price.")
    if data.due_on is not None and not today <= data.due_on <= today + timedelta(days=366):
        errors["due_on"] = _("Choose a date from today to a year ahead.")
    note = fold_spaces(data.note)
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(n)d characters.") % {"n": NOTE_MAX}
    buyer = fold_spaces(data.buyer_name)
    if len(buyer) > 50:
        errors["buyer_name"] = _("At most %(n)d characters.") % {"n": 50}
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "deal_price": price, "standard_price": standard_fen, "payment_method": method,
        "loan_amount": loan, "loan_years": years, "bank": bank, "deposit": deposit,
        "due_on": data.due_on, "note": note, "buyer_name": buyer,
    }  # fmt: skip


def _replay(actor: User, key: str | None) -> Deal | None:
    if not key:
        return None
    return Deal.objects.filter(created_by=actor, idempotency_key=key).first()


def deal_subscribe(
    *, actor: User, customer: Customer, unit: Unit | None, data: DealInput,
    consultant: User | None = None, stand_in: User | None = None, package: Unit | None = None,
    idempotency_key: str | None = None, now: datetime | None = None,
) -> Deal:  # fmt: skip
    """认购 / 下订 / 定金: the deal's first stage. The unit is taken by a conditional UPDATE and
    the deal inserted under `deal_one_active_per_unit`, so of N at once exactly one wins and
    the others get 409 with nothing changed. A retry with the same key answers the first."""
    key = (idempotency_key or "").strip()[:64] or None
    if earlier := _replay(actor, key):
        return earlier
    try:
        with transaction.atomic():
            return _subscribe(actor, customer, unit, data, consultant, stand_in, package, key, now)
    except IntegrityError as exc:
        if earlier := _replay(actor, key):
            return earlier
        if unit is not None and "idempotency" not in str(exc):
            raise _taken(unit) from None
        raise


def _subscribe(actor, customer, unit, data, consultant, stand_in, package, key, now) -> Deal:
    now = now or timezone.now()
    project = customer.project
    conf = project_rules(project)
    table = rules.stage_table(project.kind)
    today = local_date(conf.tz, now)
    # credited, or standing in, only who may hold the project's customers; an unknown id is
    # answered like a stranger's, so the answer does not tell which ids exist
    for field, person in (("credit_to", consultant), ("stand_in", stand_in)):
        if person is not None and not project_owners(project).filter(pk=person.pk).exists():
            raise ValidationFailed(
                fields={field: _("Choose someone of this project who holds customers.")},
                code=Code.CUSTOMER_NOT_IN_PROJECT,
            )
    consultant = consultant or customer.owner or actor
    customer_policies.ensure_can_edit_customer(actor=actor, customer=customer)
    if not policies.may(actor, "sell", project_id=project.pk, consultant_id=consultant.pk):
        raise PermissionDenied()
    if customer.state == State.LOST:
        raise ValidationFailed(
            fields={"customer": _("This customer is lost; reopen them first.")},
            code=Code.CUSTOMER_LOST,
        )
    if table.has_units and unit is None:
        raise ValidationFailed(fields={"unit": _("Choose the unit.")})
    if unit is not None and unit.project_id != project.pk:
        raise ValidationFailed(
            fields={"unit": _("This unit belongs to another project.")},
            code=Code.CUSTOMER_NOT_IN_PROJECT,
        )
    if unit is not None and unit.kind == Unit.Kind.PACKAGE:
        # sold to any number of customers: named as the package, never taken as a unit
        raise ValidationFailed(
            fields={"unit": _("A service package is sold as the package, not as a unit.")},
            code=Code.UNIT_NOT_FOR_SALE,
        )
    if package is not None and (
        package.project_id != project.pk or package.kind != Unit.Kind.PACKAGE
    ):
        raise ValidationFailed(fields={"package": _("Choose a service package of this project.")})
    priced = unit or package
    cleaned = _clean(data, standard_fen=priced.standard_price if priced else None, today=today)
    permille = rules.discount_permille(cleaned["standard_price"], cleaned["deal_price"])
    needs_approval = permille > conf.deals.consultant_discount_permille
    if unit is not None:
        # the unit first: whoever takes it holds its row until the commit
        taken = Unit.objects.filter(_takeable(now, actor), pk=unit.pk).update(
            status=table.unit_status.get(table.stages[0], S.SUBSCRIBED), held_by=None,
            held_for=None, held_until=None, version=F("version") + 1, updated_at=now,
        )  # fmt: skip
        if not taken:
            unit.refresh_from_db()
            raise _taken(unit)
    share = 0
    if stand_in is not None and stand_in.pk != consultant.pk:
        share = conf.deals.stand_in_share_percent
    else:
        stand_in = None
    deal = Deal.objects.create(
        project=project, customer=customer, unit=unit, package=package,
        buyer_name=cleaned["buyer_name"] or customer.name, consultant=consultant,
        stand_in=stand_in, stand_in_share=share, stage=table.stages[0], stage_at=now,
        standard_price=cleaned["standard_price"], deal_price=cleaned["deal_price"],
        discount_permille=min(permille, 1000), discount_approved=not needs_approval,
        payment_method=cleaned["payment_method"], bank=cleaned["bank"],
        loan_amount=cleaned["loan_amount"], loan_years=cleaned["loan_years"],
        due_on=cleaned["due_on"], idempotency_key=key, created_by=actor, created_at=now,
        channel_report=(report := channel_selectors.creditable(customer, now)),
    )  # fmt: skip
    if report is not None:  # 渠道: a visit (or report) inside its window is credited
        channel_services.report_dealt(report=report, customer=customer, at=now)
    StageChange.objects.create(
        deal=deal, project=project, kind=StageChange.Kind.ENTERED, stage=deal.stage,
        note=cleaned["note"], actor=actor, at=now,
    )  # fmt: skip
    if cleaned["deposit"]:
        first = PaymentLine.Kind.DEPOSIT
        PaymentLine.objects.create(deal=deal, kind=first, due_on=today, amount=cleaned["deposit"])
        plan_refresh(deal, today=today)
    if needs_approval:
        approval_ask(
            actor=actor, kind=Approval.Kind.DISCOUNT, deal=deal, now=now,
            reason=_("Discount of %(p)s%% above the consultant's limit")
            % {"p": f"{permille / 10:.1f}"},
            payload={"permille": permille},
        )  # fmt: skip
    _customer_follows(customer, table, deal.stage, actor)
    tasks_create_for(deal, anchor=deal.stage, anchor_day=today, now=now)
    if deal.stage in table.dispatch_at:
        dispatch_propose(deal, now=now)
    if deal.due_on:
        tasks_create_for(deal, anchor="due", anchor_day=deal.due_on, now=now)
    audit_record(
        action=AuditEntry.Action.DEAL_CREATED, actor=actor, obj=deal, project=project,
        details={"customer": customer.pk, "unit": getattr(unit, "pk", None),
                 "price": rules.yuan_plain(deal.deal_price), "discount_permille": permille},
    )  # fmt: skip
    return deal


def _customer_follows(customer: Customer, table: rules.StageTable, stage: str, actor: User) -> None:
    """The customer's state follows the deal: subscribed at the first stage, owner from the
    trade's `owner_from` stage (then the 100 % completeness target applies)."""
    target = State.OWNER if table.reached(stage, table.owner_from) else State.SUBSCRIBED
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.state == State.OWNER or locked.state == target:
        return
    locked.state = target
    locked.version += 1
    locked._history_user = actor
    locked._change_reason = _("deal: %(stage)s") % {"stage": rules.STAGE_LABELS[stage]}
    locked.save()
    customer.state, customer.version = locked.state, locked.version


def _customer_after_cancel(customer_id: int, actor: User) -> None:
    """Back to a prospect when no other deal holds them (an owner of another deal stays)."""
    if Deal.objects.filter(customer_id=customer_id, is_active=True).exists():
        return
    locked = Customer.objects.select_for_update().get(pk=customer_id)
    if locked.state != State.SUBSCRIBED:
        return
    locked.state = State.PROSPECT
    locked.version += 1
    locked._history_user = actor
    locked._change_reason = _("deal cancelled")
    locked.save()


@transaction.atomic
def deal_move(
    *, actor: User, deal: Deal, to: str, note: str = "", now: datetime | None = None
) -> Deal:
    """The one door to a deal's stage: refuses what the trade's table does not allow, then
    sets the unit's status, the customer's state and the stage's milestone tasks."""
    now = now or timezone.now()
    policies.ensure_can_deal(actor, "move", deal)
    note = fold_spaces(note)
    if len(note) > NOTE_MAX:
        raise ValidationFailed(fields={"note": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    table = rules.stage_table(deal.project.kind)
    if not deal.is_active:
        raise Conflict(_("This deal was cancelled."), code=Code.DEAL_CLOSED)
    if to == deal.stage or (to in table.stages and table.reached(deal.stage, to)):
        raise Conflict(_("The deal is at this stage already."), code=Code.STAGE_ALREADY)
    refusal = rules.forward_refusal(
        table, stage=deal.stage, to=to, has_loan=deal.payment_method in LOAN_METHODS
    )
    if refusal:
        raise ValidationFailed(
            refusal.message, code=refusal.code, fields={"stage": refusal.message}
        )
    if not deal.discount_approved:
        raise Conflict(
            _("The discount waits for a manager's approval; the deal moves on after it."),
            code=Code.DISCOUNT_NEEDS_APPROVAL,
        )
    moved = Deal.objects.filter(pk=deal.pk, stage=deal.stage, is_active=True).update(
        stage=to, stage_at=now, version=F("version") + 1
    )
    if not moved:
        raise Conflict(code=Code.STALE_VERSION)
    try:
        with transaction.atomic():
            StageChange.objects.create(
                deal=deal, project_id=deal.project_id, kind=StageChange.Kind.ENTERED,
                stage=to, note=note, actor=actor, at=now,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(_("The deal is at this stage already."), code=Code.STAGE_ALREADY) from None
    deal.refresh_from_db()
    if deal.unit_id and to in table.unit_status:
        Unit.objects.filter(pk=deal.unit_id).update(
            status=table.unit_status[to], version=F("version") + 1, updated_at=now
        )
    _customer_follows(deal.customer, table, to, actor)
    conf = project_rules(deal.project)
    tasks_create_for(deal, anchor=to, anchor_day=local_date(conf.tz, now), now=now)
    if to in table.dispatch_at:
        dispatch_propose(deal, now=now)
    audit_record(
        action=AuditEntry.Action.DEAL_STAGE, actor=actor, obj=deal, project=deal.project,
        details={"stage": to},
    )  # fmt: skip
    return deal


# --- side moves and cancellations: asked, then decided (services.approvals) -------------


def _ensure_open(deal: Deal) -> None:
    if not deal.is_active:
        raise Conflict(_("This deal was cancelled."), code=Code.DEAL_CLOSED)


def _reason(reason: str) -> str:
    reason = fold_spaces(reason)
    if not reason:
        raise ValidationFailed(fields={"reason": _("Say why.")})
    if len(reason) > NOTE_MAX:
        raise ValidationFailed(fields={"reason": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    return reason


@transaction.atomic
def deal_cancel_request(*, actor: User, deal: Deal, reason: str) -> Approval:
    """退订 / 退房 / 取消订单 / 跑单: a manager approves; the unit then returns to sale."""
    policies.ensure_can_deal(actor, "move", deal)
    _ensure_open(deal)
    reason = _reason(reason)
    table = rules.stage_table(deal.project.kind)
    if deal.stage not in table.cancel_from:
        raise ValidationFailed(
            _("A deal at this stage cannot be cancelled."), code=Code.STAGE_NOT_ALLOWED,
            fields={"reason": _("A deal at this stage cannot be cancelled.")},
        )  # fmt: skip
    return approval_ask(actor=actor, kind=Approval.Kind.CANCEL, deal=deal, reason=reason,
                        payload={"stage": deal.stage})  # fmt: skip


@transaction.atomic
def deal_side_request(
    *, actor: User, deal: Deal, kind: str, reason: str, unit: Unit | None = None,
    buyer_name: str = "", due_on: date | None = None, deal_price: str = "",
) -> Approval:  # fmt: skip
    """换房 / 更名 / 延迟签约: asked with what changes; applied when a manager approves."""
    policies.ensure_can_deal(actor, "move", deal)
    _ensure_open(deal)
    reason = _reason(reason)
    table = rules.stage_table(deal.project.kind)
    if kind not in table.side_moves:
        raise ValidationFailed(fields={"kind": _("This trade has no such change.")})
    if deal.stage not in table.side_from:
        raise ValidationFailed(
            fields={"kind": _("This change is not possible at this stage.")},
            code=Code.STAGE_NOT_ALLOWED,
        )
    payload: dict = {}
    if kind == "change_unit":
        if (
            unit is None or unit.project_id != deal.project_id or unit.pk == deal.unit_id
            or unit.kind == Unit.Kind.PACKAGE
        ):  # fmt: skip
            raise ValidationFailed(fields={"unit": _("Choose another unit of this project.")})
        errors: dict = {}
        price = _money(deal_price, "deal_price", errors) if deal_price else unit.standard_price
        if errors:
            raise ValidationFailed(fields=errors)
        payload = {"unit": unit.pk, "deal_price": price}
    elif kind == "rename":
        name = fold_spaces(buyer_name)
        if not name or len(name) > 50:
            raise ValidationFailed(fields={"buyer_name": _("Enter the new buyer's name.")})
        payload = {"buyer_name": name}
    elif kind == "reprice":
        errors = {}
        price = _money(deal_price, "deal_price", errors)
        if errors:
            raise ValidationFailed(fields=errors)
        payload = {"deal_price": price}
    elif kind == "delay":
        today = local_date(project_rules(deal.project).tz)
        if due_on is None or not today <= due_on <= today + timedelta(days=366):
            raise ValidationFailed(
                fields={"due_on": _("Choose a date from today to a year ahead.")}
            )
        payload = {"due_on": due_on.isoformat()}
    return approval_ask(actor=actor, kind=kind, deal=deal, reason=reason, payload=payload)


def apply_cancel(deal: Deal, actor: User, now: datetime, note: str) -> None:
    cancelled = Deal.objects.filter(pk=deal.pk, is_active=True).update(
        is_active=False, cancelled_at=now, collect_due_on=None, version=F("version") + 1
    )
    if not cancelled:
        raise Conflict(_("This deal was cancelled."), code=Code.DEAL_CLOSED)
    StageChange.objects.create(
        deal=deal, project_id=deal.project_id, kind=StageChange.Kind.CANCELLED,
        stage=deal.stage, what=rules.stage_table(deal.project.kind).cancel_kind,
        note=note[:NOTE_MAX], actor=actor, at=now,
    )  # fmt: skip
    if deal.unit_id:
        Unit.objects.filter(pk=deal.unit_id).update(
            status=S.AVAILABLE, held_by=None, held_for=None, held_until=None,
            version=F("version") + 1, updated_at=now,
        )  # fmt: skip
    tasks_drop(deal)
    Approval.objects.filter(deal=deal, status=Approval.Status.PENDING).exclude(
        kind__in=(Approval.Kind.CANCEL, Approval.Kind.REFUND)
    ).update(status=Approval.Status.REJECTED, decided_at=now, comment="deal cancelled")
    _customer_after_cancel(deal.customer_id, actor)
    audit_record(
        action=AuditEntry.Action.DEAL_CANCELLED, actor=actor, obj=deal, project=deal.project,
        details={"stage": deal.stage},
    )  # fmt: skip


def _ensure_above_floor(priced: Unit | None, price: int) -> None:
    """No manager approves a price below the unit's or package's floor price (底价)."""
    if priced is not None and priced.floor_price and price < priced.floor_price:
        raise ValidationFailed(
            _("The deal price is below the floor price; refuse it or ask for a price change."),
            code=Code.BELOW_FLOOR_PRICE,
        )


def apply_side(deal: Deal, approval: Approval, actor: User, now: datetime) -> None:
    payload = approval.payload
    if approval.kind == "change_unit":
        new = Unit.objects.get(pk=payload["unit"])
        _ensure_above_floor(new, payload["deal_price"])
        table = rules.stage_table(deal.project.kind)
        taken = Unit.objects.filter(
            Q(status=S.AVAILABLE) | Q(status=S.HELD, held_until__lte=now), pk=new.pk
        ).update(
            status=table.unit_status.get(deal.stage, S.SUBSCRIBED), held_by=None, held_for=None,
            held_until=None, version=F("version") + 1, updated_at=now,
        )  # fmt: skip
        if not taken:
            raise _taken(new)
        old = deal.unit_id
        Deal.objects.filter(pk=deal.pk).update(
            unit=new, standard_price=new.standard_price, deal_price=payload["deal_price"],
            discount_permille=rules.discount_permille(new.standard_price, payload["deal_price"]),
            version=F("version") + 1,
        )  # fmt: skip
        if old:
            Unit.objects.filter(pk=old).update(
                status=S.AVAILABLE, version=F("version") + 1, updated_at=now
            )
    elif approval.kind == "reprice":
        price = payload["deal_price"]
        _ensure_above_floor(deal.unit or deal.package, price)
        Deal.objects.filter(pk=deal.pk).update(
            deal_price=price, discount_permille=rules.discount_permille(deal.standard_price, price),
            discount_approved=True, version=F("version") + 1,
        )  # fmt: skip
    elif approval.kind == "rename":
        Deal.objects.filter(pk=deal.pk).update(
            buyer_name=payload["buyer_name"], version=F("version") + 1
        )
    elif approval.kind == "delay":
        due = date.fromisoformat(payload["due_on"])
        Deal.objects.filter(pk=deal.pk).update(due_on=due, version=F("version") + 1)
        deal.due_on = due
        tasks_redate_due(deal, now=now)
    StageChange.objects.create(
        deal=deal, project_id=deal.project_id, kind=StageChange.Kind.SIDE, stage=deal.stage,
        what=approval.kind, note=approval.reason, actor=actor, at=now,
    )  # fmt: skip


def open_tasks(deal: Deal):
    return MilestoneTask.objects.filter(deal=deal, done_at__isnull=True, dropped=False)
