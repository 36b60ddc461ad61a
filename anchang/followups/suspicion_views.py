"""可疑记录: follow-ups worth a manager's second look, each with the reason. Thin door onto
suspicion_selectors; nothing here changes a record or a score."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from anchang.errors import ValidationFailed
from anchang.followups import suspicion_selectors as selectors
from anchang.org import policies


@login_required
@require_http_methods(["GET"])
def suspicious(request):
    if not policies.can_open_page(actor=request.user, page="reviews"):
        raise PermissionDenied
    raw_project, raw_days = request.GET.get("project"), request.GET.get("days")
    report, errors, status = None, {}, 200
    try:
        report = selectors.suspicious_followups(request.user, raw_project, raw_days)
    except ValidationFailed as error:
        errors, status = {k: str(v) for k, v in error.fields.items()}, 400
    days = report.days if report else selectors.DEFAULT_DAYS
    context = {
        "tab": "suspicious",
        "report": report,
        "errors": errors,
        "projects": report.projects if report else selectors.suspicion_projects(request.user),
        "project": report.project if report else None,
        "days": days,
        "periods": sorted({*selectors.PERIODS, days}),
    }
    return render(request, "followups/suspicious.html", context, status=status)
