"""Supervisor-review pages (主管批示): the queue, comments inline (htmx, or a plain POST),
"mark as reviewed", the counts, and the consultant's "got it". Thin doors onto
reviews.services (writes) and reviews.selectors (reads)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anchang import pagination as keyset
from anchang.errors import DomainError, ValidationFailed
from anchang.followups.reviews import selectors as review_selectors
from anchang.followups.reviews import services as reviews
from anchang.followups.reviews.forms import ReviewCommentForm, ReviewCountsForm, ReviewsDoneForm
from anchang.forms_errors import add_domain_error
from anchang.ids import parse_id
from anchang.org import policies
from anchang.org.models import Project
from anchang.org.selectors import project_rules
from anchang.redirects import safe_next

_ID = re.compile(r"[0-9]{1,12}")  # ASCII digits only: ² or ١ is refused, not a 500


def _ensure_page(request: HttpRequest) -> None:
    if not policies.can_open_page(actor=request.user, page="reviews"):
        raise PermissionDenied


def _project(request: HttpRequest, value) -> Project | None:
    """The project chosen on the page, among those the actor reviews; 404 for any other."""
    if value in (None, ""):
        return None
    pk = parse_id(value)
    if pk is None:
        raise Http404
    project = review_selectors.review_projects(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def _queue_url(project: Project | None, anchor: str = "") -> str:
    query = f"?{urlencode({'project': project.pk})}" if project else ""
    return reverse("followups:reviews") + query + (f"#{anchor}" if anchor else "")


def _comment_form(followup, data=None) -> ReviewCommentForm:
    # One form per record on the page: ids must not repeat.
    return ReviewCommentForm(data, auto_id=f"id_%s_{followup.pk}")


def _raise_http(error: DomainError) -> None:
    if error.status == 404:
        raise Http404
    if error.status == 403 and error.code == "permission_denied":
        raise PermissionDenied


def _with_presets(followups) -> None:
    """Each record's common comments (主管批示 presets), from its project's rules."""
    by_project: dict[int, list[str]] = {}
    for followup in followups:
        if followup.project_id not in by_project:
            by_project[followup.project_id] = project_rules(followup.project).review.comment_presets
        followup.presets = by_project[followup.project_id]


def _filters(request) -> tuple[dict, dict]:
    """The queue's filters from the query string (consultant, cursor) and their errors."""
    values, errors = {"consultant": None, "after": None}, {}
    raw = (request.GET.get("consultant") or "").strip()
    if raw:
        if _ID.fullmatch(raw) and int(raw) >= 1:
            values["consultant"] = int(raw)
        else:
            errors["consultant"] = _("Choose a consultant from the list.")
    try:
        values["after"] = keyset.decode(request.GET.get("cursor"))
    except ValidationFailed as error:
        errors.update({k: str(v) for k, v in error.fields.items()})
    return values, errors


def _queue_page(request, project, *, failed=None, status=200) -> HttpResponse:
    filters, errors = _filters(request) if request.method == "GET" else ({}, {})
    if errors:
        filters, status = {}, 400
    queue = review_selectors.review_queue(
        request.user, project, limit=review_selectors.PAGE_SIZE, **filters
    )
    followups = queue.followups
    if failed is not None and all(f.pk != failed.pk for f in followups):
        followups = [failed, *followups]  # show the refused comment beside its record
    for followup in followups:
        followup.form = failed.form if failed is not None and followup.pk == failed.pk else (
            _comment_form(followup))  # fmt: skip
    _with_presets(followups)
    consultant = filters.get("consultant")
    kept = {k: v for k, v in (("project", project.pk if project else None),
                              ("consultant", consultant)) if v}  # fmt: skip
    context = {
        "queue": queue,
        "followups": followups,
        "project": project,
        "consultant": consultant,
        "consultants": review_selectors.review_consultants(queue.projects),
        "errors": errors,
        "cap": f"{review_selectors.COUNT_CAP:,}",
        "next_query": urlencode({**kept, "cursor": queue.next_cursor}) if queue.next_cursor else "",
        "all_projects": list(review_selectors.review_projects(request.user)),
        "done_form": ReviewsDoneForm(
            initial={"project": project.pk if project else None, "until": queue.drawn_at}
        ),
        "tab": "queue",
    }
    return render(request, "followups/review_queue.html", context, status=status)


@login_required
@require_GET
def review_queue(request):
    _ensure_page(request)
    return _queue_page(request, _project(request, request.GET.get("project")))


@login_required
@require_POST
def review_comment(request, pk: int):
    """htmx swaps just this record (with the error beside the field if refused); without
    JavaScript the page comes back whole."""
    _ensure_page(request)
    followup = review_selectors.followup_for_review(actor=request.user, pk=pk)
    form = _comment_form(followup, request.POST)
    status = 200
    if form.is_valid():
        try:
            reviews.review_comment(
                actor=request.user, followup=followup, comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except DomainError as error:
            _raise_http(error)
            add_domain_error(form, error)
            status = error.status
    else:
        status = 400
    saved = status == 200
    if request.htmx:
        if saved:
            followup = review_selectors.followup_for_review(actor=request.user, pk=pk)
        followup.form = _comment_form(followup) if saved else form
        followup.just_saved = saved
        _with_presets([followup])
        # 200 even when refused: htmx swaps only successful answers, and the message
        # must appear where the manager is typing.
        return render(request, "followups/_review_record.html", {"f": followup})
    project = _project(request, request.POST.get("project"))
    if saved:
        messages.success(request, _("Comment saved. The consultant sees it on My day."))
        return redirect(_queue_url(project, f"followup-{followup.pk}"))
    followup.form = form
    return _queue_page(request, project, failed=followup, status=status)


@login_required
@require_POST
def reviews_done(request):
    _ensure_page(request)
    form = ReviewsDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This page is out of date. Reload it and try again."))
        return _queue_page(request, None, status=400)
    project = _project(request, form.cleaned_data["project"])
    try:
        until = reviews.reviews_mark_done(
            actor=request.user, project=project, until=form.cleaned_data["until"]
        )
    except DomainError as error:
        _raise_http(error)
        messages.error(request, str(error.message))
        return _queue_page(request, project, status=error.status)
    messages.success(
        request,
        _("Marked as reviewed up to %(time)s.")
        % {"time": timezone.localtime(until).strftime("%m-%d %H:%M")},
    )
    return redirect(_queue_url(project))


@login_required
@require_GET
def review_counts(request):
    _ensure_page(request)
    form = ReviewCountsForm(request.GET or None)
    days, status = 7, 200
    if form.is_bound:
        if form.is_valid():
            days = int(form.cleaned_data["days"] or 7)
        else:
            status = 400
    project = _project(request, request.GET.get("project"))
    counts = review_selectors.review_counts(
        request.user, review_selectors.period_start(days), project
    )
    context = {
        "form": form,
        "days": days,
        "periods": [(int(value), label) for value, label in form.fields["days"].choices],
        "counts": counts,
        "project": project,
        "all_projects": list(review_selectors.review_projects(request.user)),
        "tab": "counts",
    }
    return render(request, "followups/review_counts.html", context, status=status)


@login_required
@require_POST
def review_read(request, pk: int):
    """The consultant's "got it" on My day."""
    review = review_selectors.review_get_received(actor=request.user, pk=pk)
    try:
        review = reviews.review_mark_read(actor=request.user, review=review)
    except DomainError as error:
        _raise_http(error)
        raise
    if request.htmx:
        review = review_selectors.review_get_received(actor=request.user, pk=pk)
        return render(request, "followups/_my_day_review.html", {"r": review})
    default = reverse("home") + "#my-day-reviews"
    return redirect(safe_next(request, request.POST.get("next"), default))
