"""Follow-ups and grades: the one door to recording a contact or changing a grade."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.bulk import insert_rows
from anchang.customers import policies as customer_policies
from anchang.customers.models import Customer
from anchang.dates import local_date
from anchang.errors import Conflict, ValidationFailed
from anchang.events import publish
from anchang.followups import rules
from anchang.followups.errors import Code
from anchang.followups.events import FollowUpRecorded
from anchang.followups.models import FollowUp, GradeChange
from anchang.org.models import User
from anchang.org.selectors import project_rules
from anchang.prepared import prepared
from anchang.validators import fold_spaces

TEXT_MAX = 200
CONTENT_MAX = 2000
CLOCK_SKEW = timedelta(minutes=5)
OLDEST = timedelta(days=31)
# The customer's columns a follow-up without a grade change writes.
FOLLOWUP_MOVES = (
    "last_reached_at", "last_contact_at", "first_contact_at", "next_follow_up_on", "version",
    "updated_at",
)  # fmt: skip
# A deal or a loss stops the grade's cadence (docs/domain.md#cadence: follow-up ends at a deal).
CLOSED_STATES = ("subscribed", "owner", "lost")


def _scale(customer: Customer) -> tuple[str, ...]:
    return rules.SCALES[project_rules(customer.project).grading.scale]


def grade_suggestion(
    customer: Customer,
    *,
    checks: dict[str, bool | None] | None = None,
    signals: frozenset[str] = frozenset(),
    horizon: str | None = None,
) -> rules.Suggestion:
    """What the project's grading rules suggest for this customer (the stored checklist and
    purchase horizon unless others are given): the page, its live preview and the API."""
    spec = project_rules(customer.project).grading.spec
    return rules.suggest(
        spec,
        customer.grade_checks or {} if checks is None else checks,
        signals,
        horizon=(customer.purchase_horizon if horizon is None else horizon) or None,
    )


@prepared
def _row_locked(*, pk: int) -> QuerySet[Customer]:
    return Customer.objects.select_for_update().filter(pk=pk)


def _locked(customer: Customer) -> Customer:
    """The customer's row, locked until the transaction ends (a prepared read: every
    follow-up takes it)."""
    found = _row_locked(pk=customer.pk)
    if not found:
        raise Customer.DoesNotExist
    return found[0]


def _set_grade(current: Customer, *, actor: User, grade: str, reason: str, suggested: str) -> None:
    """Record the grade given, from what the card showed (read under the row lock). The same
    grade again with a reason is a confirmation, kept with its reason; without one, nothing
    happened and nothing is written."""
    if grade == current.grade:
        if reason:
            GradeChange.objects.create(
                customer=current, actor=actor, from_grade=grade, to_grade=grade,
                suggested=suggested or "", reason=reason[:TEXT_MAX],
            )  # fmt: skip
        return
    GradeChange.objects.create(
        customer=current, actor=actor, from_grade=current.grade, to_grade=grade,
        suggested=suggested or "", reason=reason[:TEXT_MAX],
    )  # fmt: skip
    current.grade = grade
    current._change_reason = reason[:100] or _("grade set")


@transaction.atomic
def grade_set(
    *,
    actor: User,
    customer: Customer,
    grade: str,
    reason: str,
    checks: dict[str, bool | None] | None = None,
    horizon: str | None = None,
) -> Customer:
    """Set the intent grade (意向等级); the checklist (the project's criteria) and, where
    the trade grades by it, the purchase horizon, when given, are kept with it."""
    customer_policies.ensure_can_edit_customer(actor=actor, customer=customer)
    scale = _scale(customer)
    if grade not in scale:
        raise ValidationFailed(
            fields={"grade": _("Choose one of %(grades)s.") % {"grades": "/".join(scale)}},
            code=Code.GRADE_NOT_IN_SCALE,
        )
    reason = fold_spaces(reason)
    if len(reason) > TEXT_MAX:
        raise ValidationFailed(fields={"reason": _("At most %(n)d characters.") % {"n": TEXT_MAX}})
    spec = project_rules(customer.project).grading.spec
    if checks is not None:
        unknown = set(checks) - set(spec.criteria)
        if unknown:
            raise ValidationFailed(fields={k: _("Unknown criterion.") for k in sorted(unknown)})
        bad = sorted(k for k, v in checks.items() if v not in (True, False, None))
        if bad:
            raise ValidationFailed(fields={k: _("Yes, no or not known.") for k in bad})
    if horizon is not None and horizon != "" and horizon not in rules.HORIZON_DAYS:
        raise ValidationFailed(fields={"horizon": _("Choose when the customer plans to buy.")})
    current = _locked(customer)
    if checks is not None:
        current.grade_checks = {k: checks.get(k) for k in spec.criteria}
    if horizon is not None:
        current.purchase_horizon = horizon
    suggestion = grade_suggestion(current)
    _set_grade(current, actor=actor, grade=grade, reason=reason, suggested=suggestion.grade or "")
    current._history_user = actor
    current.version += 1
    current.save()
    return current


def _replay(actor: User, key: str | None, customer: Customer) -> FollowUp | None:
    """The follow-up this key already recorded; a key reused for another customer is a
    client's bug, refused rather than answered with a different record."""
    if not key:
        return None
    earlier = FollowUp.objects.filter(author=actor, idempotency_key=key).first()
    if earlier is not None and earlier.customer_id != customer.pk:
        raise Conflict(
            _("This idempotency key was already used for another customer's follow-up."),
            code=Code.IDEMPOTENCY_KEY_REUSED,
        )
    return earlier


def followup_record(
    *,
    actor: User,
    customer: Customer,
    kind: str,
    content: str,
    reached: bool = True,
    occurred_at: datetime | None = None,
    grade: str = "",
    signals: list[str] | None = None,
    impression: str = "",
    bottleneck: str = "",
    plan: str = "",
    next_on: date | None = None,
    idempotency_key: str | None = None,
) -> FollowUp:
    """Record one contact (跟进), see `_followup_record`. A retry or a double tap with the
    same idempotency key answers with the first follow-up and writes nothing."""
    key = (idempotency_key or "").strip()[:64] or None
    customer_policies.ensure_can_edit_customer(actor=actor, customer=customer)
    if earlier := _replay(actor, key, customer):
        return earlier
    try:
        with transaction.atomic():
            return _followup_record(
                actor=actor, customer=customer, kind=kind, content=content, reached=reached,
                occurred_at=occurred_at, grade=grade, signals=signals, impression=impression,
                bottleneck=bottleneck, plan=plan, next_on=next_on, idempotency_key=key,
            )  # fmt: skip
    except IntegrityError:
        # A simultaneous submit with the same key won the unique constraint: its answer.
        if earlier := _replay(actor, key, customer):
            return earlier
        raise


def _followup_record(
    *,
    actor: User,
    customer: Customer,
    kind: str,
    content: str,
    reached: bool = True,
    occurred_at: datetime | None = None,
    grade: str = "",
    signals: list[str] | None = None,
    impression: str = "",
    bottleneck: str = "",
    plan: str = "",
    next_on: date | None = None,
    idempotency_key: str | None = None,
) -> FollowUp:
    """Record one contact (跟进). The next follow-up is the date chosen, else the cadence
    of the customer's grade from today; a reached contact keeps the customer owned."""
    customer_policies.ensure_can_edit_customer(actor=actor, customer=customer)
    project_conf = project_rules(customer.project)
    now = timezone.now()
    today = local_date(project_conf.tz, now)
    occurred_at = occurred_at or now
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    errors: dict[str, str] = {}
    code = None
    if kind not in FollowUp.Kind.values:
        errors["kind"] = _("Choose how you contacted the customer.")
    content = (content or "").strip()
    missing = rules.content_shortfall(kind, content, reached=reached)
    if missing:
        errors["content"] = _("Too short: write %(n)d more characters.") % {"n": missing}
        code = Code.CONTENT_TOO_SHORT
    elif reached and not content:
        errors["content"] = _("Write what was said.")
    if len(content) > CONTENT_MAX:
        errors["content"] = _("At most %(n)d characters.") % {"n": CONTENT_MAX}
    if occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = _("The time is in the future.")
        code = code or Code.IN_FUTURE
    elif occurred_at < now - OLDEST:
        errors["occurred_at"] = _("More than a month ago: ask a manager to enter it.")
    if next_on is not None and next_on < today:
        errors["next_on"] = _("The next follow-up cannot be in the past.")
        code = code or Code.NEXT_DATE_IN_PAST
    scale = rules.SCALES[project_conf.grading.scale]
    if grade and grade not in scale:
        errors["grade"] = _("Choose one of %(grades)s.") % {"grades": "/".join(scale)}
        code = code or Code.GRADE_NOT_IN_SCALE
    unknown_signals = set(signals or []) - set(project_conf.grading.signals)
    if unknown_signals:
        errors["signals"] = _("Unknown buying signal.")
    for field, value in (("impression", impression), ("bottleneck", bottleneck), ("plan", plan)):
        if len(value or "") > TEXT_MAX:
            errors[field] = _("At most %(n)d characters.") % {"n": TEXT_MAX}
    if errors:
        raise ValidationFailed(fields=errors, code=code or "invalid")

    backdated = now - occurred_at > timedelta(days=project_conf.grading.backdate_flag_days)
    current = _locked(customer)
    # Same-key submits queue on the customer's row lock; the later ones find the first here.
    if earlier := _replay(actor, idempotency_key, customer):
        return earlier
    graded_from = current.grade
    followup = FollowUp.objects.create(
        customer=current, project_id=current.project_id, author=actor, kind=kind,
        reached=reached, occurred_at=occurred_at, is_backdated=backdated, content=content,
        grade=grade, signals=sorted(set(signals or [])), impression=impression.strip(),
        bottleneck=bottleneck.strip(), plan=plan.strip(), next_on=next_on,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    if grade:
        reason = _("graded at a follow-up")
        suggestion = grade_suggestion(current, signals=frozenset(signals or []))
        _set_grade(current, actor=actor, grade=grade, reason=reason,
                   suggested=suggestion.grade or "")  # fmt: skip
    if reached and (current.last_reached_at is None or occurred_at > current.last_reached_at):
        current.last_reached_at = occurred_at
    if rules.is_contact(kind, reached=reached):
        # 最近联系 on the card and the list (column, sort, filter), like a registration's.
        if current.last_contact_at is None or occurred_at > current.last_contact_at:
            current.last_contact_at = occurred_at
        if current.first_contact_at is None or occurred_at < current.first_contact_at:
            current.first_contact_at = occurred_at
    current.next_follow_up_on = rules.next_follow_up(
        contacted_on=today, grade=current.grade or None, chosen=next_on,
        cadence=project_conf.grading.cadence_days, closed=current.state in CLOSED_STATES,
    )  # fmt: skip
    current._history_user = actor
    current.version += 1
    # The follow-up is its own record; the customer's history keeps only a grade change, not
    # the next date and contact times every follow-up moves (a row of ~70 columns each).
    if current.grade == graded_from:
        # Only what a follow-up moves: the whole ~70-column row was written every time.
        current.save_without_historical_record(update_fields=FOLLOWUP_MOVES)
    else:
        current.save()
    publish(FollowUpRecorded(followup=followup))  # a revisit plan's task on it is done
    return followup


def grade_after_registration(customer: Customer, *, actor: User, kind: str) -> None:
    """docs/domain.md#required-fields: a caller starts at C, a visitor by the criteria, else B.
    Only a customer with no grade yet; recorded like every other grade change. Caller
    saves the customer."""
    if customer.grade:
        return
    grade, suggested = _initial_grade(customer, kind)
    _set_grade(customer, actor=actor, grade=grade, reason=_("initial grade at registration"),
               suggested=suggested)  # fmt: skip


def _initial_grade(customer: Customer, kind: str) -> tuple[str, str]:
    """(the grade, the suggestion): a caller starts at C, a visitor by the criteria, else B."""
    scale = _scale(customer)
    suggestion = grade_suggestion(customer)
    if kind == "visit":
        return suggestion.grade or ("B" if "B" in scale else scale[1]), suggestion.grade or ""
    return ("C" if "C" in scale else scale[-1]), suggestion.grade or ""


def contacts_before_import(contacts: list, *, now: datetime) -> None:
    """What a registered contact sets on its customer, for a file's contacts before they are
    written (导入): the next follow-up (`schedule_after_import`) and, for a customer with
    none, a first grade (recorded once they have ids, by `grades_after_import`)."""
    for customer, kind, occurred_at in contacts:
        schedule_after_import(customer, kind=kind, occurred_at=occurred_at, now=now)
        if not customer.grade:
            customer.grade, customer._grade_suggested = _initial_grade(customer, kind)


def schedule_after_import(
    customer: Customer, *, kind: str, occurred_at: datetime, now: datetime
) -> None:
    """A registered contact's next follow-up, for a contact from a file: an old register's
    contact never makes a follow-up due before today; one already overdue stays so."""
    before = customer.next_follow_up_on
    schedule_after_registration(customer, kind=kind, occurred_at=occurred_at)
    today = local_date(project_rules(customer.project).tz, now)
    floor = min(before, today) if before else today
    if customer.next_follow_up_on < floor:
        customer.next_follow_up_on = floor


def grades_after_import(pairs: list, *, actor: User) -> None:
    """The first grades of a file's new customers, recorded like any other grade change."""
    insert_rows(
        GradeChange,
        [
            GradeChange(
                customer=customer,
                actor=actor,
                from_grade="",
                to_grade=customer.grade,
                suggested=getattr(customer, "_grade_suggested", ""),
                reason=_("initial grade at registration"),
            )  # fmt: skip
            for customer, registration in pairs
            if registration is not None and customer.grade
        ],
    )


def schedule_after_registration(customer: Customer, *, kind: str, occurred_at: datetime) -> None:
    """A registered call or visit is a reached contact: the playbook's next step is a visit
    invitation on day 3 after a call and a thank-you call the day after a visit. Only moves
    the date earlier, never past one a consultant chose. Caller saves the customer."""
    conf = project_rules(customer.project)
    day = local_date(conf.tz, occurred_at)
    proposed = day + timedelta(days=1 if kind == "visit" else 3)
    if customer.next_follow_up_on is None or proposed < customer.next_follow_up_on:
        customer.next_follow_up_on = proposed
    if customer.last_reached_at is None or occurred_at > customer.last_reached_at:
        customer.last_reached_at = occurred_at
