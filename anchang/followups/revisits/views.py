"""Revisit-plan pages (回访计划): list, new from a customer filter, detail with report and
review. Thin doors onto revisits.services and revisits.selectors."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from anchang.customers.choices import State
from anchang.customers.models import Medium
from anchang.errors import Conflict, DomainError, ValidationFailed
from anchang.errors import PermissionDenied as DomainPermissionDenied
from anchang.followups.models import RevisitPlan
from anchang.followups.revisits import policies as plan_policies
from anchang.followups.revisits import selectors
from anchang.followups.revisits import services as revisits
from anchang.followups.revisits.forms import PlanReportForm, PlanReviewForm, RevisitPlanForm
from anchang.forms_errors import add_domain_error, submit_form
from anchang.org import policies
from anchang.org.selectors import owners_to_filter_by

PAGE_SIZE = 30


def _ensure_page(request) -> None:
    if not policies.can_open_page(actor=request.user, page="revisit_plans"):
        raise PermissionDenied


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 1000))
    except (TypeError, ValueError):
        return 1


@login_required
def plan_list(request):
    _ensure_page(request)
    plans = selectors.plans_visible(request.user, figures=True)
    status = request.GET.get("status", "")
    if status in RevisitPlan.Status.values:
        plans = plans.filter(status=status)
    number = _page_number(request)
    offset = (number - 1) * PAGE_SIZE
    rows = list(plans[offset : offset + PAGE_SIZE + 1])
    context = {
        "plans": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page_number": number,
        "status": status,
        "statuses": RevisitPlan.Status.choices,
        "can_create": plan_policies.can_create_plans(actor=request.user),
    }
    return render(request, "followups/revisit_list.html", context)


def _raw_criteria(data) -> dict[str, str]:
    return {key: data.get(key) for key in selectors.CRITERIA_KEYS if data.get(key)}


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    """GET takes the customer list's query string; POST either counts again (action=preview)
    or creates the plan."""
    _ensure_page(request)
    actor = request.user
    projects = list(selectors.plan_projects(actor))
    if not projects:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    raw = _raw_criteria(data)
    chosen = next((p for p in projects if str(p.pk) == data.get("project")), projects[0])
    creating = request.method == "POST" and data.get("action") == "create"
    if creating:
        form = RevisitPlanForm(request.POST, projects=projects)
    else:
        today = revisits._local_today(chosen)
        initial = {"project": chosen.pk, "starts_on": today, "due_on": today + timedelta(days=7)}
        typed = ("title", "purpose", "talking_points", "starts_on", "due_on")
        initial.update({k: data.get(k) for k in typed if data.get(k)})
        form = RevisitPlanForm(initial=initial, projects=projects)
    count, criteria_error = None, None
    try:
        criteria = selectors.criteria_clean(raw)
        count = selectors.plan_target_count(
            selectors.plan_targets(actor=actor, project=chosen, criteria=criteria)
        )
    except ValidationFailed as error:
        criteria_error = " ".join([str(error.message), *map(str, error.fields.values())])
    status = 200
    if creating:
        submitted = submit_form(
            request, form,
            lambda data_ok: revisits.plan_create(
                actor=actor, project=chosen, title=data_ok["title"],
                purpose=data_ok["purpose"], talking_points=data_ok["talking_points"],
                starts_on=data_ok["starts_on"], due_on=data_ok["due_on"], criteria=raw,
            ),
            done=lambda plan: _("Plan created: %(n)d customers to revisit.")
            % {"n": plan.tasks.count()},
            to=lambda plan: reverse("followups:revisit-plan", args=[plan.pk]),
        )  # fmt: skip
        if submitted.response is not None:
            return submitted.response
        status = submitted.status
    filter_values = {key: data.get(key, "") for key in selectors.CRITERIA_KEYS}
    context = {
        "form": form,
        "count": count,
        "criteria_error": criteria_error,
        "targets_max": revisits.TARGETS_MAX,
        "f": filter_values,
        "states": State.choices,
        "owners": owners_to_filter_by(actor),
        "media": Medium.objects.filter(project__in=projects).order_by("project_id", "sort_order"),
    }
    return render(request, "followups/revisit_new.html", context, status=status)


def _detail(request, plan, *, report_form=None, review_form=None, status=200):
    actor = request.user
    can_report = plan.status == RevisitPlan.Status.OPEN and plan_policies.can_report_plan(
        actor=actor, plan=plan
    )
    can_review = plan.status == RevisitPlan.Status.REPORTED and plan_policies.can_review_plan(
        actor=actor, plan=plan
    )
    tasks = list(selectors.plan_tasks_visible(actor, plan)[: selectors.TASKS_SHOWN + 1])
    shown = tasks[: selectors.TASKS_SHOWN]
    context = {
        "plan": plan,
        "progress": selectors.plan_progress(plan),
        "tasks": shown,
        # the tasks whose follow-up this reader may record from here
        "recordable": {
            t.pk for t in shown if plan_policies.can_record_task(actor=actor, plan=plan, task=t)
        },
        "tasks_cut": len(tasks) > selectors.TASKS_SHOWN,
        "criteria": selectors.criteria_display(plan.criteria),
        "report_form": (report_form or PlanReportForm()) if can_report else None,
        "review_form": (review_form or PlanReviewForm()) if can_review else None,
    }
    return render(request, "followups/revisit_detail.html", context, status=status)


@login_required
def plan_detail(request, pk: int):
    _ensure_page(request)
    plan = selectors.plan_get_visible(actor=request.user, pk=pk)
    return _detail(request, plan)


def _act(request, pk: int, form_class, service, field: str, done: str, form_key: str):
    _ensure_page(request)
    plan = selectors.plan_get_visible(actor=request.user, pk=pk)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            service(actor=request.user, plan=plan,
                    **{field: form.cleaned_data[field]})  # fmt: skip
        except (DomainPermissionDenied, Conflict) as error:
            # Not (or no longer) this person's step: say why, above the plan as it is now.
            messages.error(request, str(error.message))
            plan.refresh_from_db()
            return _detail(request, plan, status=error.status)
        except DomainError as error:
            status = error.status
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("followups:revisit-plan", pk=plan.pk)
    return _detail(request, plan, status=status, **{form_key: form})


@login_required
@require_POST
def plan_report(request, pk: int):
    return _act(request, pk, PlanReportForm, revisits.plan_report, "report",
                _("Report submitted: a manager will review it."), "report_form")  # fmt: skip


@login_required
@require_POST
def plan_review(request, pk: int):
    return _act(request, pk, PlanReviewForm, revisits.plan_review, "comment",
                _("Reviewed: the plan is archived."), "review_form")  # fmt: skip
