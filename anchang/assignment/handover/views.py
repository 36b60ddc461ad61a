"""Assignment pages: the queue of unowned customers (待分配), customers whose follow-up has
lapsed (跟进不力), and a leaver's handover (离职交接) with its preview. Thin doors onto
handover.services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anchang.assignment.handover import forms, selectors, services
from anchang.dates import local_date
from anchang.errors import DomainError
from anchang.forms_errors import form_error
from anchang.ids import parse_choice, parse_id
from anchang.org.selectors import project_rules


def _project(request):
    if not selectors.assigning_projects(request.user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    return selectors.assigning_project(request.user, source.get("project"))


def _people(people, chosen) -> list:
    """The colleagues ticked, in the order listed (the form allows only these)."""
    return [c.user for c in people if c.user.pk in set(chosen)]


def _done(request, result) -> None:
    names = {t.user.pk: str(t.user) for t in result.takers}
    parts = [f"{names[pk]} {len(ids)}" for pk, ids in result.to.items() if ids]
    moved = sum(len(ids) for ids in result.to.values())
    messages.success(
        request, _("%(n)d customers assigned: %(parts)s.") % {"n": moved, "parts": ", ".join(parts)}
    )


def _lapsed_days(request) -> int:
    raw = request.GET.get("days") or request.POST.get("days")
    return parse_choice(raw, selectors.OVERDUE_DAYS) or 7


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, kind: str = "queue"):
    """The queue (kind "queue") or the lapsed customers (kind "lapsed"): tick customers, choose
    colleagues and the rule, give a reason."""
    project = _project(request)
    today = local_date(project_rules(project).tz)
    days = _lapsed_days(request)
    owner = parse_id(request.GET.get("owner")) if request.GET.get("owner") else None
    if kind == "lapsed":
        rows_q = selectors.lapsed(request.user, project, today=today, days=days, owner_id=owner)
    else:
        rows_q = selectors.queue(request.user, project)
    rows = selectors.listed(rows_q, today)
    people = selectors.colleagues(project)
    form = forms.AssignForm(request.POST or None, people=people, rows=rows)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            chosen = [r for r in rows if r.pk in set(data["customers"])]
            try:
                result = services.customers_spread(
                    actor=request.user, project=project, customers=chosen,
                    to=_people(people, data["to"]), how=data["how"], reason=data["reason"],
                    over_cap=data["over_cap"],
                )  # fmt: skip
            except DomainError as error:
                status = form_error(form, error)
            else:
                _done(request, result)
                query = f"?project={project.pk}" + (f"&days={days}" if kind == "lapsed" else "")
                return redirect(reverse(f"assignment:{kind}") + query)
    context = {
        "project": project, "projects": selectors.assigning_projects(request.user),
        "kind": kind, "rows": rows, "more": len(rows) >= selectors.LIST_MAX, "form": form,
        "days": days, "days_choices": selectors.OVERDUE_DAYS, "people": people,
        "owner": owner,
    }  # fmt: skip
    return render(request, "assignment/assign.html", context, status=status)


def _signature(data) -> str:
    """What a handover's preview showed: the leaver, the colleagues, the rule."""
    return f"{data['leaver']}:{','.join(map(str, sorted(data['to'])))}:{data['how']}"


@login_required
@require_http_methods(["GET", "POST"])
def handover(request):
    """离职交接: choose the leaver and the colleagues, read the preview, confirm."""
    project = _project(request)
    leavers = selectors.owners_with_customers(project)
    everyone = selectors.colleagues(project, include={u.pk for u in leavers})
    people = [c for c in everyone if c.takes]
    form = forms.HandoverForm(request.POST or None, people=people, leavers=leavers)
    preview = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            leaver = next(u for u in leavers if u.pk == data["leaver"])
            to = _people(people, data["to"])
            # a confirmation hands over what was previewed: changed since, it is previewed again
            previewed = request.POST.get("previewed") == _signature(data)
            try:
                if data["confirm"] and previewed:
                    result = services.handover(
                        actor=request.user, project=project, leaver=leaver, to=to,
                        how=data["how"], reason=data["reason"], over_cap=data["over_cap"],
                    )  # fmt: skip
                    _done(request, result)
                    return redirect(reverse("assignment:handover") + f"?project={project.pk}")
                customers = list(selectors.held_by(request.user, project, leaver.pk))
                preview = services.plan(
                    actor=request.user, project=project, customers=customers, to=to,
                    how=data["how"], over_cap=bool(data["over_cap"].strip()), exclude=leaver.pk,
                )  # fmt: skip
                status = 200
            except DomainError as error:
                status = form_error(form, error)
    context = {
        "project": project, "projects": selectors.assigning_projects(request.user),
        "form": form, "preview": preview, "people": people,
        "signature": _signature(form.cleaned_data) if preview else "",
        "leaver_counts": {c.user.pk: c.total for c in everyone},
    }  # fmt: skip
    return render(request, "assignment/handover.html", context, status=status)
