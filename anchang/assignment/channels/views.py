"""Channel pages: an agent's phone page (report a customer, read one's own reports) and the
managers' page (the project's companies, agents and reports, commissions settled)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from anchang.assignment import rules
from anchang.assignment.channels import forms, selectors, services
from anchang.assignment.models import ChannelAgent, ChannelReport
from anchang.customers.phones import mask_phone
from anchang.errors import DomainError
from anchang.forms_errors import submit_form
from anchang.org.selectors import project_list_by_ids

ROWS = 100


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    """渠道报备 from a phone: the customer's name and mobile; the answer is valid or not."""
    agent = selectors.agent_of(request.user)
    if agent is None:
        raise PermissionDenied
    form = forms.ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.report_submit(actor=request.user, **data),
            done=lambda made: (
                _("Valid: the customer is protected for your company.")
                if made.status == ChannelReport.Status.VALID
                else _("Not valid: this customer cannot be reported.")
            ),
            to="assignment:channel-report",
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    rows = list(selectors.my_reports(request.user)[:ROWS])
    for row in rows:
        row.phone_masked = mask_phone(row.phone)
    context = {"agent": agent, "form": form, "rows": rows}
    return render(request, "assignment/channel.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def reports(request):
    """The project's channel companies, agents and reports."""
    if not selectors.managing_project_ids(request.user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    project = selectors.managing_project(request.user, source.get("project"))
    companies = selectors.companies(project)
    linked = set(ChannelAgent.objects.values_list("user_id", flat=True))
    people = [u for u in selectors.agent_people(project) if u.pk not in linked]
    company_form = forms.CompanyForm(request.POST if "add_company" in request.POST else None)
    agent_form = forms.AgentForm(request.POST if "add_agent" in request.POST else None,
                                 companies=companies, people=people)  # fmt: skip
    status = 200
    if request.method == "POST":
        if "add_company" in request.POST:
            submitted = submit_form(
                request, company_form,
                lambda data: services.company_create(actor=request.user, project=project, **data),
                done=_("Company added."), to=reverse("assignment:channel-reports")
                + f"?project={project.pk}",
            )  # fmt: skip
        else:
            submitted = submit_form(
                request, agent_form,
                lambda data: services.agent_add(
                    actor=request.user,
                    company=next(c for c in companies if c.pk == data["company"]),
                    user=next(u for u in people if u.pk == data["user"]),
                ),
                done=_("Agent added."), to=reverse("assignment:channel-reports")
                + f"?project={project.pk}",
            )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    wanted = request.GET.get("status", "")
    wanted = wanted if wanted in ChannelReport.Status.values else ""
    rows = list(selectors.project_reports(project, wanted)[:ROWS])
    for row in rows:
        row.phone_masked = mask_phone(row.phone)
        row.reason_label = rules.INVALID_REASONS.get(row.reason, "")
    context = {
        "project": project, "companies": companies, "rows": rows, "status": wanted,
        "projects": project_list_by_ids(selectors.managing_project_ids(request.user)),
        "statuses": ChannelReport.Status.choices, "company_form": company_form,
        "agent_form": agent_form, "has_people": bool(people),
    }  # fmt: skip
    return render(request, "assignment/channel_reports.html", context, status=status)


@login_required
@require_POST
def commission_paid(request, pk: int):
    report = selectors.managed_report(request.user, pk)
    if report is None:
        raise PermissionDenied
    try:
        services.commission_paid(actor=request.user, report=report)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Commission settled."))
    return redirect(reverse("assignment:channel-reports") + f"?project={report.project_id}")


@login_required
@require_POST
def decide(request, pk: int):
    """渠道撞单: the channel's visit, or the visitor's own (with a note)."""
    report = selectors.managed_report(request.user, pk)
    if report is None:
        raise PermissionDenied
    form = forms.ChannelDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        try:
            services.report_decide(actor=request.user, report=report, **form.cleaned_data)
        except DomainError as error:
            fields = " ".join(str(v) for v in error.fields.values())
            messages.error(request, fields or str(error.message))
        else:
            messages.success(request, _("Decided."))
    return redirect(reverse("assignment:channel-reports") + f"?project={report.project_id}")
