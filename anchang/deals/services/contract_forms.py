"""合同文本: numbered blank contract forms as controlled stock. Requested by month from the
stock and the signings expected, received into stock, issued to named staff, returned signed
(with the deal) or void, passed to finance; every move a ledger row, every move from the one
state it starts from (a conditional UPDATE), so a form is never issued twice."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang import permissions
from anchang.deals import policies, rules
from anchang.deals.errors import Code
from anchang.deals.models import ContractForm, ContractFormMove, ContractFormRequest, Deal
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_staff
from anchang.validators import fold_spaces

RECEIVE_MAX = 500  # forms received in one batch
MOVE_MAX = 200  # forms moved in one go
F = ContractForm.Status
# (status a move starts from, status it ends in)
MOVES = {
    ContractFormMove.Kind.ISSUED: ((F.IN_STOCK,), F.ISSUED),
    ContractFormMove.Kind.SIGNED: ((F.ISSUED,), F.SIGNED),
    ContractFormMove.Kind.VOID: ((F.ISSUED, F.IN_STOCK), F.VOID),
    ContractFormMove.Kind.TO_FINANCE: ((F.SIGNED, F.VOID), F.AT_FINANCE),
}


def ensure_can_keep_forms(actor: User, project: Project) -> None:
    """Who keeps the forms: whoever collects in the project (销售行政)."""
    scope = policies.deal_scope(actor, "collect")
    if not scope or project.pk not in (scope.whole | scope.own):
        raise PermissionDenied()


def form_holders(project: Project):
    """Who may be issued forms: the project's staff who work deals (`pages.deals`)."""
    return project_staff(project=project, roles=set(permissions.page_roles("deals")))


def expected_signings(project: Project) -> int:
    """Deals under way that have not reached signing: each will need a form."""
    table = rules.stage_table(project.kind)
    before = table.stages[: table.index(table.signed)]
    return Deal.objects.filter(project=project, is_active=True, stage__in=before).count()


def forms_request(
    *, actor: User, project: Project, month: date, count: int | None = None,
    now: datetime | None = None,
) -> ContractFormRequest:  # fmt: skip
    """A month's request: by default the signings expected, less the forms in stock."""
    ensure_can_keep_forms(actor, project)
    in_stock = ContractForm.objects.filter(project=project, status=F.IN_STOCK).count()
    expected = expected_signings(project)
    if count is None:
        count = max(expected - in_stock, 0)
    if not 0 <= count <= RECEIVE_MAX:
        raise ValidationFailed(fields={"count": _("From 0 to %(n)d.") % {"n": RECEIVE_MAX}})
    return ContractFormRequest.objects.create(
        project=project, month=month.replace(day=1), count=count, expected_signings=expected,
        in_stock=in_stock, requested_by=actor, at=now or timezone.now(),
    )  # fmt: skip


@transaction.atomic
def forms_receive(
    *, actor: User, project: Project, prefix: str, first: int, count: int,
    now: datetime | None = None,
) -> list[ContractForm]:  # fmt: skip
    """Numbered forms into stock: prefix + the number, 6 digits (HT-000101)."""
    ensure_can_keep_forms(actor, project)
    now = now or timezone.now()
    prefix = fold_spaces(prefix)
    errors = {}
    if len(prefix) > 20:
        errors["prefix"] = _("At most %(n)d characters.") % {"n": 20}
    if not 1 <= count <= RECEIVE_MAX:
        errors["count"] = _("From 1 to %(n)d.") % {"n": RECEIVE_MAX}
    if not 0 <= first <= 999_999 - count:
        errors["first"] = _("A number from 0 to 999,999.")
    if errors:
        raise ValidationFailed(fields=errors)
    forms = [
        ContractForm(project=project, number=f"{prefix}{n:06d}", moved_at=now)
        for n in range(first, first + count)
    ]
    try:
        with transaction.atomic():
            created = ContractForm.objects.bulk_create(forms)
    except IntegrityError:
        raise Conflict(
            _("Some of these numbers are already in the ledger."), code=Code.FORM_NUMBER_TAKEN,
            fields={"first": _("Some of these numbers are already in the ledger.")},
        ) from None  # fmt: skip
    numbers = [f.number for f in forms]
    created = list(ContractForm.objects.filter(project=project, number__in=numbers))
    ContractFormMove.objects.bulk_create(
        ContractFormMove(form=f, kind=ContractFormMove.Kind.RECEIVED, actor=actor, at=now)
        for f in created
    )
    return created


def _numbers(numbers: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(fold_spaces(n) for n in numbers if fold_spaces(n)))
    if not cleaned:
        raise ValidationFailed(fields={"numbers": _("Give the form numbers.")})
    if len(cleaned) > MOVE_MAX:
        raise ValidationFailed(fields={"numbers": _("At most %(n)d at a time.") % {"n": MOVE_MAX}})
    return cleaned


@transaction.atomic
def forms_move(
    *, actor: User, project: Project, kind: str, numbers: list[str], holder: User | None = None,
    deal: Deal | None = None, note: str = "", now: datetime | None = None,
) -> list[ContractForm]:  # fmt: skip
    """Issue to a named person, take back signed (with its deal) or void, pass to finance.
    All the numbers move or none: one not where the move starts from is named in the error."""
    ensure_can_keep_forms(actor, project)
    now = now or timezone.now()
    if kind not in MOVES:
        raise ValidationFailed(fields={"kind": _("Choose what happens to the forms.")})
    numbers = _numbers(numbers)
    note = fold_spaces(note)[: rules.NOTE_MAX]
    sources, target = MOVES[kind]
    if kind == ContractFormMove.Kind.ISSUED:
        staff = form_holders(project)
        if holder is None or not staff.filter(pk=holder.pk).exists():
            raise ValidationFailed(
                fields={"holder": _("Issue forms to a staff member of this project.")}
            )
    signed = kind == ContractFormMove.Kind.SIGNED
    if signed and (deal is None or deal.project_id != project.pk or len(numbers) != 1):
        raise ValidationFailed(
            fields={"deal": _("A signed form goes back one at a time, with its deal.")}
        )
    rows = ContractForm.objects.filter(project=project, number__in=numbers)
    moved = rows.filter(status__in=sources).update(
        status=target, moved_at=now,
        holder=holder if kind == ContractFormMove.Kind.ISSUED else None,
        deal=deal if kind == ContractFormMove.Kind.SIGNED else None,
    )  # fmt: skip
    if moved != len(numbers):
        here = set(rows.filter(status=target, moved_at=now).values_list("number", flat=True))
        missing = sorted(set(numbers) - here)[:20]
        raise Conflict(
            _("Not in the ledger, or not where this move starts from: %(n)s.")
            % {"n": ", ".join(missing)},
            code=Code.FORM_NOT_THERE, fields={"numbers": ", ".join(missing)},
        )  # fmt: skip
    forms = list(rows)
    ContractFormMove.objects.bulk_create(
        ContractFormMove(form=f, kind=kind, holder=holder, deal=deal, actor=actor, at=now,
                         note=note)
        for f in forms
    )  # fmt: skip
    return forms
