"""Deal pages: the sales-control board (销控表), a unit, subscribing, the deal list and card,
collections, approvals and the catalogue. Thin doors onto deals.services and selectors."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anchang.assignment.reception.selectors import stand_in_for
from anchang.customers.selectors import customer_get_visible, customers_for, split_claimant
from anchang.customers.services.bulk_reads import list_read_record
from anchang.dates import local_date
from anchang.deals import forms, policies, rules, selectors, services
from anchang.deals.filters import DealFilter
from anchang.deals.models import Approval, Unit
from anchang.deals.services import contract_forms as contract_forms_service
from anchang.deals.services import dispatch as dispatch_service
from anchang.errors import DomainError
from anchang.forms_errors import form_error, submit_form
from anchang.ids import parse_id
from anchang.org.models import User
from anchang.org.policies import can_open_page
from anchang.org.selectors import project_chosen, project_owners, project_rules
from anchang.pagination import offset_page

PAGE_SIZE = 50
MAX_PAGE = 1000
CUSTOMER_CHOICES = 300


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except ValueError:
        return 1


def _page_url(request, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"


def _error_text(error: DomainError) -> str:
    return " ".join(dict.fromkeys([str(error.message), *map(str, error.fields.values())]))


def _ensure_page(request) -> None:
    if not can_open_page(actor=request.user, page="deals"):
        raise PermissionDenied


def _project(request):
    """The project whose board or lists are shown: ?project=, else the first."""
    projects = selectors.board_projects(request.user)
    if not projects:
        raise PermissionDenied
    wanted = request.GET.get("project") or request.POST.get("project")
    return project_chosen(projects, wanted), projects


def _sellable_customers(request, project):
    """Customers the actor may sell to in the project, the latest first (a select on a phone)."""
    return list(
        customers_for(request.user, "edit")
        .filter(project=project)
        .exclude(state="lost")
        .only("pk", "name", "owner_id")
        .order_by("-id")[:CUSTOMER_CHOICES]
    )


def _trade(project):
    return rules.stage_table(project.kind)


# --- the board ---------------------------------------------------------------------------


def _board_context(request):
    project, projects = _project(request)
    buildings = selectors.buildings(project)
    building = None
    wanted = parse_id(request.GET.get("building", ""))
    if wanted:
        building = next((b for b in buildings if b.pk == wanted), None)
        if building is None:
            raise Http404
    elif buildings:
        building = buildings[0]
    status = request.GET.get("status", "")
    if status not in Unit.Status.values:
        status = ""
    board = selectors.board(actor=request.user, project=project, building=building, status=status)
    return {
        "project": project, "projects": projects, "buildings": buildings, "building": building,
        "board": board, "status": status, "statuses": Unit.Status.choices,
        "status_labels": dict(Unit.Status.choices),
        "screen": request.GET.get("screen") == "1",
        "can_sell": bool(policies.deal_scope(request.user, "sell")),
        "can_catalogue": policies.can_manage_catalogue(actor=request.user, project=project),
        "now": timezone.now(),
    }  # fmt: skip


@login_required
@require_GET
def board(request):
    _ensure_page(request)
    return render(request, "deals/board.html", _board_context(request))


@login_required
@require_GET
def board_grid(request):
    """The grid alone, for htmx polling during an opening (开盘)."""
    _ensure_page(request)
    return render(request, "deals/_board_grid.html", _board_context(request))


# --- a unit ------------------------------------------------------------------------------


def _unit_context(request, unit, hold_form=None, price_form=None, reserve_form=None):
    project = unit.project
    can_catalogue = policies.can_manage_catalogue(actor=request.user, project=project)
    may_sell = policies.may(request.user, "sell", project_id=project.pk,
                            consultant_id=request.user.pk)  # fmt: skip
    deal = selectors.unit_active_deal(unit)
    if deal is not None and not policies.can_deal(request.user, "view", deal):
        deal = None  # the board shows the status; the buyer is for who may read the deal
    status = selectors.effective_status(unit.status, unit.held_until, timezone.now())
    customers = _sellable_customers(request, project) if may_sell else []
    return {
        "unit": unit, "project": project, "deal": deal, "status": status,
        "is_package": unit.kind == Unit.Kind.PACKAGE,
        "held_by_me": status == Unit.Status.HELD and unit.held_by_id == request.user.pk,
        "may_sell": may_sell and status in (Unit.Status.AVAILABLE, Unit.Status.HELD),
        "can_catalogue": can_catalogue,
        "can_release": status == Unit.Status.HELD and (
            unit.held_by_id == request.user.pk
            or policies.can_approve_in(actor=request.user, project_id=project.pk)
        ),
        "can_unreserve": status == Unit.Status.RESERVED
        and policies.can_approve_in(actor=request.user, project_id=project.pk),
        "hold_form": hold_form or forms.CustomerChoiceForm(customers=customers),
        "price_form": price_form or forms.PriceChangeForm(),
        "reserve_form": reserve_form or forms.ReserveForm(),
        "price_history": [
            a for a in unit.approvals.filter(kind=Approval.Kind.PRICE).order_by("-requested_at")
        ] if can_catalogue else [],
    }  # fmt: skip


@login_required
@require_GET
def unit_detail(request, pk: int):
    _ensure_page(request)
    unit = selectors.unit_get(actor=request.user, pk=pk)
    return render(request, "deals/unit.html", _unit_context(request, unit))


def _unit_url(unit) -> str:
    return reverse("deals:unit", args=[unit.pk])


@login_required
@require_POST
def unit_hold(request, pk: int):
    _ensure_page(request)
    unit = selectors.unit_get(actor=request.user, pk=pk)
    customers = _sellable_customers(request, unit.project)
    form = forms.CustomerChoiceForm(request.POST, customers=customers)
    submitted = submit_form(
        request, form,
        lambda data: services.unit_hold(
            actor=request.user, unit=unit,
            customer=next(c for c in customers if c.pk == data["customer"]),
        ),
        done=_("Held for you: subscribe the customer before the hold runs out."),
        to=_unit_url(unit),
    )  # fmt: skip
    if submitted.response:
        return submitted.response
    context = _unit_context(request, unit, hold_form=form)
    return render(request, "deals/unit.html", context, status=submitted.status)


@login_required
@require_POST
def unit_release(request, pk: int):
    _ensure_page(request)
    unit = selectors.unit_get(actor=request.user, pk=pk)
    try:
        if request.POST.get("what") == "reserve":
            services.unit_unreserve(actor=request.user, unit=unit)
        else:
            services.unit_release(actor=request.user, unit=unit)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The unit is for sale again."))
    return redirect(_unit_url(unit))


@login_required
@require_POST
def unit_request(request, pk: int):
    """A reservation (预留) or a price change (调价), sent for approval."""
    _ensure_page(request)
    unit = selectors.unit_get(actor=request.user, pk=pk)
    if not policies.can_manage_catalogue(actor=request.user, project=unit.project):
        raise PermissionDenied
    if request.POST.get("what") in ("withdraw", "back"):
        back = request.POST.get("what") == "back"
        form = forms.ReserveForm(request.POST if not back else {"reason": "-"})
        call = lambda data: services.unit_withdraw(  # noqa: E731
            actor=request.user, unit=unit, reason="" if back else data["reason"], back=back
        )
        kwargs = {"reserve_form": form}
    elif request.POST.get("what") == "reserve":
        form = forms.ReserveForm(request.POST)
        call = lambda data: services.unit_reserve_request(actor=request.user, unit=unit, **data)  # noqa: E731
        kwargs = {"reserve_form": form}
    else:
        form = forms.PriceChangeForm(request.POST)
        call = lambda data: services.price_change_request(actor=request.user, unit=unit, **data)  # noqa: E731
        kwargs = {"price_form": form}
    submitted = submit_form(request, form, call, done=_("Sent to a manager for approval."),
                            to=_unit_url(unit))  # fmt: skip
    if submitted.response:
        return submitted.response
    context = _unit_context(request, unit, **kwargs)
    return render(request, "deals/unit.html", context, status=submitted.status)


# --- subscribing -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deal_new(request):
    """认购 / 下订 / 定金: the deal's first stage, from the board's unit or the customer card."""
    _ensure_page(request)
    source = request.POST if request.method == "POST" else request.GET
    unit = package = None
    if source.get("unit"):
        unit = selectors.unit_get(actor=request.user, pk=source.get("unit"))
        project = unit.project
        if unit.kind == Unit.Kind.PACKAGE:  # sold any number of times, never held
            unit, package = None, unit
    elif source.get("customer"):
        project = customer_get_visible(actor=request.user, pk=source.get("customer")).project
    else:
        project, _projects = _project(request)
    if not policies.may(request.user, "sell", project_id=project.pk, consultant_id=request.user.pk):
        raise PermissionDenied
    table = _trade(project)
    customers = _sellable_customers(request, project)
    initial = {"idempotency_key": uuid.uuid4().hex}
    if source.get("customer"):
        initial["customer"] = parse_id(source.get("customer"))
    elif unit is not None and unit.held_for_id and unit.held_by_id == request.user.pk:
        initial["customer"] = unit.held_for_id
    if unit or package:
        initial["deal_price"] = rules.fen_to_yuan((unit or package).standard_price)
    chosen = next((c for c in customers if c.pk == initial.get("customer")), None)
    if chosen is not None and chosen.owner_id:
        # a colleague who received this customer for their owner at reception (义务接待), or
        # with whom a conflict (撞单) was decided to split the credit
        owner = chosen.owner_id
        initial["stand_in"] = stand_in_for(chosen.pk, owner) or split_claimant(chosen.pk, owner)
    unitless = unit is None and package is None
    colleagues = list(project_owners(project))
    form = forms.SubscribeForm(
        request.POST if request.method == "POST" else None, customers=customers,
        unitless=unitless, initial=initial, colleagues=colleagues,
    )  # fmt: skip
    status = 200
    if request.method == "POST":

        def call(data):
            chosen = data.pop("customer")
            customer = next(c for c in customers if c.pk == chosen)
            key = data.pop("idempotency_key")
            stand_in_id = data.pop("stand_in", None)
            stand_in = next((u for u in colleagues if u.pk == stand_in_id), None)
            customer = customer_get_visible(actor=request.user, pk=customer.pk)
            data = {k: ("" if v is None else v) for k, v in data.items()}
            data["loan_years"] = data["loan_years"] or None
            data["due_on"] = data["due_on"] or None
            return services.deal_subscribe(
                actor=request.user, customer=customer, unit=unit, package=package,
                stand_in=stand_in, data=services.DealInput(**data), idempotency_key=key,
            )  # fmt: skip

        submitted = submit_form(
            request, form, call, done=_("Subscribed. The milestone tasks are on My day."),
            to=lambda deal: reverse("deals:detail", args=[deal.pk]),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {
        "form": form, "unit": unit or package, "project": project, "first_stage": table.stages[0],
        "stage_label": rules.STAGE_LABELS[table.stages[0]],
        "limit": project_rules(project).deals.consultant_discount_permille / 10,
    }  # fmt: skip
    return render(request, "deals/new.html", context, status=status)


# --- the list and the card ---------------------------------------------------------------


@login_required
@require_GET
def deal_list(request):
    _ensure_page(request)
    base = selectors.deals_for(request.user, "view")
    filterset = DealFilter(request.GET, queryset=base, today=selectors.actor_today(request.user))
    status = 200
    if not filterset.is_valid():
        status = 400
        queryset = base.filter(is_active=True)
    else:
        queryset = filterset.qs
    rows, has_next = offset_page(
        queryset.select_related(
            "customer", "unit", "unit__building", "package", "consultant", "project"
        )
        .order_by("-created_at", "-id"),
        number=_page_number(request), size=PAGE_SIZE,
    )  # fmt: skip
    try:
        list_read_record(actor=request.user, customers=[d.customer for d in rows], door="page")
    except DomainError as error:
        messages.error(request, str(error.message))
        rows, has_next, status = [], False, error.status
    rows = selectors.deal_rows_shown(rows, selectors.actor_today(request.user))
    number = _page_number(request)
    context = {
        "filter": filterset, "rows": rows,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "can_approve": policies.deal_scope(request.user, "approve") is not None,
        "can_collect": policies.deal_scope(request.user, "collect") is not None,
        "prev_url": _page_url(request, number - 1) if number > 1 else "",
        "next_url": _page_url(request, number + 1) if has_next else "",
    }  # fmt: skip
    return render(request, "deals/list.html", context, status=status)


def _detail_context(request, deal, **forms_given):
    table = _trade(deal.project)
    user = request.user
    can_move = policies.can_deal(user, "move", deal)
    can_collect = policies.can_deal(user, "collect", deal)
    has_loan = deal.payment_method in ("mortgage", "provident", "combined")
    return {
        "deal": deal, "table": table, "stages": [
            (s, rules.STAGE_LABELS[s], table.reached(deal.stage, s)) for s in table.stages
        ],
        "next_stages": [
            (s, rules.STAGE_LABELS[s]) for s in table.next_stages(deal.stage, has_loan=has_loan)
        ] if deal.is_active and can_move else [],
        "can_move": can_move and deal.is_active, "can_collect": can_collect,
        "tasks": selectors.deal_tasks(deal), "timeline": selectors.timeline(deal),
        "plan": selectors.deal_plan(deal), "receipts": selectors.deal_receipts(deal),
        "approvals": selectors.deal_approvals(deal, reader=user),
        "move_form": forms_given.get("move_form") or forms.MoveForm(),
        "request_form": forms_given.get("request_form") or forms.RequestForm(table=table),
        "receipt_form": forms_given.get("receipt_form")
        or forms.ReceiptForm(initial={"idempotency_key": uuid.uuid4().hex}),
        "refund_form": forms_given.get("refund_form") or forms.RefundForm(),
        "decide_form": forms.DecideForm(),
        "dispatches": selectors.deal_dispatches(deal) if table.dispatch_at else [],
        "can_refuse_order": deal.is_active and deal.designer_id == user.pk,
        "refuse_form": forms.RefuseOrderForm(),
        "stage_label": rules.STAGE_LABELS.get(deal.stage, deal.stage),
        "cancel_label": rules.CANCEL_LABELS.get(table.cancel_kind),
        "today": local_date(project_rules(deal.project).tz),
    }  # fmt: skip


@login_required
@require_GET
def deal_detail(request, pk: int):
    deal = selectors.deal_get(actor=request.user, pk=pk)
    return render(request, "deals/detail.html", _detail_context(request, deal))


def _deal_url(deal) -> str:
    return reverse("deals:detail", args=[deal.pk])


def _card_door(request, pk: int, form_name: str, make_form, call, done):
    """One of the card's forms posted: the service, then back to the card; or the card again
    with that form's errors and the others fresh."""
    deal = selectors.deal_get(actor=request.user, pk=pk)
    form = make_form(deal)
    submitted = submit_form(request, form, lambda data: call(deal, data), done=done,
                            to=_deal_url(deal))  # fmt: skip
    if submitted.response:
        return submitted.response
    context = _detail_context(request, deal, **{form_name: form})
    return render(request, "deals/detail.html", context, status=submitted.status)


@login_required
@require_POST
def deal_move(request, pk: int):
    return _card_door(
        request, pk, "move_form", lambda deal: forms.MoveForm(request.POST),
        lambda deal, data: services.deal_move(actor=request.user, deal=deal, **data),
        done=lambda moved: _("The deal is at %(stage)s now.")
        % {"stage": rules.STAGE_LABELS[moved.stage]},
    )  # fmt: skip


@login_required
@require_POST
def deal_request(request, pk: int):
    """A cancellation or a side move, sent for a manager's approval."""

    def call(deal, data):
        if data["kind"] == "cancel":
            return services.deal_cancel_request(actor=request.user, deal=deal,
                                                reason=data["reason"])  # fmt: skip
        unit = None
        if data["kind"] == "change_unit":
            unit = Unit.objects.filter(project=deal.project, code=data["unit"].strip()).first()
        return services.deal_side_request(
            actor=request.user, deal=deal, kind=data["kind"], reason=data["reason"], unit=unit,
            buyer_name=data["buyer_name"], due_on=data["due_on"], deal_price=data["deal_price"],
        )  # fmt: skip

    return _card_door(
        request, pk, "request_form",
        lambda deal: forms.RequestForm(request.POST, table=_trade(deal.project)), call,
        done=_("Sent to a manager for approval."),
    )  # fmt: skip


@login_required
@require_POST
def deal_receipt(request, pk: int):
    def call(deal, data):
        key = data.pop("idempotency_key")
        return services.receipt_record(actor=request.user, deal=deal, idempotency_key=key, **data)

    return _card_door(request, pk, "receipt_form", lambda deal: forms.ReceiptForm(request.POST),
                      call, done=_("Receipt recorded."))  # fmt: skip


@login_required
@require_POST
def deal_refund(request, pk: int):
    return _card_door(
        request, pk, "refund_form", lambda deal: forms.RefundForm(request.POST),
        lambda deal, data: services.refund_request(actor=request.user, deal=deal, **data),
        done=_("Sent to a manager for approval."),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def deal_plan(request, pk: int):
    """The payment plan, edited whole (deposit, down payment, instalments, loan)."""
    deal = selectors.deal_get(actor=request.user, pk=pk)
    if not policies.can_deal(request.user, "collect", deal):
        raise PermissionDenied
    initial = [
        {"kind": line.kind, "due_on": line.due_on, "amount": rules.fen_to_yuan(line.amount)}
        for line in selectors.deal_plan(deal)
    ]
    formset = forms.PlanFormSet(request.POST if request.method == "POST" else None,
                                initial=initial, prefix="line")  # fmt: skip
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            lines = [
                services.PlanLineInput(kind=f["kind"], due_on=f["due_on"], amount=f["amount"])
                for f in formset.cleaned_data
                if f and not f.get("DELETE")
            ]
            try:
                services.plan_set(actor=request.user, deal=deal, lines=lines)
            except DomainError as error:
                status = error.status
                if status == 403:
                    raise PermissionDenied from error
                messages.error(request, _error_text(error))
            else:
                messages.success(request, _("Payment plan saved."))
                return redirect(_deal_url(deal))
        else:
            status = 400
    context = {"deal": deal, "formset": formset}
    return render(request, "deals/plan.html", context, status=status)


# --- approvals and collections -----------------------------------------------------------


@login_required
@require_GET
def approvals(request):
    _ensure_page(request)
    if policies.deal_scope(request.user, "approve") is None:
        raise PermissionDenied
    pending = selectors.pending_approvals(request.user)
    for approval in pending:
        approval.may_decide = approval.requested_by_id != request.user.pk
    context = {"pending": pending, "decide_form": forms.DecideForm()}
    return render(request, "deals/approvals.html", context)


@login_required
@require_POST
def approval_decide(request, pk: int):
    _ensure_page(request)
    approval = selectors.approval_get_decidable(request.user, pk)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        try:
            services.approval_decide(
                actor=request.user, approval=approval,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except DomainError as error:
            if error.status == 403 and error.code == "permission_denied":
                raise PermissionDenied from error
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Decided."))
    else:
        form_error(form, DomainError(_("Choose approve or refuse.")))
        messages.error(request, _("Choose approve or refuse."))
    target = request.POST.get("back") == "deal" and approval.deal_id
    return redirect(reverse("deals:detail", args=[approval.deal_id]) if target
                    else reverse("deals:approvals"))  # fmt: skip


@login_required
@require_GET
def collections(request):
    """回款: overdue first, the longest overdue at the top."""
    _ensure_page(request)
    today = selectors.actor_today(request.user)
    rows = selectors.overdue_collections(request.user, today=today)
    try:
        list_read_record(actor=request.user, customers=[d.customer for d in rows], door="page")
    except DomainError as error:
        messages.error(request, str(error.message))
        rows = []
    for deal in rows:
        deal.days_late = (today - deal.collect_due_on).days
    return render(request, "deals/collections.html", {"rows": rows})


# --- the catalogue -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request):
    """Buildings from a pattern (real estate), vehicles and packages (the others)."""
    _ensure_page(request)
    project, projects = _project(request)
    if not policies.can_manage_catalogue(actor=request.user, project=project):
        raise PermissionDenied
    building_form = forms.BuildingForm(
        request.POST if request.POST.get("what") == "building" else None
    )
    unit_form = forms.UnitForm(request.POST if request.POST.get("what") == "unit" else None)
    sheet_form = forms.UnitSheetForm(
        request.POST if request.POST.get("what") == "sheet" else None,
        request.FILES if request.POST.get("what") == "sheet" else None,
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("what") == "sheet":
            submitted = submit_form(
                request, sheet_form,
                lambda data: services.units_update_from_sheet(
                    actor=request.user, project=project, file=data["sheet"]
                ),
                done=lambda r: _("%(u)d units updated; %(p)d price changes sent for approval.")
                % {"u": r.updated, "p": r.price_changes},
                to=f"{reverse('deals:catalogue')}?project={project.pk}",
            )  # fmt: skip
        elif request.POST.get("what") == "building":
            submitted = submit_form(
                request, building_form,
                lambda data: services.building_create(
                    actor=request.user, project=project,
                    **{k: v for k, v in data.items() if v is not None},
                ),
                done=_("Building created with its units."),
                to=f"{reverse('deals:board')}?project={project.pk}",
            )  # fmt: skip
        else:
            submitted = submit_form(
                request, unit_form,
                lambda data: services.unit_create(
                    actor=request.user, project=project,
                    **{k: v for k, v in data.items() if v not in ("", None)},
                ),
                done=_("Added to the catalogue."),
                to=f"{reverse('deals:catalogue')}?project={project.pk}",
            )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {
        "project": project, "projects": projects, "buildings": selectors.buildings(project),
        "building_form": building_form, "unit_form": unit_form, "sheet_form": sheet_form,
        "sells": _trade(project).sells,
    }  # fmt: skip
    return render(request, "deals/catalogue.html", context, status=status)


# --- dispatch (派单, home improvement) ----------------------------------------------------


def _designer_choices(project, now):
    """Every designer of the project with their open orders and why the rules skip them."""
    conf = project_rules(project).deals
    today = local_date(project_rules(project).tz, now)
    names = {p.user_id: str(p.user) for p in selectors.designers(project)}
    out = []
    for c in dispatch_service.candidates(project, now):
        refusal = rules.dispatch_refusal(c, today=today, conf=conf)
        label = _("%(name)s · %(n)s open") % {"name": names.get(c.user_id, c.user_id),
                                              "n": c.open_orders}  # fmt: skip
        if refusal:
            label += (
                " · "
                + dispatch_service.refusal_text(
                    refusal, name="", cap=conf.dispatch_open_cap, paused_until=c.paused_until
                ).strip()
            )
        out.append((c.user_id, label))
    return out


@login_required
@require_GET
def dispatch_queue(request):
    _ensure_page(request)
    if policies.deal_scope(request.user, "approve") is None:
        raise PermissionDenied
    now = timezone.now()
    queue = selectors.dispatch_queue(request.user)
    choices = {}
    for item in queue:
        if item.project_id not in choices:
            choices[item.project_id] = _designer_choices(item.project, now)
        item.form = forms.DispatchForm(designers=choices[item.project_id])
        item.reason_labels = [str(rules.DISPATCH_REASON_LABELS.get(r, r)) for r in item.reasons]
    return render(request, "deals/dispatch.html", {"queue": queue})


@login_required
@require_POST
def dispatch_decide(request, pk: int):
    _ensure_page(request)
    dispatch = selectors.dispatch_get_open(request.user, pk)
    project = dispatch.deal.project
    form = forms.DispatchForm(request.POST, designers=_designer_choices(project, timezone.now()))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(reverse("deals:dispatch"))
    designer = None
    if form.cleaned_data["assign_to"]:
        designer = User.objects.filter(pk=form.cleaned_data["assign_to"]).first()
    try:
        services.dispatch_decide(actor=request.user, dispatch=dispatch, designer=designer,
                                 note=form.cleaned_data["note"])  # fmt: skip
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The order is dispatched."))
    return redirect(reverse("deals:dispatch"))


@login_required
@require_POST
def deal_refuse_order(request, pk: int):
    """The designer gives the order back, with a reason."""
    deal = selectors.deal_get(actor=request.user, pk=pk)
    form = forms.RefuseOrderForm(request.POST)
    submitted = submit_form(
        request, form,
        lambda data: services.dispatch_refuse(actor=request.user, deal=deal, note=data["note"]),
        done=_("The order went back; the next designer is proposed."),
        to=reverse("deals:list"),
    )  # fmt: skip
    if submitted.response:
        return submitted.response
    context = _detail_context(request, deal)
    return render(request, "deals/detail.html", context, status=submitted.status)


@login_required
@require_http_methods(["GET", "POST"])
def designers(request):
    """The store's designers as dispatch reads them: priority, styles, senior."""
    _ensure_page(request)
    project, projects = _project(request)
    if not policies.can_manage_catalogue(actor=request.user, project=project):
        raise PermissionDenied
    users = list(User.objects.filter(pk__in=dispatch_service.designer_ids(project)).order_by("pk"))
    form = forms.DesignerProfileForm(request.POST or None, users=users)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.designer_profile_set(
                actor=request.user, project=project,
                user=next(u for u in users if u.pk == data["user"]),
                **{k: v for k, v in data.items() if k != "user"},
            ),
            done=_("Saved."), to=f"{reverse('deals:designers')}?project={project.pk}",
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {"project": project, "projects": projects, "form": form,
               "profiles": selectors.designers(project)}  # fmt: skip
    return render(request, "deals/designers.html", context, status=status)


# --- contract forms (合同文本) -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contract_forms(request):
    """The ledger: who holds which forms, the stock, forms out too long; receive, issue,
    take back, pass to finance, and the month's request."""
    _ensure_page(request)
    project, projects = _project(request)
    if not policies.deal_scope(request.user, "collect") or not policies.may(
        request.user, "collect", project_id=project.pk, consultant_id=None
    ):
        raise PermissionDenied
    staff = list(contract_forms_service.form_holders(project))
    what = request.POST.get("what")
    receive_form = forms.FormsReceiveForm(request.POST if what == "receive" else None)
    move_form = forms.FormsMoveForm(request.POST if what == "move" else None, staff=staff)
    status = 200
    back = f"{reverse('deals:contract-forms')}?project={project.pk}"
    if what == "receive":
        submitted = submit_form(
            request, receive_form,
            lambda data: services.forms_receive(actor=request.user, project=project, **data),
            done=_("Received into stock."), to=back,
        )  # fmt: skip
    elif what == "move":

        def call(data):
            holder = next((u for u in staff if u.pk == data["holder"]), None)
            deal = None
            if data["deal"]:
                deal = (
                    selectors.deals_for(request.user, "view")
                    .filter(pk=data["deal"], project=project)
                    .first()
                )
                if deal is None:
                    raise DomainError(fields={"deal": _("No such deal in this project.")})
            return services.forms_move(
                actor=request.user, project=project, kind=data["kind"], numbers=data["numbers"],
                holder=holder, deal=deal, note=data["note"],
            )  # fmt: skip

        submitted = submit_form(request, move_form, call, done=_("Recorded."), to=back)
    elif what == "request":
        today = local_date(project_rules(project).tz)
        services.forms_request(actor=request.user, project=project, month=today)
        messages.success(request, _("This month's request is recorded."))
        return redirect(back)
    else:
        submitted = None
    if submitted is not None:
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {
        "project": project, "projects": projects, "ledger": selectors.contract_form_ledger(project),
        "receive_form": receive_form, "move_form": move_form,
        "expected": contract_forms_service.expected_signings(project),
    }  # fmt: skip
    return render(request, "deals/contract_forms.html", context, status=status)


@login_required
@require_GET
def stale(request):
    """Paid and not signed for months (高价值未签约): the manager's revisit list."""
    _ensure_page(request)
    if policies.deal_scope(request.user, "approve") is None:
        raise PermissionDenied
    rows = selectors.stale_valuable(request.user)
    return render(request, "deals/stale.html", {"rows": rows})
