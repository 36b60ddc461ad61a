from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from anchang.audit import policies
from anchang.audit.details import describe, object_type_label, user_ids
from anchang.audit.filters import AuditEntryFilter
from anchang.audit.selectors import visible_audit_entries
from anchang.org.selectors import staff_names

PAGE_SIZE = 100


@login_required
@require_GET
def audit_list(request):
    if not policies.can_read_audit_log(actor=request.user):
        raise PermissionDenied
    filterset = AuditEntryFilter(request.GET, queryset=visible_audit_entries(request.user))
    entries = filterset.qs if filterset.is_valid() else visible_audit_entries(request.user).none()
    try:
        page = max(1, min(int(request.GET.get("page", 1)), 1000))
    except ValueError:
        page = 1
    rows = list(entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    rows = rows[: PAGE_SIZE + 1]
    names = staff_names(user_ids(e.details for e in rows))
    for entry in rows:
        entry.details_shown = describe(entry.details, action=entry.action, users=names)
        entry.object_shown = object_type_label(entry.object_type)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "filter": filterset,
            "entries": rows[:PAGE_SIZE],
            "page_number": page,
            "has_next": len(rows) > PAGE_SIZE,
            "query": query.urlencode(),
        },
    )
