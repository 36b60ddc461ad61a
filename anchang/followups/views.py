"""Follow-up pages: record a contact, set a grade. Thin doors onto services and selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anchang.customers import policies as customer_policies
from anchang.customers.selectors import customer_get_visible
from anchang.followups import rules, selectors, services
from anchang.followups.forms import (
    FollowUpForm,
    GradeForm,
    reason_words,
)
from anchang.forms_errors import submit_form
from anchang.org.selectors import project_rules
from anchang.redirects import next_from, next_or_empty


def _editable(request, pk):
    customer = customer_get_visible(actor=request.user, pk=pk)
    if not customer_policies.can_edit_customer(actor=request.user, customer=customer):
        raise PermissionDenied
    return customer


def _scale(customer):
    return rules.SCALES[project_rules(customer.project).grading.scale]


@login_required
@require_http_methods(["GET", "POST"])
def followup_new(request, pk: int):
    customer = _editable(request, pk)
    grading = project_rules(customer.project).grading
    form = FollowUpForm(
        request.POST if request.method == "POST" else None,
        scale=_scale(customer),
        signals=grading.signals,
    )
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.followup_record(
                actor=request.user, customer=customer, kind=data["kind"],
                content=data["content"], reached=data["reached"],
                occurred_at=data.get("occurred_at"), grade=data.get("grade") or "",
                signals=data.get("signals") or [], impression=data["impression"],
                bottleneck=data["bottleneck"], plan=data["plan"], next_on=data.get("next_on"),
                idempotency_key=data.get("idempotency_key"),
            ),
            done=_("Follow-up recorded."), to=lambda _result: next_from(request),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {
        "customer": customer,
        "form": form,
        "recent": selectors.customer_followups(customer, limit=5),
        "next": next_or_empty(request),
    }
    return render(request, "followups/new.html", context, status=status)


def _grade_form(customer, data=None):
    spec = project_rules(customer.project).grading.spec
    checks = customer.grade_checks or {}
    initial = {c: {True: "yes", False: "no"}.get(checks.get(c), "") for c in spec.criteria}
    initial["grade"] = customer.grade
    initial["horizon"] = customer.purchase_horizon
    return GradeForm(data, spec=spec, initial=initial)


def _live_suggestion(customer, form):
    """The suggestion for what the form holds now (the boxes as ticked): the same service
    function the saved grade uses. A value that does not parse counts as not known."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    values = {"yes": True, "no": False}
    checks = {c: values.get(data.get(c) or "") for c in form.criteria}
    horizon = (data.get("horizon") or "") if form.uses_horizon else None
    return services.grade_suggestion(customer, checks=checks, horizon=horizon)


def _suggestion_context(suggestion):
    return {"suggestion": suggestion, "reasons": reason_words(suggestion.reasons)}


@login_required
@require_http_methods(["GET", "POST"])
def grade_edit(request, pk: int):
    customer = _editable(request, pk)
    form = _grade_form(customer, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.grade_set(
                actor=request.user, customer=customer, grade=data["grade"],
                reason=data["reason"], checks=form.checks(), horizon=form.horizon(),
            ),
            done=_("Grade saved."), to=reverse("customers:detail", kwargs={"pk": customer.pk}),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
        suggestion = _live_suggestion(customer, form)
    else:
        suggestion = services.grade_suggestion(customer)
    context = {
        "customer": customer,
        "form": form,
        **_suggestion_context(suggestion),
        "changes": selectors.grade_history(customer),
    }
    return render(request, "followups/grade.html", context, status=status)


@login_required
@require_GET
def grade_suggest(request, pk: int):
    """The suggestion for the boxes as ticked, without saving (htmx swaps it into the grade
    page as the consultant ticks; the rules are the saved grade's)."""
    customer = _editable(request, pk)
    form = _grade_form(customer, request.GET)
    context = {"customer": customer, **_suggestion_context(_live_suggestion(customer, form))}
    return render(request, "followups/_grade_suggestion.html", context)
