"""Customer pages: thin doors onto customers.selectors and customers.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anchang.customers import policies, selectors, services
from anchang.customers.api import csv_response
from anchang.customers.forms import CustomerEditForm, CustomerReassignForm
from anchang.customers.phones import format_phone, mask_phone
from anchang.errors import Conflict, DomainError
from anchang.errors import PermissionDenied as DomainPermissionDenied
from anchang.forms_errors import add_domain_error
from anchang.org.selectors import project_staff

PAGE_SIZE = 50


def _phone_for(actor, customer) -> str:
    if policies.can_see_full_phone(actor=actor, customer=customer):
        return format_phone(customer.phone)
    return mask_phone(customer.phone)


@login_required
@require_GET
def customer_list(request):
    if selectors.customers_q(request.user, "list") is None:
        raise PermissionDenied
    queryset = selectors.customer_list(request.user)
    # Bounded pagination without a COUNT over the table: one row past the page says "more".
    try:
        number = max(1, min(int(request.GET.get("page", 1)), 200))
    except ValueError:
        number = 1
    offset = (number - 1) * PAGE_SIZE
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    for customer in rows:
        customer.phone_display = _phone_for(request.user, customer)
    return render(
        request,
        "customers/list.html",
        {
            "customers": rows,
            "page_number": number,
            "has_next": has_next,
            "can_export": policies.can_export_customers(actor=request.user),
        },
    )


@login_required
@require_GET
def customer_detail(request, pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    customer.phone_display = _phone_for(request.user, customer)
    history = customer.history.select_related("history_user").order_by("-history_date")[:50]
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "history": history,
            "can_edit": policies.can_edit_customer(actor=request.user, customer=customer),
            "can_reassign": policies.can_reassign_customer(actor=request.user, customer=customer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    if not policies.can_edit_customer(actor=request.user, customer=customer):
        raise PermissionDenied
    form = CustomerEditForm(
        request.POST if request.method == "POST" else None,
        initial={"name": customer.name, "version": customer.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(
                actor=request.user,
                customer=customer,
                changes={"name": form.cleaned_data["name"]},
                version=form.cleaned_data["version"],
                request=request,
            )
        except DomainError as error:
            if isinstance(error, DomainPermissionDenied):
                raise PermissionDenied from error
            add_domain_error(form, error)
            status = 409 if isinstance(error, Conflict) else 400
            return render(
                request, "customers/edit.html", {"customer": customer, "form": form}, status=status
            )
        messages.success(request, _("Saved."))
        return redirect("customers:detail", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "customers/edit.html", {"customer": customer, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_reassign(request, pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    if not policies.can_reassign_customer(actor=request.user, customer=customer):
        raise PermissionDenied
    owners = project_staff(project=customer.project, roles=services.OWNER_ROLES)
    form = CustomerReassignForm(
        request.POST if request.method == "POST" else None,
        owners=owners,
        initial={"version": customer.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_reassign(
                actor=request.user,
                customer=customer,
                new_owner_id=form.cleaned_data["owner"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                request=request,
            )
        except DomainError as error:
            if isinstance(error, DomainPermissionDenied):
                raise PermissionDenied from error
            add_domain_error(form, error)
            status = 409 if isinstance(error, Conflict) else 400
            context = {"customer": customer, "form": form}
            return render(request, "customers/reassign.html", context, status=status)
        messages.success(request, _("The customer has a new owner."))
        return redirect("customers:detail", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    context = {"customer": customer, "form": form}
    return render(request, "customers/reassign.html", context, status=status)


@login_required
@require_GET
def customer_export(request):
    if not policies.can_export_customers(actor=request.user):
        raise PermissionDenied
    content, _count = services.customers_export(actor=request.user, request=request)
    return csv_response(content)
