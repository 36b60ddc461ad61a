"""可疑记录: follow-ups worth a manager's second look, each with the reason. Thin door onto
suspicion.selectors; nothing here changes a record or a score."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from anchang.errors import ValidationFailed
from anchang.followups.models import SuspicionFlag
from anchang.followups.suspicion import selectors
from anchang.org import policies

COUNTS_SHOWN = 20
# What the filters keep when the page moves on (the cursor is added per link).
_KEPT = ("project", "kind", "consultant", "days", "from", "to", "page_size")


@login_required
@require_http_methods(["GET"])
def suspicious(request):
    if not policies.can_open_page(actor=request.user, page="reviews"):
        raise PermissionDenied
    report, errors, status = None, {}, 200
    try:
        report = selectors.suspicious_followups(request.user, request.GET)
    except ValidationFailed as error:
        errors, status = {k: str(v) for k, v in error.fields.items()}, 400
    kept = {k: request.GET[k] for k in _KEPT if request.GET.get(k, "").strip() and not errors}
    query = report.query if report else None
    days = query.days if query and query.days else None
    context = {
        "tab": "suspicious",
        "report": report,
        "q": query,
        "errors": errors,
        "projects": report.projects if report else selectors.suspicion_projects(request.user),
        "project": query.project if query else None,
        "days": days,
        "periods": selectors.PERIODS,
        "kinds": SuspicionFlag.Kind.choices,
        "raw": request.GET,
        "cap": f"{selectors.COUNT_CAP:,}",
        # the table lists the consultants with the most flags: an admin's 500 would be a
        # page of their own (the filter above still offers everyone)
        "counts_shown": f":{COUNTS_SHOWN}",
        "counts_shown_n": COUNTS_SHOWN,
        "kept": urlencode(kept),
        "without_period": urlencode(
            {k: v for k, v in kept.items() if k not in ("days", "from", "to")}
        ),  # fmt: skip
        "next_query": urlencode({**kept, "cursor": report.next_cursor})
        if report and report.next_cursor
        else "",
    }
    return render(request, "followups/suspicious.html", context, status=status)
