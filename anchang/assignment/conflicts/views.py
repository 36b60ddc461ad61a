"""The conflict page (撞单): both sides' timeline, the proposed outcome and why, and the
manager's decision (otherwise than proposed: with a note). Thin doors onto customers'
conflict service and this part's selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anchang.assignment.conflicts import selectors
from anchang.customers.forms import ConflictResolveForm
from anchang.customers.services import conflict_resolve
from anchang.forms_errors import submit_form


@login_required
@require_http_methods(["GET", "POST"])
def conflict(request, pk: int):
    case = selectors.case(actor=request.user, pk=pk)
    form = ConflictResolveForm(request.POST or None, initial={"decision": case.proposed or None})
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: conflict_resolve(actor=request.user, conflict=case.conflict, **data),
            done=_("Decided."), to="customers:conflicts",
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {"case": case, "form": form,
               "labels": dict(case.conflict.Status.choices)}  # fmt: skip
    return render(request, "assignment/conflict.html", context, status=status)
