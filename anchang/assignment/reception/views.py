"""Reception pages: the desk (a tablet at the front door: whose turn, take a walk-in, the
roster live), a consultant's own place on the roster, the day's ledger and the fairness
view. Thin doors onto reception.services and selectors."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anchang.assignment import policies, rules
from anchang.assignment.reception import forms, selectors, services
from anchang.dates import parse_day
from anchang.errors import DomainError
from anchang.forms_errors import submit_form
from anchang.ids import parse_choice
from anchang.org.selectors import user_named


def _project(request):
    if not selectors.reception_projects(request.user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    return selectors.reception_project(request.user, source.get("project"))


def _desk_url(project, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"project": project.pk, **extra}.items())
    return f"{reverse('assignment:reception')}?{query}"


def _desk_context(request, project, **given):
    user = request.user
    runs_desk = policies.can_run_desk(actor=user, project=project)
    # a consultant reads the roster and their own entries, not the others' visitors
    desk = selectors.desk(project, only_for=None if runs_desk else user.pk)
    taken = selectors.walk_in_taken(user, project, request.GET.get("taken"), desk.day)
    people = list(selectors.receivers(project)) if runs_desk else []
    on_roster = {e.consultant_id for e in desk.roster}
    return {
        "project": project, "projects": selectors.reception_projects(user), "desk": desk,
        "runs_desk": runs_desk, "taken": taken,
        "taken_phone": selectors.entry_phone_display(user, taken) if taken else "",
        "mine": next((e for e in desk.roster if e.consultant_id == user.pk), None),
        "may_sign_in": project.pk in policies.receiving_project_ids(user),
        "walk_in_form": given.get("walk_in_form") or forms.WalkInForm(),
        "sign_in_form": given.get("sign_in_form")
        or forms.SignInForm(people=[u for u in people if u.pk not in on_roster]),
        "statuses": [(s, rules.STATUS_ACTIONS[s]) for s in services.SLOT_STATUSES],
        "skip_reasons": list(rules.SKIP_REASONS.items()),
        "recent_phones": {e.pk: selectors.entry_phone_display(user, e) for e in desk.recent},
    }  # fmt: skip


@login_required
@require_GET
def reception(request):
    project = _project(request)
    return render(request, "assignment/reception.html", _desk_context(request, project))


@login_required
@require_GET
def reception_panel(request):
    """The roster, whose turn and the latest entries: polled by the desk every few seconds."""
    project = _project(request)
    return render(request, "assignment/_reception_panel.html", _desk_context(request, project))


def _again(request, project, status: int, **given):
    context = _desk_context(request, project, **given)
    return render(request, "assignment/reception.html", context, status=status)


@login_required
@require_POST
def walk_in(request):
    project = _project(request)
    form = forms.WalkInForm(request.POST)
    submitted = submit_form(
        request, form,
        lambda data: services.walk_in_take(actor=request.user, project=project, **data),
        to=lambda taken: _desk_url(project, taken=taken.entry.pk),
    )  # fmt: skip
    if submitted.response:
        return submitted.response
    return _again(request, project, submitted.status, walk_in_form=form)


@login_required
@require_POST
def sign_in(request):
    """签到: oneself, or (at the desk) a consultant of the project."""
    project = _project(request)
    runs_desk = policies.can_run_desk(actor=request.user, project=project)
    people = list(selectors.receivers(project)) if runs_desk else [request.user]
    form = forms.SignInForm(request.POST, people=people)
    if not runs_desk:
        form.data = form.data.copy()
        form.data["consultant"] = str(request.user.pk)

    def call(data):
        consultant = next(u for u in people if u.pk == data["consultant"])
        start, end = data["slot_start"], data["slot_end"]
        slot = (start, end) if start or end else None  # the service checks both halves
        return services.duty_sign_in(actor=request.user, project=project,
                                     consultant=consultant, slot=slot)  # fmt: skip

    submitted = submit_form(request, form, call, done=_("Signed in."), to=_desk_url(project))
    if submitted.response:
        return submitted.response
    return _again(request, project, submitted.status, sign_in_form=form)


@login_required
@require_POST
def duty_set(request, pk: int):
    entry = selectors.duty_entry_get(actor=request.user, pk=pk)
    form = forms.DutySetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose free, busy, away or signed out."))
        return redirect(_desk_url(entry.project))
    try:
        services.duty_set(actor=request.user, entry=entry, **form.cleaned_data)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, str(error.message))
    return redirect(_desk_url(entry.project))


@login_required
@require_POST
def skip(request):
    project = _project(request)
    form = forms.SkipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the turn was skipped."))
        return redirect(_desk_url(project))
    consultant = user_named(form.cleaned_data["consultant"])  # the service checks the roster
    try:
        services.turn_skip(actor=request.user, project=project, consultant=consultant,
                           reason=form.cleaned_data["reason"])  # fmt: skip
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Skipped: %(name)s.") % {"name": consultant})
    return redirect(_desk_url(project))


@login_required
@require_GET
def ledger(request):
    """The day's reception ledger (接待台账): every turn, skip and stand-in, in order."""
    project = _project(request)
    if not policies.can_run_desk(actor=request.user, project=project):
        raise PermissionDenied
    today = selectors.today_of(project, timezone.now())
    day = parse_day(request.GET.get("day")) or today
    entries = selectors.ledger(project, day)
    context = {
        "project": project, "projects": selectors.reception_projects(request.user), "day": day,
        "entries": entries, "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day < today else None,
        "phones": {e.pk: selectors.entry_phone_display(request.user, e) for e in entries},
        "words": rules.desk_words(project.kind),
    }  # fmt: skip
    return render(request, "assignment/ledger.html", context)


@login_required
@require_GET
def fairness(request):
    """Turns per consultant per day: does the rotation treat everyone alike?"""
    project = _project(request)
    if not policies.can_run_desk(actor=request.user, project=project):
        raise PermissionDenied
    days = parse_choice(request.GET.get("days"), selectors.FAIRNESS_DAYS) or 7
    today = selectors.today_of(project, timezone.now())
    dates, rows = selectors.fairness(project, until=today, days=days)
    most = max((r.totals.get("turn", 0) + r.totals.get("makeup", 0) for r in rows), default=0)
    context = {
        "project": project, "projects": selectors.reception_projects(request.user),
        "dates": dates, "rows": rows, "days": days, "days_choices": selectors.FAIRNESS_DAYS,
        "most": most or 1, "words": rules.desk_words(project.kind),
        "kinds": list(rules.KIND_LABELS.items()),
    }  # fmt: skip
    return render(request, "assignment/fairness.html", context)
