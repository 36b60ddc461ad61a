"""回款: a deal's payment plan and its receipts ledger. Amounts are fen; the deal keeps the
sums of both (planned_total, received_total) in the same transaction as each entry, and the
earliest uncovered due date (collect_due_on) that the overdue list reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.dates import local_date
from anchang.dbfunctions import bigint
from anchang.deals import policies, rules
from anchang.deals.errors import Code
from anchang.deals.models import Approval, Deal, PaymentLine, Receipt
from anchang.deals.services.catalogue import approval_ask
from anchang.errors import Conflict, ValidationFailed
from anchang.org.models import User
from anchang.org.selectors import project_rules
from anchang.validators import fold_spaces

PLAN_MAX_LINES = 60


def plan_refresh(deal: Deal, *, today: date) -> None:
    """Recompute the deal's planned total and its earliest uncovered due date from the plan
    and the ledger (a handful of rows per deal)."""
    lines = list(PaymentLine.objects.filter(deal=deal).order_by("due_on", "id"))
    received = Receipt.objects.filter(deal=deal).aggregate(s=Sum("amount"))["s"] or 0
    planned = sum(line.amount for line in lines)
    due = None
    covered = received
    for line in lines:
        if covered >= line.amount:
            covered -= line.amount
            continue
        due = line.due_on
        break
    Deal.objects.filter(pk=deal.pk).update(
        planned_total=planned, received_total=received,
        collect_due_on=due if deal.is_active else None,
    )  # fmt: skip
    deal.planned_total, deal.received_total, deal.collect_due_on = planned, received, due


@dataclass(frozen=True)
class PlanLineInput:
    kind: str
    due_on: date
    amount: str  # yuan


@transaction.atomic
def plan_set(*, actor: User, deal: Deal, lines: list[PlanLineInput]) -> Deal:
    """The deal's payment plan, replaced whole: deposit, down payment, instalments, loan. It
    may not fall below what was received, nor above the deal price."""
    policies.ensure_can_deal(actor, "collect", deal)
    if not deal.is_active:
        raise Conflict(_("This deal was cancelled."), code=Code.DEAL_CLOSED)
    errors: dict[str, str] = {}
    if not lines or len(lines) > PLAN_MAX_LINES:
        errors["lines"] = _("A plan has 1 to %(n)d lines.") % {"n": PLAN_MAX_LINES}
    rows = []
    for i, line in enumerate(lines[:PLAN_MAX_LINES]):
        if line.kind not in PaymentLine.Kind.values:
            errors[f"lines.{i}.kind"] = _("Choose what the payment is.")
        try:
            fen = rules.yuan_to_fen(line.amount)
        except rules.MoneyError:
            fen = 0
        if fen <= 0:
            errors[f"lines.{i}.amount"] = _("Enter an amount above zero, at most 2 decimals.")
        rows.append(PaymentLine(deal=deal, kind=line.kind, due_on=line.due_on, amount=fen))
    total = sum(r.amount for r in rows)
    if not errors and total > deal.deal_price:
        errors["lines"] = _("The plan adds up to more than the deal price.")
    if not errors and total < deal.received_total:
        errors["lines"] = _("The plan adds up to less than what was already received.")
    if errors:
        raise ValidationFailed(fields=errors, code=Code.AMOUNT_INVALID)
    PaymentLine.objects.filter(deal=deal).delete()
    PaymentLine.objects.bulk_create(rows)
    plan_refresh(deal, today=local_date(project_rules(deal.project).tz))
    return deal


@transaction.atomic
def receipt_record(
    *, actor: User, deal: Deal, amount: str, method: str, voucher: str,
    received_on: date | None = None, idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Receipt:  # fmt: skip
    """A receipt of the clerk's: never more than what is outstanding (a conditional UPDATE
    of the deal's sum, so two at once cannot overpay), one voucher number once a project."""
    policies.ensure_can_deal(actor, "collect", deal)
    now = now or timezone.now()
    key = (idempotency_key or "").strip()[:64] or None
    if key and (earlier := Receipt.objects.filter(recorded_by=actor, idempotency_key=key).first()):
        return earlier
    today = local_date(project_rules(deal.project).tz, now)
    received_on = received_on or today
    errors: dict[str, str] = {}
    try:
        fen = rules.yuan_to_fen(amount)
    except rules.MoneyError:
        fen = 0
    if fen <= 0:
        errors["amount"] = _("Enter an amount above zero, at most 2 decimals.")
    if method not in Receipt.Method.values:
        errors["method"] = _("Choose how it was paid.")
    voucher = fold_spaces(voucher)
    if not voucher or len(voucher) > 40:
        errors["voucher"] = _("Enter the voucher number (at most 40 characters).")
    if not today - timedelta(days=366) <= received_on <= today:
        errors["received_on"] = _("Choose a day in the past year, not in the future.")
    if errors:
        raise ValidationFailed(fields=errors, code=Code.AMOUNT_INVALID)
    if not deal.is_active:
        raise Conflict(_("This deal was cancelled."), code=Code.DEAL_CLOSED)
    taken = Deal.objects.filter(
        pk=deal.pk, received_total__lte=F("planned_total") - bigint(fen)
    ).update(received_total=F("received_total") + bigint(fen))
    if not taken:
        deal.refresh_from_db()
        raise ValidationFailed(
            _("This is more than the %(left)s yuan outstanding.")
            % {"left": rules.yuan_text(deal.outstanding)},
            code=Code.OVERPAID, fields={"amount": _("More than what is outstanding.")},
        )  # fmt: skip
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(
                deal=deal, project_id=deal.project_id, amount=fen, method=method,
                voucher=voucher, recorded_by=actor, received_on=received_on, at=now,
                idempotency_key=key,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(
            _("This voucher number is already recorded."), code=Code.VOUCHER_USED,
            fields={"voucher": _("This voucher number is already recorded.")},
        ) from None  # fmt: skip
    plan_refresh(deal, today=today)
    audit_record(
        action=AuditEntry.Action.RECEIPT_RECORDED, actor=actor, obj=deal, project=deal.project,
        details={"amount": rules.yuan_plain(fen), "method": method, "receipt": receipt.pk},
    )  # fmt: skip
    return receipt


@transaction.atomic
def refund_request(*, actor: User, deal: Deal, amount: str, reason: str) -> Approval:
    """A refund is a negative entry, made when a manager approves it."""
    policies.ensure_can_deal(actor, "collect", deal)
    if deal.is_active:
        # A deal under way owes its plan: money goes back when it is cancelled (退订退款).
        raise Conflict(
            _("Only a cancelled deal's money is refunded; cancel the deal first."),
            code=Code.DEAL_NOT_CANCELLED,
        )
    reason = fold_spaces(reason)
    errors: dict[str, str] = {}
    try:
        fen = rules.yuan_to_fen(amount)
    except rules.MoneyError:
        fen = 0
    if fen <= 0:
        errors["amount"] = _("Enter an amount above zero, at most 2 decimals.")
    elif fen > deal.received_total:
        errors["amount"] = _("More than what was received.")
    if not reason or len(reason) > 300:
        errors["reason"] = _("Say why (at most 300 characters).")
    if errors:
        raise ValidationFailed(fields=errors, code=Code.AMOUNT_INVALID)
    return approval_ask(actor=actor, kind=Approval.Kind.REFUND, deal=deal, reason=reason,
                        payload={"amount": fen})  # fmt: skip


def apply_refund(deal: Deal, approval: Approval, actor: User, now: datetime) -> None:
    fen = approval.payload["amount"]
    taken = Deal.objects.filter(pk=deal.pk, received_total__gte=fen).update(
        received_total=F("received_total") - bigint(fen)
    )
    if not taken:
        raise ValidationFailed(_("More than what was received."), code=Code.OVERPAID)
    Receipt.objects.create(
        deal=deal, project_id=deal.project_id, amount=-fen, method=Receipt.Method.TRANSFER,
        voucher=f"R{approval.pk}", approval=approval, recorded_by=actor,
        received_on=local_date(project_rules(deal.project).tz, now), at=now,
    )  # fmt: skip
    plan_refresh(deal, today=local_date(project_rules(deal.project).tz, now))
    audit_record(
        action=AuditEntry.Action.RECEIPT_RECORDED, actor=actor, obj=deal, project=deal.project,
        details={"amount": rules.yuan_plain(-fen), "refund": approval.pk},
    )  # fmt: skip
