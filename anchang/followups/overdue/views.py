"""逾期跟进: the overdue list with grade and days late, filtered and worst first. Thin door
onto overdue.selectors."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from anchang.customers.selectors import customers_q
from anchang.errors import ValidationFailed
from anchang.followups.overdue import selectors

_KEPT = ("grade", "min_days", "owner")


@login_required
@require_GET
def overdue_list(request):
    if customers_q(request.user, "list") is None:
        raise PermissionDenied  # a role that lists no customers has no overdue list either
    overdue, errors, status = None, {}, 200
    try:
        query = selectors.parse_overdue_query(request.GET)
        overdue = selectors.overdue_customers(request.user, query)
    except ValidationFailed as error:
        errors, status = {k: str(v) for k, v in error.fields.items()}, 400
    kept = {k: request.GET[k] for k in _KEPT if request.GET.get(k, "").strip() and not errors}
    context = {
        "overdue": overdue,
        "q": overdue.query if overdue else None,
        "errors": errors,
        "grades": [*selectors.GRADE_ORDER],
        "no_grade": selectors.NO_GRADE,
        "owners": selectors.overdue_owners(request.user),
        "cap": f"{selectors.COUNT_CAP:,}",
        "next_query": urlencode({**kept, "page": overdue.query.page + 1})
        if overdue and overdue.has_next
        else "",
        "prev_query": urlencode({**kept, "page": overdue.query.page - 1})
        if overdue and overdue.query.page > 1
        else "",
    }
    return render(request, "followups/overdue.html", context, status=status)
