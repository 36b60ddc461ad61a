"""Loss pages (战败): a consultant applies to give a customer up, a manager decides.
Thin doors onto loss.services and loss.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anchang.customers import policies as customer_policies
from anchang.customers.selectors import customer_get_visible
from anchang.errors import DomainError
from anchang.followups.loss import policies, selectors
from anchang.followups.loss import services as loss
from anchang.followups.loss.forms import LossApplyForm, LossDecisionForm
from anchang.forms_errors import submit_form


@login_required
@require_http_methods(["GET", "POST"])
def loss_apply(request, pk: int):
    customer = customer_get_visible(actor=request.user, pk=pk)
    if not customer_policies.can_edit_customer(actor=request.user, customer=customer):
        raise PermissionDenied
    form = LossApplyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: loss.loss_apply(actor=request.user, customer=customer, **data),
            done=_("Sent to the managers for approval."),
            to=reverse("customers:detail", kwargs={"pk": customer.pk}),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {"customer": customer, "form": form}
    return render(request, "followups/loss_apply.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def loss_queue(request):
    if not policies.can_decide_losses(actor=request.user):
        raise PermissionDenied
    pending = list(selectors.pending_loss_applications(request.user)[:100])
    status = 200
    if request.method == "POST":
        application = next((a for a in pending if str(a.pk) == request.POST.get("application")),
                           None)  # fmt: skip
        if application is None:
            raise Http404
        form = LossDecisionForm(request.POST)
        if form.is_valid():
            decide = loss.loss_approve if form.cleaned_data["decision"] == "approve" else (
                loss.loss_reject)  # fmt: skip
            try:
                decide(actor=request.user, application=application,
                       comment=form.cleaned_data["comment"])  # fmt: skip
            except DomainError as error:
                status = error.status if error.status != 403 else 403
                messages.error(request, " ".join([str(error.message), *map(str,
                               error.fields.values())]))  # fmt: skip
            else:
                messages.success(request, _("Decided."))
                return redirect("followups:loss-queue")
        else:
            status = 400
            messages.error(request, _("Choose approve or reject."))
    for application in pending:
        application.form = LossDecisionForm()
    return render(request, "followups/loss_queue.html", {"pending": pending}, status=status)
