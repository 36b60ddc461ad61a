"""Reads of imports (导入): the batches of the projects where the actor imports, a batch's
rows by outcome, and what a preview weighs (the project's media, consultants, the owners of
the file's phones)."""

from __future__ import annotations

from django.db.models import QuerySet

from anchang.assignment import policies
from anchang.assignment.imports import rules
from anchang.assignment.models import ImportBatch, ImportMapping, ImportRow
from anchang.customers.models import Medium
from anchang.customers.phones import mask_phone, normalise_phone
from anchang.errors import ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_chosen, project_list_by_ids, project_owners

ROWS_SHOWN = 200


def importing_projects(actor: User) -> list[Project]:
    return project_list_by_ids(policies.importing_project_ids(actor))


def importing_project(actor: User, raw) -> Project:
    """The project a request names among those where the actor imports (404 else)."""
    return project_chosen(importing_projects(actor), raw)


def batches(actor: User, project: Project) -> QuerySet[ImportBatch]:
    return (
        ImportBatch.objects.filter(project=project)
        .select_related("created_by")
        .defer("headers", "mapping")
        .order_by("-created_at")
    )


def batch_for(actor: User, pk: int) -> ImportBatch | None:
    """A batch of a project where the actor imports; None otherwise (a 404, whoever's)."""
    return (
        ImportBatch.objects.filter(pk=pk, project_id__in=policies.importing_project_ids(actor))
        .select_related("project", "created_by", "default_medium")
        .first()
    )


def batch_rows(batch: ImportBatch, outcome: str = "") -> QuerySet[ImportRow]:
    rows = batch.rows.order_by("number")
    return rows.filter(outcome=outcome) if outcome else rows


def batch_rows_shown(batch: ImportBatch, outcome: str = "") -> list[ImportRow]:
    """The first rows (of one outcome), each with `shown`: its mapped cells in field order,
    the phone masked as everywhere (the file may name customers the reader may not see)."""
    columns = [(f, batch.mapping[f]) for f in rules.FIELDS if f in batch.mapping]
    rows = list(batch_rows(batch, outcome)[:ROWS_SHOWN])
    for row in rows:
        row.shown = [
            mask_text(row.cells[col]) if field == "phone" and col < len(row.cells)
            else (row.cells[col] if col < len(row.cells) else "")
            for field, col in columns
        ]  # fmt: skip
    return rows


def mask_text(text: str) -> str:
    """A phone as written, masked like a stored one (138****8000); what is not a phone
    number shows as stars only."""
    try:
        return mask_phone(normalise_phone(text))
    except ValidationFailed:
        return "*" * min(len(text), 11)


def rejected_rows(batch: ImportBatch) -> QuerySet[ImportRow]:
    return batch.rows.filter(outcome="invalid").order_by("number")


def remembered_columns(project: Project, kind: str) -> dict[str, str]:
    found = ImportMapping.objects.filter(project=project, kind=kind).first()
    return dict(found.columns) if found else {}


def project_media(project: Project) -> dict[int, Medium]:
    return {
        m.pk: m
        for m in Medium.objects.filter(project=project, is_active=True).order_by("sort_order", "pk")
    }


def consultants_by_name(project: Project) -> dict[str, User]:
    """The project's staff who hold customers, by full name and by log-in name, folded."""
    people: dict[str, User] = {}
    for user in project_owners(project):
        for key in (user.username, user.name):
            if key:
                people.setdefault(rules.fold(key), user)
    return people
