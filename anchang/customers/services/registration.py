"""来电/来访登记: every call and visit registered once (docs/domain.md#one-customer-per-phone).

Unknown phone → a new customer of the registering consultant; known phone of the same
owner (or of nobody) → a return call/visit; known phone of another consultant → the
registration is kept and an ownership conflict (撞单) goes to the managers, while the
registering consultant learns only that the customer already has an owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import rules as intake_rules
from anchang.customers.choices import Gender, State
from anchang.customers.errors import Code
from anchang.customers.events import ConflictOpened, ContactRegistered, OwnerChange
from anchang.customers.models import Customer, CustomerPhone, OwnershipConflict, Registration
from anchang.customers.phones import normalise_phone
from anchang.customers.profile import PROFILE_FIELDS, stage_of
from anchang.customers.selectors import ensure_registers_in, registration_project
from anchang.customers.services.ownership import owner_change_check, owner_set
from anchang.customers.services.profile import (
    _clean_medium,
    _full_clean,
    _save_new,
    clean_name,
    ensure_offered,
    ensure_required,
    refresh_derived,
)
from anchang.errors import ValidationFailed
from anchang.events import publish
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules
from anchang.prepared import prepared

CONTENT_MAX = 2000
PRODUCT_MAX = 100
MAX_COMPANIONS = 50
CLOCK_SKEW = timedelta(minutes=5)
OLDEST = timedelta(days=31)


@dataclass(frozen=True)
class RegistrationResult:
    outcome: str
    registration: Registration
    # None when the registering user may not see the customer (a conflict).
    customer: Customer | None
    # Why a pool customer could not be taken (the claim rule's message), for a conflict.
    refusal: str = ""

    @property
    def message(self) -> str:
        if self.refusal:
            return _(
                "This customer is in the shared pool and you may not take them now: "
                "%(reason)s Your registration is kept and the managers have been asked to "
                "decide."
            ) % {"reason": self.refusal}
        if self.outcome == Registration.Outcome.NEW_CUSTOMER:
            return _("New customer registered. They are yours.")
        if self.outcome == Registration.Outcome.RETURN:
            return _("Known customer: registered as a return call or visit.")
        return _(
            "This customer already has an owner. Your registration is kept and the managers "
            "have been asked to decide."
        )


def _clean_times(kind: str, occurred_at: datetime, left_at: datetime | None, now: datetime):
    errors = {}
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = _("The time is in the future.")
    elif occurred_at < now - OLDEST:
        errors["occurred_at"] = _("More than a month ago: ask a manager to enter it.")
    if left_at is not None:
        if timezone.is_naive(left_at):
            left_at = timezone.make_aware(left_at)
        if kind != Registration.Kind.VISIT:
            errors["left_at"] = _("Only visits have a leaving time.")
        elif left_at < occurred_at:
            errors["left_at"] = _("Leaving time is before arrival.")
        elif left_at > now + CLOCK_SKEW:
            errors["left_at"] = _("The time is in the future.")
    if errors:
        raise ValidationFailed(fields=errors)
    return occurred_at, left_at


def _clean_registration(
    *, project, kind, name, gender, phone, medium_id, content, companions, intended_product
):
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, fn in (
        ("name", lambda: clean_name(name)),
        ("phone", lambda: normalise_phone(phone or "")),
        ("medium", lambda: _clean_medium(project, medium_id)),
    ):
        try:
            cleaned[key] = fn()
        except ValidationFailed as exc:
            errors.update({k: str(v) for k, v in exc.fields.items()})
    if kind not in Registration.Kind.values:
        errors["kind"] = _("Choose call or visit.")
    if gender not in Gender.values:
        errors["gender"] = _("Choose the customer's gender.")
    if cleaned.get("medium") is None and "medium" not in errors:
        errors["medium"] = _("Choose how the customer heard of us.")
    content = (content or "").strip()
    if not content:
        errors["content"] = _("Write what was discussed.")
    elif len(content) > CONTENT_MAX:
        errors["content"] = _("At most %(n)d characters.") % {"n": CONTENT_MAX}
    if not isinstance(companions, int) or not 0 <= companions <= MAX_COMPANIONS:
        errors["companions"] = _("Between 0 and %(n)d.") % {"n": MAX_COMPANIONS}
    intended_product = (intended_product or "").strip()
    if len(intended_product) > PRODUCT_MAX:
        errors["intended_product"] = _("At most %(n)d characters.") % {"n": PRODUCT_MAX}
    if errors:
        labels = [_registration_label(f) for f in sorted(errors)]
        raise ValidationFailed(
            _("Some fields are missing or not valid: %(fields)s.") % {"fields": "、".join(labels)},
            fields=errors,
        )
    cleaned.update(content=content, intended_product=intended_product)
    return cleaned


def _registration_label(field: str) -> str:
    for model in (Registration, Customer):
        try:
            return str(model._meta.get_field(field).verbose_name)
        except Exception:  # noqa: BLE001, S112 - try the next model
            continue
    return field


def _replay(actor: User, key: str) -> RegistrationResult | None:
    earlier = (
        Registration.objects.filter(consultant=actor, idempotency_key=key)
        .select_related("customer")
        .first()
    )
    if earlier is None:
        return None
    visible = earlier.outcome != Registration.Outcome.CONFLICT
    return RegistrationResult(earlier.outcome, earlier, earlier.customer if visible else None)


def registration_submit(
    *,
    actor: User,
    project: Project,
    kind: str,
    name: str,
    gender: str,
    phone: str,
    medium_id: int | None,
    content: str,
    occurred_at: datetime,
    left_at: datetime | None = None,
    companions: int = 0,
    intended_product: str = "",
    profile: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> RegistrationResult:
    """Register one call or visit. A retry with the same idempotency key returns the
    first result and writes nothing."""
    ensure_registers_in(actor, project.pk)
    if idempotency_key:
        idempotency_key = idempotency_key.strip()[:64]
        replay = _replay(actor, idempotency_key)
        if replay:
            return replay
    now = timezone.now()
    occurred_at, left_at = _clean_times(kind, occurred_at, left_at, now)
    cleaned = _clean_registration(
        project=project, kind=kind, name=name, gender=gender, phone=phone,
        medium_id=medium_id, content=content, companions=companions,
        intended_product=intended_product,
    )  # fmt: skip
    unknown = set(profile or {}) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={f: _("Unknown field.") for f in sorted(unknown)})
    conf = project_rules(project)
    # Each trade registers its own fields: floor area is not asked at a dealership.
    not_asked = set(profile or {}) - set(conf.intake.first_visit_fields)
    if not_asked:
        raise ValidationFailed(
            fields={f: _("Not asked when registering in this project.") for f in sorted(not_asked)}
        )
    ensure_offered(profile or {}, conf)
    try:
        with transaction.atomic():
            return _register(
                actor, project, kind, cleaned, gender, occurred_at, left_at, companions,
                profile or {}, idempotency_key, now,
            )  # fmt: skip
    except IntegrityError:
        # A concurrent double submit with the same key won; answer with its result.
        if idempotency_key and (replay := _replay(actor, idempotency_key)):
            return replay
        raise


_ACTOR = object()  # `credited` left out: the registering actor is credited


def _register(
    actor, project, kind, cleaned, gender, occurred_at, left_at, companions, profile,
    idempotency_key, now, *, credited: Any = _ACTOR, imported: bool = False,
) -> RegistrationResult:  # fmt: skip
    """`credited` is who the contact is credited to and who owns a new customer: the
    registering actor, or (an import, 导入) the consultant the register names, or nobody
    (an unowned customer for the assignment queue). An imported row is history: not a late
    entry, and only the call-in stage's fields are required."""
    if credited is _ACTOR:
        credited = actor
    rules = project_rules(project)
    customer, created = _find_or_create(
        actor, project, cleaned, gender, profile, kind, rules, owner=credited
    )
    refusal = None
    if created:
        outcome = Registration.Outcome.NEW_CUSTOMER
    elif credited is None:
        outcome = Registration.Outcome.RETURN  # nobody claims: nothing to dispute
    elif customer.owner_id is None and customer.pool_entered_at is not None:
        # A pool customer: registering them takes them, under the same rules as a claim
        # (cool-down, daily limit, hold cap); refused, it goes to the managers to decide.
        try:
            owner_change_check(customer, credited, actor=actor, via=OwnerChange.REGISTRATION)
        except ValidationFailed as exc:
            refusal = exc
        outcome = Registration.Outcome.CONFLICT if refusal else Registration.Outcome.RETURN
    elif customer.owner_id in (None, credited.pk):
        outcome = Registration.Outcome.RETURN
    else:
        outcome = Registration.Outcome.CONFLICT
    late = not imported and intake_rules.is_late(
        occurred_at=occurred_at, entered_at=now, day_end=rules.intake.working_day_end,
        tz=rules.tz,
    )  # fmt: skip
    registration = Registration.objects.create(
        project=project, customer=customer, kind=kind, outcome=outcome,
        consultant=credited or actor,
        occurred_at=occurred_at, left_at=left_at, is_late=late, medium=cleaned["medium"],
        name_given=cleaned["name"], content=cleaned["content"], companions=companions,
        intended_product=cleaned["intended_product"], idempotency_key=idempotency_key or None,
    )  # fmt: skip
    if outcome == Registration.Outcome.CONFLICT:
        conflict = OwnershipConflict.objects.create(
            project=project, customer=customer, registration=registration, claimant=credited,
            owner_id=customer.owner_id,
            via_second_phone=bool(customer.phone2) and cleaned["phone"] == customer.phone2,
        )  # fmt: skip
        publish(ConflictOpened(conflict=conflict))
        return RegistrationResult(
            outcome, registration, None, refusal=str(refusal.message) if refusal else ""
        )
    _count_contact(customer, kind, occurred_at)
    if not created:
        _fill_blanks(customer, cleaned, gender, profile, actor, credited)
        if customer.state in (State.LOST, State.NO_INTENT):
            # They came back: a prospect again, with all their history, on the cadence again.
            if customer.state == State.LOST and customer.owner_id:
                customer.owned_since = now  # the pool's clocks restart with the new chance
            customer.state = State.PROSPECT
    # The follow-up engine's rules (the next step on the cadence, a first grade) set their
    # fields on the customer, saved below.
    publish(
        ContactRegistered(
            customer=customer, registration=registration, actor=actor, imported=imported
        )
    )
    stage = stage_of(customer, now)
    # Required fields (docs/domain.md#required-fields) are checked at the first call and the first
    # visit. Later stages show what is missing on the card; they never block a registration.
    # A customer created by this registration has no key dates yet: not read twice more.
    care_dates = False if created else None
    if imported:
        ensure_required(customer, rules, "call_in", has_care_dates=care_dates)
    elif stage in ("call_in", "first_visit") and (created or customer.visit_count == 1):
        ensure_required(customer, rules, stage, has_care_dates=care_dates)
    refresh_derived(customer, rules, has_care_dates=care_dates)
    customer.version += 1
    customer._history_user = actor
    customer._change_reason = _("return registration")
    # A new customer's creation is already in the history; the counts are not history. (Not
    # `skip_history_when_saving = created`: simple_history skips whenever the attribute
    # exists, so a lost customer's return was missing from the history.)
    if created:
        customer.save_without_historical_record()
    else:
        customer.save()
    if created:
        audit_record(
            action=AuditEntry.Action.CUSTOMER_CREATED, actor=actor, obj=customer,
            project=project,
        )  # fmt: skip
    return RegistrationResult(outcome, registration, customer)


@prepared(text=("phone",))
def _phone_holder(*, project: int, phone: str) -> QuerySet:
    # Prepared: every registration asks (the first of the phone index's rows, as .first()).
    holders = CustomerPhone.objects.filter(project_id=project, phone=phone)
    return holders.order_by("pk").values_list("customer_id", flat=True)[:1]


def _find_or_create(actor, project, cleaned, gender, profile, kind, rules, *, owner):
    """The customer with this phone in the project, created if there is none. Two
    simultaneous first registrations of one phone give one customer: the loser of the
    unique constraint reads the winner's row."""
    for _attempt in range(3):
        found = _phone_holder(project=project.pk, phone=cleaned["phone"])
        existing = found[0] if found else None
        if existing:
            # Locked, so simultaneous returns of one customer count every contact (PostgreSQL
            # runs them side by side; SQLite's IMMEDIATE transactions already queue them).
            return Customer.objects.select_for_update().get(pk=existing), False
        customer = Customer(
            project=project, owner=owner, owned_since=timezone.now() if owner else None,
            name=cleaned["name"],
            gender=gender, phone=cleaned["phone"], medium=cleaned["medium"], created_by=actor,
        )  # fmt: skip
        for field, value in profile.items():
            setattr(customer, field, value.strip() if isinstance(value, str) else value)
        _full_clean(customer)
        refresh_derived(customer, rules)
        customer._history_user = actor
        try:
            _save_new(customer)  # in a savepoint of its own: a lost race leaves nothing
        except Exception as exc:  # noqa: BLE001 - Conflict or IntegrityError: someone won
            if getattr(exc, "code", None) != Code.DUPLICATE_PHONE and not isinstance(
                exc, IntegrityError
            ):
                raise
            continue
        return customer, True
    raise ValidationFailed(_("The phone number is being registered right now; try again."))


def _count_contact(customer: Customer, kind: str, occurred_at: datetime) -> None:
    if kind == Registration.Kind.VISIT:
        customer.visit_count += 1
    else:
        customer.call_count += 1
    if customer.first_contact_at is None or occurred_at < customer.first_contact_at:
        customer.first_contact_at = occurred_at
    if customer.last_contact_at is None or occurred_at > customer.last_contact_at:
        customer.last_contact_at = occurred_at


def _fill_blanks(customer, cleaned, gender, profile, actor, credited) -> None:
    """A return registration completes the card but never overwrites what is there."""
    # An unowned (or pooled) customer who comes back is received by this one.
    if customer.owner_id is None and credited is not None:
        owner_set(customer, credited, actor=actor, via=OwnerChange.REGISTRATION)
    if not customer.gender:
        customer.gender = gender
    if customer.medium_id is None:
        customer.medium = cleaned["medium"]
    for field, value in profile.items():
        if value in (None, "") or getattr(customer, field) not in (None, ""):
            continue
        setattr(customer, field, value.strip() if isinstance(value, str) else value)
    _full_clean(customer)


def registration_submit_input(
    *,
    actor: User,
    data: Mapping[str, Any],
    profile: dict[str, Any],
    idempotency_key: str | None = None,
) -> RegistrationResult:
    """The form and the API take the same input: one mapping of it onto the service."""
    return registration_submit(
        actor=actor, project=registration_project(actor, data["project"]), kind=data["kind"],
        name=data["name"], gender=data["gender"], phone=data["phone"],
        medium_id=data["medium"], content=data["content"], occurred_at=data["occurred_at"],
        left_at=data.get("left_at"), companions=data.get("companions") or 0,
        intended_product=data.get("intended_product") or "", profile=profile,
        idempotency_key=idempotency_key or None,
    )  # fmt: skip
