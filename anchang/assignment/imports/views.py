"""Import pages (导入): upload a file; map its columns and read every row's outcome; commit
and watch the progress; download the rejects; revert. Thin doors onto imports.services."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anchang.assignment.imports import forms, rules, selectors, services
from anchang.assignment.models import ImportBatch
from anchang.errors import DomainError
from anchang.forms_errors import submit_form
from anchang.ids import parse_choice
from anchang.middleware import body_limit

OUTCOMES = ("new_customer", "return", "merged", "conflict", "invalid")


def outcome_labels() -> dict[str, str]:
    return {
        "new_customer": _("New customer"), "return": _("Return call or visit"),
        "merged": _("Already a customer"), "conflict": _("Ownership conflict"),
        "invalid": _("Refused"),
    }  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def imports(request):
    """The project's imports, newest first, and the upload."""
    if not selectors.importing_projects(request.user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    project = selectors.importing_project(request.user, source.get("project"))
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        submitted = submit_form(
            request, form,
            lambda data: services.import_upload(
                actor=request.user, project=project, kind=data["kind"],
                file_name=data["file"].name, data=data["file"].read(),
            ),
            done=lambda batch: _("Read %(n)d rows: check the columns and the preview.")
            % {"n": batch.total},
            to=lambda batch: reverse("assignment:import", args=[batch.pk]),
        )  # fmt: skip
        if submitted.response:
            return submitted.response
        status = submitted.status
    context = {
        "project": project, "projects": selectors.importing_projects(request.user),
        "form": form, "batches": list(selectors.batches(request.user, project)[:50]),
    }  # fmt: skip
    return render(request, "assignment/imports.html", context, status=status)


imports = body_limit(imports)


def _batch(request, pk: int) -> ImportBatch:
    batch = selectors.batch_for(request.user, pk)
    if batch is None:
        raise Http404
    return batch


@login_required
@require_http_methods(["GET", "POST"])
def batch(request, pk: int):
    """One import: the mapping and the preview, the progress, or the result."""
    found = _batch(request, pk)
    media = list(selectors.project_media(found.project).values())
    initial = {f: found.mapping.get(f) for f in rules.FIELDS}
    initial["default_medium"] = found.default_medium_id
    form = forms.MappingForm(
        request.POST if "map" in request.POST else None, headers=found.headers, media=media,
        initial=initial,
    )  # fmt: skip
    status = 200
    if request.method == "POST":
        if "map" in request.POST:
            submitted = submit_form(
                request, form,
                lambda data: services.import_map(
                    actor=request.user, batch=found, mapping=form.mapping(),
                    default_medium_id=data.get("default_medium"),
                ),
                done=_("Columns saved; the preview is up to date."),
                to=reverse("assignment:import", args=[found.pk]),
            )  # fmt: skip
            if submitted.response:
                return submitted.response
            status = submitted.status
        else:
            act = services.import_commit if "commit" in request.POST else services.import_revert
            try:
                act(actor=request.user, batch=found)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request,
                    _("Importing: the rows are written in the background.")
                    if "commit" in request.POST
                    else _("Import reverted."),
                )
            return redirect("assignment:import", pk=found.pk)
    wanted = parse_choice(request.GET.get("outcome"), OUTCOMES) or ""
    rows = selectors.batch_rows_shown(found, wanted)
    columns = [(f, found.mapping[f]) for f in rules.FIELDS if f in found.mapping]
    context = {
        "batch": found, "form": form, "rows": rows, "outcome": wanted,
        "outcomes": [(o, outcome_labels()[o], found.counts.get(o, 0)) for o in OUTCOMES],
        "labels": outcome_labels(), "columns": columns, "field_labels": rules.FIELD_LABELS,
        "shown": selectors.ROWS_SHOWN,
    }  # fmt: skip
    return render(request, "assignment/import.html", context, status=status)


@login_required
@require_GET
def progress(request, pk: int):
    """The progress bar, polled while the rows are written."""
    found = _batch(request, pk)
    response = render(request, "assignment/_import_progress.html", {"batch": found})
    if found.status != ImportBatch.Status.COMMITTING:
        response["HX-Refresh"] = "true"  # done: the page shows the result
    return response


@login_required
@require_GET
def rejects(request, pk: int):
    found = _batch(request, pk)
    out = services.import_rejects(actor=request.user, batch=found)
    name = f"rejects-{found.pk}.xlsx"
    response = FileResponse(
        out, as_attachment=True, filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
