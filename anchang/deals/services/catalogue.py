"""What a project sells: buildings generated from a pattern, vehicles and packages, holds
(锁定) on the board, reservations (预留) and price changes (调价)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies as customer_policies
from anchang.customers.choices import State
from anchang.customers.models import Customer
from anchang.deals import policies, rules
from anchang.deals.errors import Code
from anchang.deals.models import Approval, Building, Unit
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules
from anchang.validators import fold_spaces

S = Unit.Status
# A hold that has run out is as good as available: the board shows it so, the tick tidies it.
TAKEABLE = Q(status=S.AVAILABLE)


def _takeable(now: datetime, actor: User) -> Q:
    return TAKEABLE | Q(status=S.HELD, held_until__lte=now) | Q(status=S.HELD, held_by=actor)


def ensure_can_manage_catalogue(actor: User, project: Project) -> None:
    if not policies.can_manage_catalogue(actor=actor, project=project):
        raise PermissionDenied()


def _price(value, field: str) -> int:
    try:
        fen = rules.yuan_to_fen(value)
    except rules.MoneyError:
        raise ValidationFailed(
            fields={field: _("Enter an amount in yuan, at most 2 decimals.")},
            code=Code.AMOUNT_INVALID,
        ) from None
    if fen <= 0:
        raise ValidationFailed(
            fields={field: _("The amount must be above zero.")}, code=Code.AMOUNT_INVALID
        )
    return fen


@transaction.atomic
def building_create(
    *, actor: User, project: Project, name: str, floors: int, units_per_floor: int,
    pattern: str = "{building}-{floor}{unit:02d}", skip_floors: tuple[int, ...] = (),
    price_per_m2: str | Decimal = "0", gross_area: str | Decimal = "0", layout: str = "",
    net_percent: int = 78, floor_percent: int = 95,
) -> Building:  # fmt: skip
    """A building and every unit of it, from floors × units per floor and a naming rule; the
    units' prices and areas come from one base (then from a sheet, units_update_from_sheet)."""
    ensure_can_manage_catalogue(actor, project)
    name = fold_spaces(name)
    errors = {}
    if not name or len(name) > 20:
        errors["name"] = _("Name the building (at most 20 characters).")
    try:
        slots = rules.building_slots(
            building=name, floors=floors, units_per_floor=units_per_floor, pattern=pattern,
            skip_floors=tuple(skip_floors),
        )  # fmt: skip
    except rules.PatternError as exc:
        errors["pattern"] = _("The pattern is not valid: %(why)s") % {"why": exc}
        slots = []
    try:
        area = Decimal(str(gross_area))
        per_m2 = rules.yuan_to_fen(price_per_m2)
    except (ArithmeticError, ValueError):
        errors["price_per_m2"] = _("Enter the price per m² and the area as numbers.")
        area, per_m2 = Decimal(0), 0
    if not (Decimal(1) <= area <= Decimal(10000)) or per_m2 <= 0:
        errors["price_per_m2"] = _("Enter a price per m² above zero and an area of 1–10,000 m².")
    if not (50 <= net_percent <= 100 and 50 <= floor_percent <= 100):
        errors["net_percent"] = _("Percentages from 50 to 100.")
    if errors:
        raise ValidationFailed(fields=errors, code=Code.PATTERN_INVALID)
    try:
        with transaction.atomic():
            building = Building.objects.create(
                project=project, name=name, floors=floors, units_per_floor=units_per_floor,
                pattern=pattern, sort_order=Building.objects.filter(project=project).count() + 1,
            )  # fmt: skip
            price = int(per_m2 * area)
            Unit.objects.bulk_create(
                Unit(
                    project=project,
                    kind=Unit.Kind.FLAT,
                    code=slot.code,
                    building=building,
                    floor=slot.floor,
                    position=slot.position,
                    layout=layout,
                    gross_area=area,
                    net_area=(area * net_percent / 100).quantize(Decimal("0.01")),
                    standard_price=price,
                    floor_price=price * floor_percent // 100,
                )  # fmt: skip
                for slot in slots
            )
    except IntegrityError:
        raise Conflict(
            _("A building or a unit with this number already exists."),
            code=Code.UNIT_NUMBER_TAKEN, fields={"name": _("Choose another name.")},
        ) from None  # fmt: skip
    return building


@transaction.atomic
def unit_create(
    *, actor: User, project: Project, kind: str, code: str, standard_price, floor_price=None,
    **fields,
) -> Unit:  # fmt: skip
    """A vehicle of the stock or a service package (a flat comes from building_create)."""
    ensure_can_manage_catalogue(actor, project)
    code = fold_spaces(code)
    if kind not in Unit.Kind.values:
        raise ValidationFailed(fields={"kind": _("Choose what is sold.")})
    if not code or len(code) > 40:
        raise ValidationFailed(fields={"code": _("Give it a number (at most 40 characters).")})
    standard = _price(standard_price, "standard_price")
    floor = _price(floor_price, "floor_price") if floor_price not in (None, "") else None
    allowed = {"model_name", "trim", "colour", "vin", "name", "layout", "orientation"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(fields={f: _("Unknown field.") for f in sorted(unknown)})
    clean = {
        k: fold_spaces(str(v))[: Unit._meta.get_field(k).max_length] for k, v in fields.items()
    }
    try:
        with transaction.atomic():
            return Unit.objects.create(
                project=project, kind=kind, code=code, standard_price=standard,
                floor_price=floor, **clean,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(
            _("A unit with this number already exists."), code=Code.UNIT_NUMBER_TAKEN,
            fields={"code": _("Choose another number.")},
        ) from None  # fmt: skip


def holds_of(actor: User, now: datetime) -> int:
    return Unit.objects.filter(status=S.HELD, held_by=actor, held_until__gt=now).count()


@transaction.atomic
def unit_hold(*, actor: User, unit: Unit, customer: Customer, now: datetime | None = None) -> Unit:
    """锁定: a consultant holds a unit for a customer for the project's minutes; a hold of
    their own is renewed. Taken by a conditional UPDATE, so two at once give one hold."""
    now = now or timezone.now()
    project = unit.project
    if not policies.may(actor, "sell", project_id=project.pk, consultant_id=actor.pk):
        raise PermissionDenied()
    customer_policies.ensure_can_edit_customer(actor=actor, customer=customer)
    if unit.kind == Unit.Kind.PACKAGE:
        raise ValidationFailed(
            _("A service package is not held: it is sold to any number of customers."),
            code=Code.UNIT_NOT_FOR_SALE,
        )
    if customer.project_id != project.pk:
        raise ValidationFailed(
            fields={"customer": _("This customer belongs to another project.")},
            code=Code.CUSTOMER_NOT_IN_PROJECT,
        )
    if customer.state == State.LOST:
        raise ValidationFailed(
            fields={"customer": _("This customer is lost; reopen them first.")},
            code=Code.CUSTOMER_LOST,
        )
    conf = project_rules(project).deals
    renewing = unit.status == S.HELD and unit.held_by_id == actor.pk
    if not renewing and holds_of(actor, now) >= conf.holds_per_consultant:
        raise Conflict(
            _("You already hold %(n)d units; release one or subscribe first.")
            % {"n": conf.holds_per_consultant},
            code=Code.HOLD_CAP,
        )
    until = now + timedelta(minutes=conf.hold_minutes)
    taken = Unit.objects.filter(_takeable(now, actor), pk=unit.pk).update(
        status=S.HELD, held_by=actor, held_for=customer, held_until=until,
        version=F("version") + 1, updated_at=now,
    )  # fmt: skip
    if not taken:
        raise _taken(unit)
    unit.refresh_from_db()
    return unit


def _taken(unit: Unit) -> Conflict:
    """Said the same whoever holds it: the board shows the status, never the holder's customer."""
    if unit.status == S.WITHDRAWN:
        return Conflict(_("This unit is not for sale."), code=Code.UNIT_NOT_FOR_SALE)
    return Conflict(
        _("This unit was just taken (held, reserved or sold); choose another."),
        code=Code.UNIT_TAKEN,
    )


@transaction.atomic
def unit_release(*, actor: User, unit: Unit, now: datetime | None = None) -> Unit:
    """Give a hold back: by who holds it, or by who may approve in the project."""
    now = now or timezone.now()
    mine = Q(held_by=actor)
    if policies.can_approve_in(actor=actor, project_id=unit.project_id):
        mine = Q()
    released = Unit.objects.filter(mine, pk=unit.pk, status=S.HELD).update(
        status=S.AVAILABLE, held_by=None, held_for=None, held_until=None,
        version=F("version") + 1, updated_at=now,
    )  # fmt: skip
    if not released:
        raise Conflict(_("You do not hold this unit."), code=Code.HOLD_NOT_YOURS)
    unit.refresh_from_db()
    return unit


def holds_release_expired(now: datetime) -> int:
    """The tick's tidying: holds past their minutes return to sale (the board already showed
    them available)."""
    return Unit.objects.filter(status=S.HELD, held_until__lte=now).update(
        status=S.AVAILABLE, held_by=None, held_for=None, held_until=None,
        version=F("version") + 1, updated_at=now,
    )  # fmt: skip


@transaction.atomic
def unit_reserve_request(*, actor: User, unit: Unit, reason: str) -> Approval:
    """预留: set a unit aside (for a VIP, a relocation, the developer); a manager approves."""
    ensure_can_manage_catalogue(actor, unit.project)
    reason = fold_spaces(reason)
    if not reason or len(reason) > 200:
        raise ValidationFailed(fields={"reason": _("Say why (at most 200 characters).")})
    if unit.status != S.AVAILABLE:
        raise _taken(unit)
    return approval_ask(actor=actor, kind=Approval.Kind.RESERVE, unit=unit, reason=reason)


@transaction.atomic
def price_change_request(
    *, actor: User, unit: Unit, new_price, new_floor_price=None, reason: str
) -> Approval:
    """调价: asked, then approved by a manager; the unit keeps its price until then, and every
    change stays in the history (approvals of kind price)."""
    ensure_can_manage_catalogue(actor, unit.project)
    reason = fold_spaces(reason)
    errors = {}
    if not reason or len(reason) > 300:
        errors["reason"] = _("Say why (at most 300 characters).")
    if errors:
        raise ValidationFailed(fields=errors)
    price = _price(new_price, "new_price")
    floor = (
        _price(new_floor_price, "new_floor_price") if new_floor_price not in (None, "") else None
    )
    if floor is not None and floor > price:
        raise ValidationFailed(
            fields={"new_floor_price": _("The floor price cannot be above the standard price.")}
        )
    payload = {
        "old_price": unit.standard_price, "new_price": price,
        "old_floor_price": unit.floor_price, "new_floor_price": floor,
    }  # fmt: skip
    return approval_ask(actor=actor, kind=Approval.Kind.PRICE, unit=unit, reason=reason,
                        payload=payload)  # fmt: skip


def approval_ask(
    *, actor: User, kind: str, reason: str, unit: Unit | None = None, deal=None,
    payload: dict | None = None, now: datetime | None = None,
) -> Approval:  # fmt: skip
    """One pending approval per subject and kind (a database constraint)."""
    project_id = deal.project_id if deal is not None else unit.project_id
    try:
        with transaction.atomic():
            approval = Approval.objects.create(
                project_id=project_id, kind=kind, deal=deal, unit=unit, payload=payload or {},
                reason=reason, requested_by=actor, requested_at=now or timezone.now(),
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(
            _("The same request is already waiting for a decision."), code=Code.APPROVAL_PENDING
        ) from None
    audit_record(
        action=AuditEntry.Action.APPROVAL_ASKED, actor=actor, obj=approval,
        project=deal.project if deal is not None else unit.project,
        details={
            "kind": kind, "deal": getattr(deal, "pk", None), "unit": getattr(unit, "pk", None),
        },
    )  # fmt: skip
    return approval


@transaction.atomic
def unit_withdraw(
    *, actor: User, unit: Unit, reason: str, back: bool = False, now: datetime | None = None
) -> Unit:
    """不可售: an available unit taken off sale (a show flat, a defect, the developer keeps
    it), or such a unit put back on sale (`back`), by whoever keeps the catalogue."""
    ensure_can_manage_catalogue(actor, unit.project)
    reason = fold_spaces(reason)
    if not back and (not reason or len(reason) > 200):
        raise ValidationFailed(fields={"reason": _("Say why (at most 200 characters).")})
    source, target = (S.WITHDRAWN, S.AVAILABLE) if back else (S.AVAILABLE, S.WITHDRAWN)
    changed = Unit.objects.filter(pk=unit.pk, status=source).update(
        status=target, reserve_reason="" if back else reason, version=F("version") + 1,
        updated_at=now or timezone.now(),
    )  # fmt: skip
    if not changed:
        unit.refresh_from_db()
        raise _taken(unit)
    audit_record(
        action=AuditEntry.Action.UNIT_STATUS, actor=actor, obj=unit, project=unit.project,
        details={"unit": unit.pk, "status": target, "reason": reason},
    )  # fmt: skip
    unit.refresh_from_db()
    return unit
