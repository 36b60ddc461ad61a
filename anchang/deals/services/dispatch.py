"""派单 (home improvement): when an order pays its deposit or books a measuring, the project's
rules propose the next designer (deals.rules.propose_designer); a manager confirms or gives
it to another with a reason; a designer who refuses is logged and paused. The cap of open
orders per designer holds on every path that gives one an order (confirm, override)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anchang import permissions
from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers.choices import DecorStyle
from anchang.dates import local_date
from anchang.deals import policies, rules
from anchang.deals.errors import Code
from anchang.deals.models import Deal, DesignerProfile, Dispatch, StageChange
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.org.models import Membership, Project, User
from anchang.org.selectors import project_rules
from anchang.validators import fold_spaces

CONVERSION_WINDOW = timedelta(days=90)
NOTE_MAX = rules.NOTE_MAX
# Why a designer gets no order now (deals.rules.dispatch_refusal), in words.
REFUSALS = {
    "dispatch_cap": (
        Code.DISPATCH_CAP,
        gettext_lazy("%(name)s already has %(n)d open orders with a deposit."),
    ),
    "dispatch_paused": (Code.DISPATCH_PAUSED, gettext_lazy("%(name)s is paused until %(day)s.")),
    "dispatch_not_converting": (
        Code.DISPATCH_NOT_CONVERTING,
        gettext_lazy("%(name)s's quotes have not been converting lately."),
    ),
}


def refusal_text(code: str, *, name: str, cap: int, paused_until) -> str:
    return str(REFUSALS[code][1]) % {"name": name, "n": cap, "day": paused_until}


def designer_ids(project: Project) -> set[int]:
    """Who designs in the project: the holders of a role with the `designs` duty."""
    return set(
        Membership.objects.filter(
            project=project, is_active=True, role__in=sorted(permissions.duty_roles("designs"))
        ).values_list("user_id", flat=True)
    )


def _open_orders(project: Project, user_ids) -> dict[int, int]:
    """Orders with a deposit and no contract yet (定金单), by designer: what the cap counts;
    a signed order is a project under way, no longer a lead to design for."""
    table = rules.stage_table(project.kind)
    open_stages = table.stages[: table.index(table.signed)]
    rows = (
        Deal.objects.filter(
            project=project,
            designer_id__in=list(user_ids),
            is_active=True,
            stage__in=open_stages,
        )  # fmt: skip
        .values("designer_id")
        .annotate(n=Count("id"))
    )
    return {r["designer_id"]: r["n"] for r in rows}


def _conversion(project: Project, user_ids, now: datetime) -> dict[int, tuple[int, int]]:
    """Quotes and contracts in the last 90 days, by designer."""
    rows = (
        StageChange.objects.filter(
            project=project,
            kind=StageChange.Kind.ENTERED,
            stage__in=("quote", "contract"),
            at__gte=now - CONVERSION_WINDOW,
            deal__designer_id__in=list(user_ids),
        )  # fmt: skip
        .values("deal__designer_id", "stage")
        .annotate(n=Count("id"))
    )
    out: dict[int, list[int]] = {}
    for r in rows:
        pair = out.setdefault(r["deal__designer_id"], [0, 0])
        pair[0 if r["stage"] == "quote" else 1] += r["n"]
    return {k: (v[0], v[1]) for k, v in out.items()}


def candidates(project: Project, now: datetime) -> list[rules.Candidate]:
    """Every active designer of the project, with what the rules weigh."""
    ids = designer_ids(project)
    profiles = {
        p.user_id: p
        for p in DesignerProfile.objects.filter(project=project, user_id__in=ids, is_active=True)
    }
    opened = _open_orders(project, profiles)
    converted = _conversion(project, profiles, now)
    return [
        rules.Candidate(
            user_id=uid,
            priority=p.priority,
            styles=tuple(p.styles or ()),
            senior=p.senior,
            open_orders=opened.get(uid, 0),
            paused_until=p.paused_until,
            quotes=converted.get(uid, (0, 0))[0],
            contracts=converted.get(uid, (0, 0))[1],
        )  # fmt: skip
        for uid, p in sorted(profiles.items())
    ]


def dispatch_propose(deal: Deal, *, now: datetime | None = None) -> Dispatch | None:
    """The rules' proposal for an order without a designer (once: one open at a time)."""
    now = now or timezone.now()
    project = deal.project
    if deal.designer_id or not deal.is_active:
        return None
    if Dispatch.objects.filter(deal=deal, status=Dispatch.Status.PROPOSED).exists():
        return None
    conf = project_rules(project)
    proposal = rules.propose_designer(
        candidates(project, now), style=deal.customer.decor_style or "",
        amount_fen=deal.deal_price, today=local_date(conf.tz, now), conf=conf.deals,
    )  # fmt: skip
    try:
        with transaction.atomic():
            return Dispatch.objects.create(
                deal=deal, project=project, proposed_id=proposal.user_id,
                reasons=list(proposal.reasons), at=now,
            )  # fmt: skip
    except IntegrityError:  # proposed at the same moment by another request
        return None


@transaction.atomic
def dispatch_decide(
    *, actor: User, dispatch: Dispatch, designer: User | None = None, note: str = "",
    now: datetime | None = None,
) -> Dispatch:  # fmt: skip
    """A manager confirms the proposed designer, or gives the order to another with a reason.
    The chosen designer's profile row is locked while their open orders are counted, so two
    confirmations at once cannot pass the cap together."""
    now = now or timezone.now()
    deal = dispatch.deal
    policies.ensure_can_deal(actor, "approve", deal)
    note = fold_spaces(note)
    if len(note) > NOTE_MAX:
        raise ValidationFailed(fields={"note": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    chosen = designer or dispatch.proposed
    if chosen is None:
        raise ValidationFailed(fields={"assign_to": _("Nobody was free: choose a designer.")})
    overriding = chosen.pk != dispatch.proposed_id
    if overriding and not note:
        raise ValidationFailed(fields={"note": _("Say why the order goes to another designer.")})
    project = deal.project
    if chosen.pk not in designer_ids(project):
        raise ValidationFailed(
            fields={"assign_to": _("Not a designer of this project.")}, code=Code.NOT_A_DESIGNER
        )
    conf = project_rules(project)
    profile = (
        DesignerProfile.objects.select_for_update()
        .filter(project=project, user=chosen, is_active=True)
        .first()
    )
    if profile is None:
        raise ValidationFailed(
            fields={"assign_to": _("This designer takes no orders.")}, code=Code.NOT_A_DESIGNER
        )
    candidate = next(c for c in candidates(project, now) if c.user_id == chosen.pk)
    refusal = rules.dispatch_refusal(candidate, today=local_date(conf.tz, now), conf=conf.deals)
    if refusal:
        text = refusal_text(
            refusal, name=str(chosen), cap=conf.deals.dispatch_open_cap,
            paused_until=candidate.paused_until,
        )  # fmt: skip
        raise Conflict(text, code=REFUSALS[refusal][0], fields={"assign_to": text})
    status = Dispatch.Status.OVERRIDDEN if overriding else Dispatch.Status.CONFIRMED
    decided = Dispatch.objects.filter(pk=dispatch.pk, status=Dispatch.Status.PROPOSED).update(
        status=status, designer=chosen, note=note, decided_by=actor, decided_at=now
    )
    if not decided:
        raise Conflict(_("This order has already been dispatched."), code=Code.DISPATCH_DECIDED)
    Deal.objects.filter(pk=deal.pk).update(designer=chosen)
    deal.designer = chosen
    dispatch.refresh_from_db()
    audit_record(
        action=AuditEntry.Action.APPROVAL_DECIDED, actor=actor, obj=dispatch, project=project,
        details={"kind": "dispatch", "decision": status, "deal": deal.pk, "to": chosen.pk},
    )  # fmt: skip
    return dispatch


@transaction.atomic
def dispatch_refuse(*, actor: User, deal: Deal, note: str, now: datetime | None = None) -> Dispatch:
    """The designer gives an order back, with a reason: logged, the designer pauses for the
    project's days, and the rules propose the next one."""
    now = now or timezone.now()
    if deal.designer_id != actor.pk:
        raise PermissionDenied(_("Only the order's designer can refuse it."))
    note = fold_spaces(note)
    if not note or len(note) > NOTE_MAX:
        raise ValidationFailed(fields={"note": _("Say why (at most 300 characters).")})
    conf = project_rules(deal.project)
    refused = Dispatch.objects.create(
        deal=deal, project=deal.project, designer=actor, status=Dispatch.Status.REFUSED,
        note=note, at=now, decided_by=actor, decided_at=now,
    )  # fmt: skip
    Deal.objects.filter(pk=deal.pk).update(designer=None)
    deal.designer = None
    DesignerProfile.objects.filter(project=deal.project, user=actor).update(
        paused_until=local_date(conf.tz, now) + timedelta(days=conf.deals.dispatch_pause_days)
    )
    dispatch_propose(deal, now=now)
    return refused


@transaction.atomic
def designer_profile_set(
    *, actor: User, project: Project, user: User, priority: int = 100,
    styles: list[str] | None = None, senior: bool = False, is_active: bool = True,
) -> DesignerProfile:  # fmt: skip
    """How dispatch reads a designer: set by whoever keeps the project's catalogue."""
    if not policies.can_manage_catalogue(actor=actor, project=project):
        raise PermissionDenied()
    if user.pk not in designer_ids(project):
        raise ValidationFailed(
            fields={"user": _("Not a designer of this project.")}, code=Code.NOT_A_DESIGNER
        )
    styles = list(dict.fromkeys(styles or []))
    if set(styles) - set(DecorStyle.values):
        raise ValidationFailed(fields={"styles": _("Choose among the styles offered.")})
    if not 0 <= priority <= 1000:
        raise ValidationFailed(fields={"priority": _("A priority from 0 to 1000.")})
    profile, _created = DesignerProfile.objects.update_or_create(
        project=project, user=user,
        defaults={"priority": priority, "styles": styles, "senior": senior,
                  "is_active": is_active},
    )  # fmt: skip
    return profile
