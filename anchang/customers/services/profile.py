"""Customer records: create, edit the profile, change hands. Derived fields (search keys,
completeness, phone index) are kept here, in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies
from anchang.customers import rules as intake_rules
from anchang.customers.choices import MANUAL_STATES
from anchang.customers.errors import Code
from anchang.customers.events import OwnerChange
from anchang.customers.models import Customer, CustomerPhone, Medium
from anchang.customers.phones import normalise_phone
from anchang.customers.profile import PROFILE_FIELDS, field_label, profile_values, stage_of
from anchang.customers.search import name_keys
from anchang.customers.services.ownership import owner_change_check, owner_set
from anchang.errors import Conflict, ValidationFailed
from anchang.ids import parse_id
from anchang.org.models import Project, User
from anchang.org.rules import ProjectRules
from anchang.org.selectors import project_owners, project_rules
from anchang.prepared import prepared
from anchang.validators import fold_spaces

NAME_MAX = 50
EDITABLE_FIELDS = ["name", "phone", "phone2", "medium", "state", *PROFILE_FIELDS]

REASSIGN_REASON_MAX = 200  # the reason a manager gives for moving a customer (both doors)


def clean_name(value: str) -> str:
    name = fold_spaces(value)
    if not name:
        raise ValidationFailed(fields={"name": _("Enter the customer's name.")})
    if len(name) > NAME_MAX:
        raise ValidationFailed(fields={"name": _("At most %(n)d characters.") % {"n": NAME_MAX}})
    return name


def refresh_derived(
    customer: Customer, rules: ProjectRules, *, has_care_dates: bool | None = None
) -> None:
    """Search keys and completeness, recomputed from the record itself (its key dates read
    unless the caller knows whether it has any)."""
    customer.name_pinyin, customer.name_initials = name_keys(customer.name)
    customer.phone_last4 = customer.phone[-4:]
    values = profile_values(customer, has_care_dates=has_care_dates)
    customer.completeness = intake_rules.completeness_percent(values, rules.completeness.weights)


def ensure_required(
    customer: Customer, rules: ProjectRules, stage: str, *, has_care_dates: bool | None = None
) -> None:
    """Name every field the stage requires that is still empty (docs/domain.md#required-fields)."""
    required = rules.intake.required.get(stage, [])
    values = profile_values(customer, has_care_dates=has_care_dates)
    missing = intake_rules.missing_required(values, required)
    if missing:
        labels = {f: field_label(f) for f in missing}
        raise ValidationFailed(
            _("Fill in the fields this stage requires: %(fields)s.")
            % {"fields": "、".join(str(v) for v in labels.values())},
            code=Code.REQUIRED_FIELDS_MISSING,
            fields={f: _("Required at this stage.") for f in missing},
        )


def ensure_offered(values: dict[str, Any], rules: ProjectRules) -> None:
    """A choice the project's trade does not offer (an SUV at a sales centre) is refused."""
    errors = {
        field: _("Not offered in this project: choose one of the listed values.")
        for field, codes in rules.intake.options.items()
        if values.get(field) not in (None, "") and values[field] not in codes
    }
    if errors:
        raise ValidationFailed(fields=errors, code=Code.NOT_OFFERED)


def _full_clean(customer: Customer) -> None:
    try:
        customer.full_clean(
            exclude=["project", "owner", "created_by", "medium", "phone", "phone2"],
            validate_unique=False,
            validate_constraints=False,
        )
    except DjangoValidationError as exc:
        raise ValidationFailed(
            fields={k: " ".join(str(m) for m in v) for k, v in exc.message_dict.items()}
        ) from exc


def _clean_medium(project: Project, medium_id) -> Medium | None:
    if medium_id in (None, ""):
        return None
    found = _active_medium(pk=parse_id(medium_id) or 0, project=project.pk)
    if not found:
        raise ValidationFailed(fields={"medium": _("Choose an awareness medium of this project.")})
    return found[0]


@prepared
def _active_medium(*, pk: int, project: int) -> QuerySet[Medium]:
    # Prepared: every registration checks its medium.
    return Medium.objects.filter(pk=pk, project_id=project, is_active=True)


def _sync_phones(customer: Customer, *, new: bool = False) -> None:
    """Mirror phone/phone2 into the unique phone index; a taken number is a clear error.
    A customer just inserted (`new`) has no index rows to read."""
    wanted = {1: customer.phone, 2: customer.phone2}
    existing = {} if new else {p.slot: p for p in customer.phones.all()}
    for slot, number in wanted.items():
        row = existing.get(slot)
        if not number:
            if row:
                row.delete()
            continue
        if row and row.phone == number:
            continue
        try:
            with transaction.atomic():
                if row:
                    row.phone = number
                    row.save(update_fields=["phone"])
                else:
                    CustomerPhone.objects.create(
                        project_id=customer.project_id, customer=customer, phone=number, slot=slot
                    )
        except IntegrityError as exc:
            field = "phone" if slot == 1 else "phone2"
            raise Conflict(
                _("This phone number already belongs to another customer of this project."),
                code=Code.DUPLICATE_PHONE,
                fields={field: _("Already registered in this project.")},
            ) from exc


def _save_new(customer: Customer) -> Customer:
    try:
        with transaction.atomic():
            customer.save()
            _sync_phones(customer, new=True)
    except IntegrityError as exc:
        raise Conflict(
            _("A customer with this phone number already exists in this project."),
            code=Code.DUPLICATE_PHONE,
            fields={"phone": _("Already registered in this project.")},
        ) from exc
    return customer


@transaction.atomic
def customer_create(
    *,
    actor: User,
    project: Project,
    name: str,
    phone: str,
    owner: User | None = None,
    profile: dict[str, Any] | None = None,
) -> Customer:
    """A customer record without a registration (imports, demo data, tests).
    One per phone per project: the database enforces it."""
    rules = project_rules(project)
    customer = Customer(
        project=project,
        owner=owner,
        owned_since=timezone.now() if owner else None,
        name=clean_name(name),
        phone=normalise_phone(phone),
        created_by=actor,
    )
    for field, value in (profile or {}).items():
        setattr(customer, field, value)
    _full_clean(customer)
    refresh_derived(customer, rules)
    customer._history_user = actor  # history names the actor at every door, not only web
    _save_new(customer)
    audit_record(
        action=AuditEntry.Action.CUSTOMER_CREATED, actor=actor, obj=customer, project=project
    )
    return customer


def _lock_current(customer: Customer, version: int | None) -> Customer:
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if version is not None and current.version != version:
        raise Conflict(code=Code.STALE_VERSION)
    return current


@transaction.atomic
def customer_update(
    *,
    actor: User,
    customer: Customer,
    changes: dict[str, Any],
    version: int | None,
) -> Customer:
    """Edit the card. A stale `version` answers 409, never a silent overwrite; a state change
    needs the fields its stage requires; every change is kept in the history."""
    policies.ensure_can_edit_customer(actor=actor, customer=customer)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            fields={field: _("This field cannot be changed here.") for field in sorted(unknown)}
        )
    phones = sorted({"phone", "phone2"} & set(changes))
    if phones and not policies.can_see_full_phone(actor=actor, customer=customer):
        # Refused before any value is looked at: a "repeats the mobile" or "already
        # registered" answer would confirm a guess of a number the editor sees masked.
        raise ValidationFailed(
            _("Only who may see the full number may change it."),
            code=Code.PHONE_NOT_EDITABLE,
            fields={f: _("You see this number masked; you cannot change it.") for f in phones},
        )
    current = _lock_current(customer, version)
    rules = project_rules(current.project)
    before = {f: getattr(current, f) for f in EDITABLE_FIELDS if f != "medium"}
    before["medium"] = current.medium_id
    for field, value in changes.items():
        if field == "name":
            value = clean_name(value)
        elif field in ("phone", "phone2"):
            value = normalise_phone(value) if value else ""
            if field == "phone" and not value:
                raise ValidationFailed(fields={"phone": _("A customer needs a mobile number.")})
        elif field == "medium":
            current.medium = _clean_medium(current.project, value)
            continue
        elif field == "state":
            # Lost, subscribed and owner are entered and left only through their workflows
            # (loss approval, deals, a return registration): an edit neither sets nor undoes them.
            if value != current.state and not {value, current.state} <= MANUAL_STATES:
                raise ValidationFailed(
                    _("This state is set and left only by the deal or loss workflow."),
                    code=Code.STATE_WORKFLOW_OWNED,
                    fields={"state": _("This state is set by the deal or loss workflow.")},
                )
        elif isinstance(value, str):
            value = value.strip()
        setattr(current, field, value)
    if current.phone2 and current.phone2 == current.phone:
        raise ValidationFailed(fields={"phone2": _("The second phone repeats the mobile.")})
    _full_clean(current)
    ensure_offered({f: v for f, v in changes.items() if before.get(f) != v}, rules)
    changed = [
        f
        for f in before
        if before[f] != (current.medium_id if f == "medium" else getattr(current, f))
    ]
    if not changed:
        return current
    if "state" in changed:
        ensure_required(current, rules, stage_of(current))
    refresh_derived(current, rules)
    current.version += 1
    current._history_user = actor
    current._change_reason = "edit"
    try:
        with transaction.atomic():
            current.save()
            if {"phone", "phone2"} & set(changed):
                _sync_phones(current)
    except IntegrityError as exc:
        raise Conflict(
            _("This phone number already belongs to another customer of this project."),
            code=Code.DUPLICATE_PHONE,
            fields={"phone": _("Already registered in this project.")},
        ) from exc
    audit_record(
        action=AuditEntry.Action.CUSTOMER_UPDATED,
        actor=actor,
        obj=current,
        project=current.project,
        details={"fields": changed},
    )
    return current


@transaction.atomic
def customer_reassign(
    *,
    actor: User,
    customer: Customer,
    new_owner_id: int,
    reason: str,
    version: int | None = None,
    over_cap: str = "",
    new_owner: User | None = None,
) -> Customer:
    """Hand a customer to another consultant of the same project, history kept. `over_cap`:
    the manager's reason to go over the hold cap (assignment and handover), recorded in the
    audit entry. `new_owner`: the owner already read and checked by a bulk caller."""
    policies.ensure_can_reassign_customer(actor=actor, customer=customer)
    reason = _reason(reason, "reason", _("Give a reason for the reassignment."))
    over_cap = _reason(over_cap, "over_cap", None) if over_cap else ""
    if new_owner is None or new_owner.pk != new_owner_id:
        new_owner = project_owners(customer.project).filter(pk=new_owner_id).first()
    if new_owner is None:
        raise ValidationFailed(
            fields={"owner": _("The new owner must be a consultant of this project.")}
        )
    current = _lock_current(customer, version)
    if current.owner_id == new_owner.pk:
        return current
    return _change_owner(current, new_owner, actor=actor, reason=reason, over_cap=over_cap)


def _reason(text: str, field: str, missing) -> str:
    text = fold_spaces(text)
    if not text and missing is not None:
        raise ValidationFailed(fields={field: missing})
    if len(text) > REASSIGN_REASON_MAX:
        raise ValidationFailed(
            fields={field: _("At most %(n)d characters.") % {"n": REASSIGN_REASON_MAX}}
        )
    return text


def _change_owner(
    current: Customer, new_owner: User | None, *, actor: User, reason: str, over_cap: str = ""
) -> Customer:
    via = OwnerChange.OVER_CAP if over_cap else OwnerChange.REASSIGNMENT
    if new_owner is not None:
        # The pool's hold cap binds a manager's reassignment as it binds a hand-out, unless
        # the manager goes over it with a reason (recorded below).
        owner_change_check(current, new_owner, actor=actor, via=via)
    previous_owner = current.owner
    owner_set(current, new_owner, actor=actor, via=via)
    current.version += 1
    current._history_user = actor
    current._change_reason = reason
    current.save()
    audit_record(
        action=AuditEntry.Action.CUSTOMER_REASSIGNED,
        actor=actor,
        obj=current,
        project=current.project,
        details={
            "from": previous_owner.pk if previous_owner else None,
            "from_name": str(previous_owner) if previous_owner else "",
            "to": new_owner.pk if new_owner else None,
            "to_name": str(new_owner) if new_owner else "",
            "reason": reason,
            **({"over_cap": over_cap} if over_cap else {}),
        },
    )
    return current
