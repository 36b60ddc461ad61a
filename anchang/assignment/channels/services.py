"""渠道报备: a channel agent reports a customer and learns only whether the report is valid;
a visit inside the window is credited to the channel, then a deal inside the deal window;
the tick expires what waited too long. The first live report of a phone protects it (a
partial unique index), so two agents reporting one phone at once get one valid report."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.assignment import rules
from anchang.assignment.channels import selectors
from anchang.assignment.errors import Code
from anchang.assignment.models import ChannelAgent, ChannelCompany, ChannelReport
from anchang.customers.models import Customer
from anchang.customers.phones import normalise_phone
from anchang.customers.services.profile import clean_name
from anchang.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules
from anchang.validators import fold_spaces

S = ChannelReport.Status


class ReportLimitReached(DomainError):
    status = 429
    default_code = Code.REPORT_LIMIT


def report_submit(
    *, actor: User, name: str, phone: str, idempotency_key: str | None = None,
    now: datetime | None = None,
) -> ChannelReport:  # fmt: skip
    """An agent's report. Valid unless the phone is already the project's customer or
    another live report's; the agent is told valid or not, never why or whose."""
    now = now or timezone.now()
    agent = selectors.agent_of(actor)
    if agent is None:
        raise PermissionDenied()
    key = (idempotency_key or "").strip()[:64] or None
    earlier = (
        ChannelReport.objects.filter(agent=actor, idempotency_key=key).first() if key else None
    )
    if earlier:
        return earlier
    project = agent.company.project
    conf = project_rules(project).channels
    recent = ChannelReport.objects.filter(agent=actor, reported_at__gt=now - timedelta(hours=1))
    if recent.count() >= conf.reports_per_hour:
        raise ReportLimitReached(
            _("At most %(n)d reports an hour. Try again later.") % {"n": conf.reports_per_hour}
        )
    name = clean_name(name or "")  # the customer's name, as the registration cleans it
    phone = normalise_phone(phone or "")
    known = Customer.objects.filter(project=project, phones__phone=phone).exists()
    visit_by, deal_by = rules.report_windows(
        conf.model, reported_at=now, visit_days=conf.visit_days, deal_days=conf.deal_days
    )
    fields = {
        "project": project, "company": agent.company, "agent": actor, "name": name,
        "phone": phone, "reported_at": now, "idempotency_key": key,
    }  # fmt: skip
    if known:
        return ChannelReport.objects.create(**fields, status=S.INVALID, reason="known")
    try:
        with transaction.atomic():
            return ChannelReport.objects.create(
                **fields, status=S.VALID, visit_by=visit_by, deal_by=deal_by
            )
    except IntegrityError:
        earlier = ChannelReport.objects.filter(agent=actor, idempotency_key=key).first()
        if key and earlier:
            return earlier
        # another channel's live report protects this phone
        return ChannelReport.objects.create(**fields, status=S.INVALID, reason="reported")


def visit_credit(
    *, customer: Customer, at: datetime, via_channel: bool = True
) -> ChannelReport | None:
    """A visit of a reported phone inside the window: credited to the channel when the
    visitor came through a channel (the registration's medium); a walk-in who names another
    medium clashes with the report, and a manager decides (`report_decide`)."""
    report = selectors.live_report(customer.project_id, customer.phone)
    if report is None or report.status != S.VALID:
        return None
    if report.visit_by is not None and at > report.visit_by:
        return None  # the tick expires it
    report.visited_at = at
    report.customer = customer
    if via_channel:
        conf = project_rules(customer.project).channels
        report.status = S.VISITED
        report.deal_by = rules.deal_by_after_visit(
            conf.model, visited_at=at, deal_days=conf.deal_days, current=report.deal_by
        )
    else:
        report.status = S.DISPUTED
    report.save(update_fields=["status", "visited_at", "customer", "deal_by"])
    return report


def report_decide(
    *, actor: User, report: ChannelReport, credit: bool, note: str = ""
) -> ChannelReport:
    """A manager decides a visit that clashed with a report (渠道撞单): the channel's (the
    deal window starts at the visit) or not (the report is not valid: the visitor came on
    their own). Deciding against the channel needs a note."""
    if report.project_id not in selectors.managing_project_ids(actor):
        raise NotFound()
    note = fold_spaces(note or "")
    if len(note) > 200:
        raise ValidationFailed(fields={"note": _("At most %(n)d characters.") % {"n": 200}})
    if not credit and not note:
        raise ValidationFailed(fields={"note": _("Say why the visit is not the channel's.")})
    with transaction.atomic():
        current = ChannelReport.objects.select_for_update().get(pk=report.pk)
        if current.status != S.DISPUTED:
            raise Conflict(_("This report is not waiting for a decision."), code=Code.NOT_DISPUTED)
        current.decided_by, current.decision_note = actor, note
        if credit:
            conf = project_rules(current.project).channels
            current.status = S.VISITED
            current.deal_by = rules.deal_by_after_visit(
                conf.model, visited_at=current.visited_at, deal_days=conf.deal_days,
                current=current.deal_by,
            )  # fmt: skip
        else:
            current.status, current.reason = S.INVALID, "walk_in"
        current.save(update_fields=["status", "deal_by", "reason", "decided_by", "decision_note"])
    return current


def report_dealt(*, report: ChannelReport, customer: Customer, at: datetime) -> ChannelReport:
    """A deal inside the window: the channel is credited, its commission to be settled."""
    ChannelReport.objects.filter(pk=report.pk, status__in=selectors.LIVE).update(
        status=S.DEALT, dealt_at=at, customer=customer, commission=ChannelReport.Commission.PENDING
    )
    report.refresh_from_db()
    return report


def commission_paid(*, actor: User, report: ChannelReport) -> ChannelReport:
    if report.project_id not in selectors.managing_project_ids(actor):
        raise NotFound()
    if report.commission != ChannelReport.Commission.PENDING:
        raise ValidationFailed(fields={"commission": _("Nothing to settle on this report.")})
    ChannelReport.objects.filter(pk=report.pk).update(commission=ChannelReport.Commission.PAID)
    report.refresh_from_db()
    return report


def reports_expire(now: datetime | None = None) -> int:
    """The tick: a valid report past its visit (or deal) window, a visited one past its deal
    window, expire."""
    now = now or timezone.now()
    waited = ChannelReport.objects.filter(status=S.VALID, visit_by__lt=now).update(
        status=S.EXPIRED
    ) + ChannelReport.objects.filter(status=S.VALID, visit_by__isnull=True,
                                     deal_by__lt=now).update(status=S.EXPIRED)  # fmt: skip
    return waited + ChannelReport.objects.filter(status=S.VISITED, deal_by__lt=now).update(
        status=S.EXPIRED
    )


def company_create(
    *, actor: User, project: Project, name: str, contact: str = ""
) -> ChannelCompany:
    if project.pk not in selectors.managing_project_ids(actor):
        raise PermissionDenied()
    name = fold_spaces(name or "")
    if not name or len(name) > 60:
        raise ValidationFailed(fields={"name": _("Give a name of at most 60 characters.")})
    if ChannelCompany.objects.filter(project=project, name=name).exists():
        raise ValidationFailed(fields={"name": _("This project already has that company.")})
    contact = fold_spaces(contact or "")
    if len(contact) > 60:
        raise ValidationFailed(fields={"contact": _("At most %(n)d characters.") % {"n": 60}})
    return ChannelCompany.objects.create(project=project, name=name, contact=contact)


def agent_add(*, actor: User, company: ChannelCompany, user: User) -> ChannelAgent:
    """Link a user holding the channel role in the company's project to the company."""
    if company.project_id not in selectors.managing_project_ids(actor):
        raise PermissionDenied()
    if not selectors.agent_people(company.project).filter(pk=user.pk).exists():
        raise ValidationFailed(
            fields={"user": _("Choose someone who holds the channel role in this project.")}
        )
    if ChannelAgent.objects.filter(user_id=user.pk).exists():
        raise ValidationFailed(fields={"user": _("This agent already works for a company.")})
    return ChannelAgent.objects.create(user=user, company=company)
