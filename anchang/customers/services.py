"""Every write to customers. The intake feature adds registration on top of these."""

from __future__ import annotations

import csv
import io

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies
from anchang.customers.models import Customer
from anchang.customers.phones import mask_phone, normalise_phone
from anchang.customers.selectors import customers_for
from anchang.errors import Conflict, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_staff

NAME_MAX = 50
EDITABLE_FIELDS = ("name",)
OWNER_ROLES = {"consultant", "manager"}


def clean_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed(fields={"name": _("Enter the customer's name.")})
    if len(name) > NAME_MAX:
        raise ValidationFailed(fields={"name": _("At most %(n)d characters.") % {"n": NAME_MAX}})
    return name


@transaction.atomic
def customer_create(
    *, actor: User, project: Project, name: str, phone: str, owner: User | None = None
) -> Customer:
    """Create a customer; one per phone per project (the database enforces it)."""
    customer = Customer(
        project=project,
        owner=owner,
        name=clean_name(name),
        phone=normalise_phone(phone),
        created_by=actor,
    )
    customer._history_user = actor  # history names the actor at every door, not only web
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:
        raise Conflict(
            _("A customer with this phone number already exists in this project."),
            code="duplicate_phone",
            fields={"phone": _("Already registered in this project.")},
        ) from exc
    audit_record(
        action=AuditEntry.Action.CUSTOMER_CREATED, actor=actor, obj=customer, project=project
    )
    return customer


def _lock_current(customer: Customer, version: int | None) -> Customer:
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if version is not None and current.version != version:
        raise Conflict(code="stale_version")
    return current


@transaction.atomic
def customer_update(
    *,
    actor: User,
    customer: Customer,
    changes: dict,
    version: int | None,
    request: HttpRequest | None = None,
) -> Customer:
    """Edit profile fields. A stale `version` answers 409, never a silent overwrite."""
    policies.ensure_can_edit_customer(actor=actor, customer=customer)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            fields={field: _("This field cannot be changed here.") for field in sorted(unknown)}
        )
    cleaned = {}
    if "name" in changes:
        cleaned["name"] = clean_name(changes["name"])
    current = _lock_current(customer, version)
    changed = [field for field, value in cleaned.items() if getattr(current, field) != value]
    if not changed:
        return current
    for field in changed:
        setattr(current, field, cleaned[field])
    current.version += 1
    current._history_user = actor
    current._change_reason = "edit"
    current.save()
    audit_record(
        action=AuditEntry.Action.CUSTOMER_UPDATED,
        actor=actor,
        obj=current,
        project=current.project,
        request=request,
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
    request: HttpRequest | None = None,
) -> Customer:
    """Hand a customer to another consultant of the same project, history kept."""
    policies.ensure_can_reassign_customer(actor=actor, customer=customer)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(fields={"reason": _("Give a reason for the reassignment.")})
    if len(reason) > 200:
        raise ValidationFailed(fields={"reason": _("At most %(n)d characters.") % {"n": 200}})
    new_owner = (
        project_staff(project=customer.project, roles=OWNER_ROLES).filter(pk=new_owner_id).first()
    )
    if new_owner is None:
        raise ValidationFailed(
            fields={"owner": _("The new owner must be a consultant of this project.")}
        )
    current = _lock_current(customer, version)
    if current.owner_id == new_owner.pk:
        return current
    previous_owner_id = current.owner_id
    previous_owner = current.owner
    current.owner = new_owner
    current.version += 1
    current._history_user = actor
    current._change_reason = reason
    current.save()
    audit_record(
        action=AuditEntry.Action.CUSTOMER_REASSIGNED,
        actor=actor,
        obj=current,
        project=current.project,
        request=request,
        details={
            "from": previous_owner_id,
            "from_name": str(previous_owner) if previous_owner else "",
            "to": new_owner.pk,
            "to_name": str(new_owner),
            "reason": reason,
        },
    )
    return current


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """Neutralise formula injection: a cell starting with = + - @ is read as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def customers_export(*, actor: User, request: HttpRequest | None = None) -> tuple[str, int]:
    """A CSV of the customers the actor may export (phones masked), audited once."""
    policies.ensure_can_export_customers(actor=actor)
    rows = (
        customers_for(actor, "export")
        .select_related("project", "owner")
        .order_by("project_id", "id")
    )
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens UTF-8 Chinese text correctly
    writer = csv.writer(out)
    writer.writerow(
        [
            _("ID"),
            _("Project"),
            pgettext("person", "Name"),
            _("Mobile"),
            _("Owner"),
            _("Registered"),
        ]
    )
    count = 0
    local = timezone.get_current_timezone()
    for c in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                c.pk,
                spreadsheet_safe(c.project.name),
                spreadsheet_safe(c.name),
                mask_phone(c.phone),
                spreadsheet_safe(c.owner.name if c.owner else ""),
                c.created_at.astimezone(local).strftime("%Y-%m-%d %H:%M"),
            ]
        )
        count += 1
    audit_record(
        action=AuditEntry.Action.EXPORTED,
        actor=actor,
        request=request,
        details={"what": "customers", "rows": count},
    )
    return out.getvalue(), count
