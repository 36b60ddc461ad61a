"""Customer pages: thin doors onto customers.selectors and customers.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anchang.customers import policies, selectors, services
from anchang.customers.api import csv_response, xlsx_response
from anchang.customers.card import card_sections
from anchang.customers.choices import FOLLOWED_STATES
from anchang.customers.filters import CustomerFilter
from anchang.customers.forms import (
    ConflictResolveForm,
    CustomerProfileForm,
    CustomerReassignForm,
    KeyDateForm,
    MediumForm,
    RegistrationForm,
    RevealForm,
)
from anchang.customers.models import Medium
from anchang.customers.phones import format_phone, mark_phones_shown
from anchang.customers.services.bulk_reads import list_read_record
from anchang.errors import DomainError
from anchang.errors import PermissionDenied as DomainPermissionDenied
from anchang.forms_errors import submit_form
from anchang.org.selectors import (
    owners_to_filter_by,
    project_owners,
    project_rules,
    visible_project_list,
    visible_projects,
)
from anchang.pagination import offset_page

PAGE_SIZE = 50
CONFLICTS_PAGE = 20  # each conflict is a card with its own form
MAX_PAGE = 200
PRINT_ROWS = 500  # a year of weekly contacts, several times over


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except ValueError:
        return 1


@login_required
@require_GET
def customer_list(request):
    if selectors.customers_q(request.user, "list") is None:
        raise PermissionDenied
    filterset = CustomerFilter(
        request.GET, queryset=selectors.customer_list(request.user), request=request
    )
    # Bounded pagination without a COUNT over the table: one row past the page says "more".
    number = _page_number(request)
    status, total = 200, None
    filtered = any(v for k, v in request.GET.items() if k not in ("page", "order"))
    try:
        queryset = filterset.qs if filterset.is_valid() else selectors.customer_list(request.user)
        if set(request.GET) <= {"page"}:  # the list as it opens: a prepared read
            rows, has_next = selectors.customer_list_page(
                request.user, number=number, size=PAGE_SIZE
            )
        else:
            rows, has_next = offset_page(
                selectors.list_page_rows(queryset), number=number, size=PAGE_SIZE
            )
        list_read_record(actor=request.user, customers=rows, door="page")
        total = selectors.list_total(
            scope=selectors.customer_list(request.user), filtered=queryset,
            narrowed=filtered and filterset.is_valid(), seen=(number - 1) * PAGE_SIZE + len(rows),
            page_rows=len(rows), has_next=has_next,
        )  # fmt: skip
    except DomainError as error:  # a search or read cap: say so, show no rows
        messages.error(request, error.message)
        rows, has_next, status = [], False, error.status
    today = timezone.localdate()
    mark_phones_shown(actor=request.user, customers=rows)
    for customer in rows:
        followed = customer.state in FOLLOWED_STATES
        customer.next_shown = customer.next_follow_up_on if followed else None
        customer.overdue = bool(customer.next_shown and customer.next_shown < today)
    query = request.GET.copy()
    query.pop("page", None)
    owners = owners_to_filter_by(request.user)
    return render(
        request,
        "customers/list.html",
        {
            "customers": rows,
            "filter": filterset,
            "owners": owners,
            "media": selectors.media_of(visible_project_list(request.user)),
            "page_number": number,
            "has_next": has_next,
            "total": total,
            "query": query.urlencode(),
            "filtered": filtered,
            "can_export": policies.can_export_customers(actor=request.user),
            "can_register": selectors.registers_anywhere(request.user),
        },
        status=status,
    )


def _asked_fields(customer) -> frozenset[str]:
    """The profile fields the customer's trade asks about (its completeness weights)."""
    rules = project_rules(customer.project)
    return frozenset(rules.completeness.weights) | {"notes", "loss_reason"}


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    projects = list(selectors.registration_projects(request.user))
    if not projects:
        raise PermissionDenied
    # The form is one project's: its trade's fields and products (links switch project).
    wanted = request.POST.get("project") or request.GET.get("project")
    project = next((p for p in projects if str(p.pk) == wanted), projects[0])
    media = Medium.objects.filter(project=project, is_active=True)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None, projects=projects, media=media,
        project=project, rules=project_rules(project),
    )  # fmt: skip
    status = 200
    if request.method == "POST":
        submitted = submit_form(request, form, lambda data: services.registration_submit_input(
            actor=request.user, data=data, profile=form.profile(),
            idempotency_key=data.get("idempotency_key"),
        ))  # fmt: skip
        status, result = submitted.status, submitted.result
        if result is not None:  # a contact without a customer is worth a warning, not a tick
            if result.customer is None:
                messages.warning(request, result.message)
                return redirect("customers:register")
            messages.success(request, result.message)
            return redirect("customers:detail", pk=result.customer.pk)
    context = {"form": form, "project": project, "projects": projects if len(projects) > 1 else []}
    return render(request, "customers/register.html", context, status=status)


@login_required
@require_GET
def customer_detail(request, pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    return _render_card(request, customer)


def _render_card(
    request, customer, *, revealed: str = "", reveal_form=None, key_date_form=None, status=200
):
    actor = request.user
    mark_phones_shown(actor=actor, customers=[customer])  # phone2 too
    can_edit = policies.can_edit_customer(actor=actor, customer=customer)
    can_reveal = not policies.can_see_full_phone(
        actor=actor, customer=customer
    ) and policies.can_reveal_phone(actor=actor, customer=customer)
    hidden = policies.hidden_fields(actor=actor, customer=customer)
    key_dates = selectors.customer_key_dates(customer)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "completeness": selectors.customer_completeness(
                customer, hidden, has_care_dates=bool(key_dates)
            ),
            "profile_groups": selectors.customer_profile_groups(
                customer, hidden, asked=_asked_fields(customer)
            ),
            "timeline": selectors.customer_timeline(customer),
            "sections": card_sections(customer, actor=request.user),
            "last_loss": selectors.customer_last_loss(customer),
            "history": selectors.customer_history(customer),
            "revealed": format_phone(revealed) if revealed else "",
            "revealed_e164": revealed,
            "reveal_form": reveal_form or (RevealForm() if can_reveal else None),
            "key_dates": key_dates,
            "key_date_form": key_date_form or (KeyDateForm() if can_edit else None),
            "can_edit": can_edit,
            "can_reassign": policies.can_reassign_customer(actor=actor, customer=customer),
        },
        status=status,
    )


@login_required
@require_GET
def customer_print(request, pk: int):
    """The intent card (意向客户管理卡) on A4 for the paper archive: scoped like the card, the
    phone masked unless the reader may see it in full, every follow-up oldest first."""
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    actor = request.user
    mark_phones_shown(actor=actor, customers=[customer])
    hidden = policies.hidden_fields(actor=actor, customer=customer)
    context = {
        "customer": customer,
        # Only what is known: the paper card has no room for empty headings.
        "profile_groups": [
            (title, filled)
            for title, rows in selectors.customer_profile_groups(customer, hidden)
            if (filled := [(label, value) for label, value in rows if value])
        ],
        "timeline": selectors.customer_timeline(customer, limit=PRINT_ROWS),
        "sections": card_sections(customer, printed=True, actor=request.user),
        "printed_at": timezone.now(),
    }
    return render(request, "customers/print.html", context)


@login_required
@require_POST
def key_date_add(request, pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    if not policies.can_edit_customer(actor=request.user, customer=customer):
        raise PermissionDenied
    form = KeyDateForm(request.POST)
    submitted = submit_form(
        request, form,
        lambda data: services.key_date_add(
            actor=request.user, customer=customer, kind=data["kind"], when=data["date"],
            note=data["note"],
        ),
        done=_("Saved."), to=reverse("customers:detail", kwargs={"pk": customer.pk}),
    )  # fmt: skip
    if submitted.response:
        return submitted.response
    return _render_card(request, customer, key_date_form=form, status=submitted.status)


@login_required
@require_POST
def key_date_remove(request, pk: int, key_date_pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    key_date = get_object_or_404(customer.key_dates, pk=key_date_pk)
    try:
        services.key_date_remove(actor=request.user, key_date=key_date)
    except DomainPermissionDenied as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("customers:detail", pk=customer.pk)


@login_required
@require_POST
def customer_reveal_phone(request, pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    if not policies.can_reveal_phone(actor=request.user, customer=customer):
        raise PermissionDenied
    form = RevealForm(request.POST)
    submitted = submit_form(request, form, lambda data: services.phone_reveal(
        actor=request.user, customer=customer, reason=data["reason"],
    ))  # fmt: skip
    if submitted.result is None:
        return _render_card(request, customer, reveal_form=form, status=submitted.status)
    return _render_card(request, customer, revealed=submitted.result)


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    if not policies.can_edit_customer(actor=request.user, customer=customer):
        raise PermissionDenied
    show_phones = policies.can_see_full_phone(actor=request.user, customer=customer)
    media = selectors.active_media(customer.project)
    form = CustomerProfileForm(
        request.POST if request.method == "POST" else None,
        instance=customer,
        initial={"version": customer.version},
        show_phones=show_phones,
        media=media,
        rules=project_rules(customer.project),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        # Saved onto a fresh read, and the page shows that one if the save is refused.
        customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.customer_update(
                actor=request.user, customer=customer, changes=form.changes(),
                version=data["version"],
            ),
            done=_("Saved."), to=reverse("customers:detail", kwargs={"pk": pk}),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {"customer": customer, "form": form, "groups": _form_groups(form)}
    return render(request, "customers/edit.html", context, status=status)


def _form_groups(form) -> list[tuple[str, list]]:
    """The edit form in the card's groups, so the long profile reads in sections."""
    grouped = {name for _title, names in selectors.PROFILE_GROUPS for name in names}
    main = [form[n] for n in form.fields if n not in grouped and n != "version"]
    groups = [("", main)]
    for title, names in selectors.PROFILE_GROUPS:
        groups.append((title, [form[n] for n in names if n in form.fields]))
    return groups


@login_required
@require_http_methods(["GET", "POST"])
def customer_reassign(request, pk: int):
    customer = selectors.customer_get_visible(actor=request.user, pk=pk)
    if not policies.can_reassign_customer(actor=request.user, customer=customer):
        raise PermissionDenied
    owners = project_owners(customer.project)
    form = CustomerReassignForm(
        request.POST if request.method == "POST" else None,
        owners=owners,
        initial={"version": customer.version},
    )
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.customer_reassign(
                actor=request.user, customer=customer, new_owner_id=data["owner"],
                reason=data["reason"], version=data["version"],
            ),
            done=_("The customer has a new owner."),
            to=reverse("customers:detail", kwargs={"pk": customer.pk}),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {"customer": customer, "form": form}
    return render(request, "customers/reassign.html", context, status=status)


@login_required
@require_GET
def customer_export(request):
    if not policies.can_export_customers(actor=request.user):
        raise PermissionDenied
    content, _count = services.customers_export(actor=request.user, filters=_list_filters(request))
    return csv_response(content)


@login_required
@require_GET
def customer_export_xlsx(request):
    if not policies.can_export_customers(actor=request.user):
        raise PermissionDenied
    out, _count = services.customers_export_xlsx(actor=request.user, filters=_list_filters(request))
    return xlsx_response(out, "customers")


def _list_filters(request) -> dict[str, str]:
    """The list's filters the page was showing (its query string), so what was listed is
    what is exported; the paging and sorting keys are not filters."""
    return {k: v for k, v in request.GET.items() if k not in ("page", "cursor", "sort")}


@login_required
@require_http_methods(["GET", "POST"])
def media_list(request):
    projects = [
        p for p in visible_project_list(request.user)
        if policies.can_edit_media(actor=request.user, project=p)
    ]  # fmt: skip
    if not projects:
        raise PermissionDenied
    project = projects[0]
    if request.GET.get("project"):
        project = next((p for p in projects if str(p.pk) == request.GET["project"]), project)
    form = MediumForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.medium_create(
                actor=request.user, project=project, name=data["name"], kind=data["kind"],
            ),
            done=_("Added to the catalogue."), to=f"{request.path}?project={project.pk}",
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {
        "projects": projects,
        "project": project,
        "media": selectors.media_for(project),
        "form": form,
    }
    return render(request, "customers/media.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def medium_edit(request, pk: int):
    medium = get_object_or_404(
        Medium.objects.select_related("project"), pk=pk, project__in=visible_projects(request.user)
    )
    if not policies.can_edit_media(actor=request.user, project=medium.project):
        raise PermissionDenied
    form = MediumForm(request.POST if request.method == "POST" else None, instance=medium)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.medium_update(
                actor=request.user, medium=Medium.objects.get(pk=medium.pk), name=data["name"],
                kind=data["kind"], is_active=data["is_active"],
            ),
            done=_("Saved."), to=f"/customers/media/?project={medium.project_id}",
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    return render(
        request, "customers/medium_edit.html", {"medium": medium, "form": form}, status=status
    )


@login_required
@require_GET
def conflict_list(request):
    if not selectors.customers_q(request.user, "reassign"):
        raise PermissionDenied
    # Paged like the list: one row past the page says "more", no COUNT.
    number = _page_number(request)
    conflicts, has_next = offset_page(
        selectors.open_conflicts(request.user), number=number, size=CONFLICTS_PAGE
    )
    for conflict in conflicts:
        conflict.form = ConflictResolveForm()
    context = {"conflicts": conflicts, "page_number": number, "has_next": has_next}
    return render(request, "customers/conflicts.html", context)


@login_required
@require_POST
def conflict_resolve(request, pk: int):
    conflict = selectors.conflict_get(actor=request.user, pk=pk)
    form = ConflictResolveForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_resolve(
                actor=request.user, conflict=conflict, decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Decided."))
        return redirect("customers:conflicts")
    conflict.form = form
    others = [
        c for c in selectors.open_conflicts(request.user)[:CONFLICTS_PAGE] if c.pk != conflict.pk
    ]
    for other in others:
        other.form = ConflictResolveForm()
    return render(
        request, "customers/conflicts.html", {"conflicts": [conflict, *others]}, status=400
    )
