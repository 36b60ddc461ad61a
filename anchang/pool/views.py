"""Shared pool pages: browse, claim, hand out. Thin doors onto the pool services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from anchang.customers.phones import mask_phone
from anchang.customers.policies import OWNER_ROLES
from anchang.errors import DomainError
from anchang.ids import parse_id
from anchang.org import policies
from anchang.org.selectors import project_rules, project_staff, projects_where
from anchang.pool import selectors, services
from anchang.pool.forms import HandOutForm

PAGE_SIZE = 50


def _project(request):
    projects = list(selectors.pool_projects(request.user))
    if not projects:
        raise PermissionDenied
    wanted = request.GET.get("project") or request.POST.get("project")
    if wanted:
        chosen = next((p for p in projects if str(p.pk) == wanted), None)
        if chosen is None:
            raise Http404
        return chosen, projects
    return projects[0], projects


def _error_text(error: DomainError) -> str:
    return " ".join([str(error.message), *map(str, error.fields.values())])


@login_required
@require_http_methods(["GET", "POST"])
def pool_list(request):
    if not policies.can_open_page(actor=request.user, page="pool"):
        raise PermissionDenied
    project, projects = _project(request)
    page = Paginator(selectors.pool_customers(request.user, project), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for customer in page:
        customer.masked_phone = mask_phone(customer.phone)
        customer.days_in_pool = (timezone.now() - customer.pool_entered_at).days
    is_manager = project in projects_where(request.user, {"manager", "admin"})
    is_consultant = project in projects_where(request.user, {"consultant"})
    owners = project_staff(project=project, roles=OWNER_ROLES) if is_manager else []
    form = HandOutForm(customers=page.object_list, owners=owners)
    conf = project_rules(project).pool
    context = {
        "project": project, "projects": projects, "page": page, "form": form,
        "is_manager": is_manager, "is_consultant": is_consultant, "conf": conf,
        "events": selectors.pool_events(request.user, project, limit=20),
    }  # fmt: skip
    if is_consultant:
        context["claimed_today"] = selectors.claims_today(request.user, project)
        context["held"] = selectors.held_count(request.user, project)
        # Offer only the claims that can succeed; say why the others cannot.
        context["refused"], cooling = selectors.claim_refusals(
            request.user, project, list(page.object_list)
        )
        for customer in page:
            customer.claim_refusal = cooling.get(customer.pk)
    return render(request, "pool/list.html", context)


@login_required
@require_POST
def pool_claim(request, pk: int):
    customer = selectors.pool_customer_get(request.user, pk)
    try:
        services.pool_claim(actor=request.user, customer=customer, request=request)
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(name)s is yours now: call them today.") % {"name": customer})
    return redirect(f"{_list_url()}?project={customer.project_id}")


@login_required
@require_POST
def pool_hand_out(request):
    project, _projects = _project(request)
    if project not in projects_where(request.user, {"manager", "admin"}):
        raise PermissionDenied
    in_pool = selectors.pool_customers(request.user, project)
    chosen_ids = [parse_id(v) for v in request.POST.getlist("customers")[:1000]]
    chosen_ids = [pk for pk in chosen_ids if pk is not None]
    candidates = list(in_pool.filter(pk__in=chosen_ids))
    form = HandOutForm(
        request.POST, customers=candidates,
        owners=project_staff(project=project, roles=OWNER_ROLES),
    )  # fmt: skip
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        try:
            n = services.pool_hand_out(
                actor=request.user, customers=candidates, request=request,
                to_owner_id=form.cleaned_data["owner"],
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Handed out %(n)d customers.") % {"n": n})
    return redirect(f"{_list_url()}?project={project.pk}")


def _list_url() -> str:
    return reverse("pool:list")
