"""Imports (导入, docs/import.md): a file read into rows, its columns mapped (and the mapping
remembered for the project), every row given its outcome in a preview before anything is
written, then committed in the background a chunk at a time through the registration's
rules (customers.services.imports), every row accounted for, and revertible for
`imports.revert_days` (what the import created, untouched since).

A batch's steps: preview → committing → done (or failed), then reverted. A commit whose
worker died (its heartbeat older than STALE) is picked up by the tick and goes on where it
stopped: rows are marked committed chunk by chunk, in the chunk's own transaction."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import IO

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.assignment import policies
from anchang.assignment.errors import Code
from anchang.assignment.imports import rules, selectors
from anchang.assignment.imports.sheets import read_rows
from anchang.assignment.models import ImportBatch, ImportMapping, ImportRow
from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.background import run_after_commit
from anchang.bulk import insert_rows, update_rows
from anchang.customers.selectors import phone_index
from anchang.customers.services.imports import (
    MERGED,
    ContactRow,
    RowOutcome,
    contact_row_clean,
    contact_rows_import,
    contacts_import_revert,
)
from anchang.errors import Conflict, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules
from anchang.spreadsheets import xlsx_file

# Rows a transaction: each chunk costs its statements, events and commit once (PostgreSQL,
# 10,000 rows: 1,000 a chunk 6.4 s, 2,000 5.3 s, 5,000 5.6 s), and holds SQLite's one
# writer for its length (~0.5 s at 2,000): a registration at the desk waits at most that.
CHUNK = 2000
STALE = timedelta(minutes=2)
INVALID = "invalid"
WRITTEN = ("outcome", "reason", "customer", "registration", "created", "committed")  # by a commit
S = ImportBatch.Status


# --- upload and mapping ------------------------------------------------------------------


@transaction.atomic
def import_upload(
    *, actor: User, project: Project, kind: str, file_name: str, data: bytes
) -> ImportBatch:
    """Read the file into a batch of rows, map its columns (as this project's last file of
    the kind was mapped, else by the usual header words) and preview every row."""
    policies.ensure_can_import(actor=actor, project=project)
    if kind not in rules.KINDS:
        raise ValidationFailed(fields={"kind": _("Choose what the file is.")})
    file_name = (file_name or "").strip()[-200:] or "import"
    file_type, table = read_rows(data, file_name)
    remembered = selectors.remembered_columns(project, kind)
    index, names = rules.header_row(table, remembered)
    if index < 0:
        message = _("No header row found: the first rows should name the columns (姓名, 电话, …).")
        raise ValidationFailed(message, fields={"file": message}, code=Code.IMPORT_FILE)
    body = [(number, cells) for number, cells in enumerate(table[index + 1 :], start=index + 2)
            if any(cells)]  # fmt: skip
    if not body:
        message = _("The file has a header row and no rows under it.")
        raise ValidationFailed(message, fields={"file": message}, code=Code.IMPORT_FILE)
    batch = ImportBatch.objects.create(
        project=project, created_by=actor, kind=kind, file_name=file_name, file_type=file_type,
        status=S.PREVIEW, header_row=index + 1, headers=names, total=len(body),
        mapping=rules.guess_mapping(names, remembered),
    )  # fmt: skip
    _preview(batch, [ImportRow(batch=batch, number=number, cells=cells) for number, cells in body])
    return batch


@transaction.atomic
def import_map(
    *, actor: User, batch: ImportBatch, mapping: dict[str, int | None],
    default_medium_id: int | None,
) -> ImportBatch:  # fmt: skip
    """Confirm or change which column is which, and the medium of rows that name none;
    the preview is given again."""
    batch = _locked(actor, batch, S.PREVIEW)
    width = len(batch.headers)
    chosen: dict[str, int] = {}
    errors: dict[str, str] = {}
    for field, col in mapping.items():
        if field not in rules.FIELDS:
            errors[field] = _("Unknown field.")
        elif col is not None:
            if not 0 <= col < width:
                errors[field] = _("No such column.")
            elif col in chosen.values():
                errors[field] = _("This column is already mapped to another field.")
            else:
                chosen[field] = col
    for field in rules.REQUIRED[batch.kind]:
        if field not in chosen and field not in errors:
            errors[field] = _("Choose the column of this field.")
    medium = None
    if default_medium_id is not None:
        medium = selectors.project_media(batch.project).get(default_medium_id)
        if medium is None:
            errors["default_medium"] = _("Choose an awareness medium of this project.")
    if errors:
        raise ValidationFailed(fields=errors, code=Code.IMPORT_MAPPING)
    batch.mapping, batch.default_medium = chosen, medium
    batch.save(update_fields=["mapping", "default_medium"])
    _remember(batch)
    _preview(batch)
    return batch


def _remember(batch: ImportBatch) -> None:
    """The project's next file of this kind maps its headers the same way."""
    mapped = {col: field for field, col in batch.mapping.items()}
    columns = dict(selectors.remembered_columns(batch.project, batch.kind))
    for col, name in enumerate(batch.headers):
        key = rules.fold(name)
        if key:
            columns[key] = mapped.get(col, "")
    ImportMapping.objects.update_or_create(
        project=batch.project, kind=batch.kind, defaults={"columns": columns}
    )


def _locked(actor: User, batch: ImportBatch, *states: str) -> ImportBatch:
    policies.ensure_can_import(actor=actor, project=batch.project)
    current = ImportBatch.objects.select_for_update().select_related("project").get(pk=batch.pk)
    if current.status not in states:
        raise Conflict(
            _("This import is %(status)s: it cannot do that now.")
            % {"status": current.get_status_display()},
            code=Code.IMPORT_STATE,
        )
    return current


# --- rows as the registration takes them -------------------------------------------------


class _Reader:
    """Turns a batch's rows into the registration's input, with the project's media and
    consultants read once."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.tz = project_rules(batch.project).tz
        self.media = {
            rules.fold(m.name): m for m in selectors.project_media(batch.project).values()
        }
        self.people = selectors.consultants_by_name(batch.project)
        self.kind = rules.CONTACT_KIND[batch.kind]
        self.now = timezone.now()

    def cell(self, row: ImportRow, field: str) -> str:
        col = self.batch.mapping.get(field)
        if col is None or col >= len(row.cells):
            return ""
        return row.cells[col].strip()

    def contact(self, row: ImportRow) -> ContactRow | str:
        """The row as the registration's input, or why it cannot be one."""
        text = {field: self.cell(row, field) for field in rules.FIELDS}
        formulas = [str(rules.FIELD_LABELS[f]) for f, v in text.items() if rules.is_formula(v)]
        if formulas:
            return _("A formula, not a value: %(fields)s.") % {"fields": "、".join(formulas)}
        problems: list[str] = []
        gender = rules.parse_gender(text["gender"], text["name"])
        if gender == "?":
            problems.append(_("Gender: write 男 or 女."))
        elif not gender:
            problems.append(_("Gender missing (男/女, or 先生/女士 after the name)."))
        try:
            when = rules.parse_when(text["occurred_at"], self.tz)
        except ValueError:
            when = None
            problems.append(_("Not a date: %(value)s.") % {"value": text["occurred_at"][:40]})
        medium = self.batch.default_medium
        if text["medium"]:
            medium = self.media.get(rules.fold(text["medium"]))
            if medium is None:
                problems.append(
                    _("Unknown awareness medium: %(value)s.") % {"value": text["medium"][:40]}
                )
        elif medium is None:
            problems.append(_("Awareness medium missing (or choose one for such rows)."))
        consultant = None
        if text["consultant"]:
            consultant = self.people.get(rules.fold(text["consultant"]))
            if consultant is None:
                problems.append(
                    _("No consultant of this project is called %(value)s.")
                    % {"value": text["consultant"][:40]}
                )
        try:
            companions = rules.parse_count(text["companions"])
        except ValueError:
            companions = 0
            problems.append(_("Companions: a whole number."))
        if problems:
            return " ".join(str(p) for p in problems)
        return ContactRow(
            key=row.number, kind=self.kind, name=text["name"], phone=text["phone"],
            gender=gender, medium_id=medium.pk if medium else None, content=text["content"],
            occurred_at=when, credited=consultant, companions=companions,
            intended_product=text["intended_product"],
        )  # fmt: skip

    def checked(self, row: ImportRow) -> tuple[ContactRow, str] | str:
        """(the row's input, its phone as stored), or why it would be refused."""
        contact = self.contact(row)
        if isinstance(contact, str):
            return contact
        try:
            cleaned = contact_row_clean(contact, project=self.batch.project, now=self.now)
        except ValidationFailed as exc:
            return " ".join(str(v) for v in exc.fields.values())
        return contact, cleaned["phone"]


def _preview(batch: ImportBatch, fresh: list[ImportRow] | None = None) -> None:
    """Every row's outcome if committed now: refused (and why), a new customer, a known
    customer's return (or merged, for a customer list), or a conflict with another owner.
    The rows (`fresh` ones from the file, else the batch's) are written with it once."""
    reader = _Reader(batch)
    rows = fresh if fresh is not None else list(batch.rows.order_by("number"))
    contacts: dict[int, tuple[ContactRow, str]] = {}
    for row in rows:
        checked = reader.checked(row)
        if isinstance(checked, str):
            row.outcome, row.reason = INVALID, checked[:500]
        else:
            contacts[row.number] = checked
    known = phone_index(batch.project, (phone for _c, phone in contacts.values()))
    owners = {phone: owner for phone, (_customer, owner) in known.items()}
    # Each phone's owner as the rows before this one leave it (the file's own rows included:
    # a return of an unowned customer gives them to the consultant it names).
    owner_of: dict[str, int | None] = dict(owners)
    first_row: dict[str, int] = {}
    for row in rows:
        if row.number not in contacts:
            continue
        contact, phone = contacts[row.number]
        credited = contact.credited.pk if contact.credited else None
        row.reason = ""
        if phone in owner_of:
            owner = owner_of[phone]
            if not contact.kind:
                row.outcome = MERGED
            elif owner is not None and credited is not None and owner != credited:
                row.outcome = "conflict"
            else:
                row.outcome = "return"
                if owner is None and credited is not None:
                    owner_of[phone] = credited
            if phone in first_row:
                row.reason = _("Again in this file (row %(n)d).") % {"n": first_row[phone]}
        else:
            row.outcome = "new_customer"
            owner_of[phone], first_row[phone] = credited, row.number
    if fresh is None:
        batch.rows.all().delete()  # written again whole: cheaper than a CASE per row
    insert_rows(ImportRow, rows)
    batch.counts = dict(Counter(r.outcome for r in rows))
    batch.save(update_fields=["counts"])


# --- commit -----------------------------------------------------------------------------


@transaction.atomic
def import_commit(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Start writing the previewed rows; the work goes on in the background."""
    batch = _locked(actor, batch, S.PREVIEW)
    if not any(n for outcome, n in batch.counts.items() if outcome != INVALID):
        message = _("No row can be imported: fix the file (download the rejects) and upload it.")
        raise ValidationFailed(message, code=Code.IMPORT_STATE)
    now = timezone.now()
    batch.status, batch.committed_at, batch.heartbeat_at, batch.done = S.COMMITTING, now, now, 0
    batch.save(update_fields=["status", "committed_at", "heartbeat_at", "done"])
    run_after_commit(import_run, batch.pk)
    return batch


def import_run(batch_id: int) -> None:
    """Write a committing batch's rows not yet written, a chunk per transaction, the
    heartbeat and progress saved with each; done when none is left. Safe to run again."""
    batch = ImportBatch.objects.select_related("project", "created_by", "default_medium").get(
        pk=batch_id
    )
    if batch.status != S.COMMITTING:
        return
    reader = _Reader(batch)
    note = _("import #%(n)d (%(file)s)") % {"n": batch.pk, "file": batch.file_name}
    # Chunks commit in row order, so what is written is the rows up to the last written one:
    # each chunk is read from there by the (batch, number) index, never the whole batch again.
    written = batch.rows.filter(committed=True)
    last = written.aggregate(last=Max("number"))["last"] or 0
    done = written.count()
    try:
        while True:
            chunk = _chunk_after(batch, last)
            if not chunk:
                break
            _commit_chunk(batch, reader, chunk, note, done + len(chunk))
            last, done = chunk[-1].number, done + len(chunk)
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=S.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    counts = dict(
        batch.rows.values_list("outcome").annotate(n=Count("pk")).order_by()  # type: ignore[arg-type]
    )
    finished = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk, status=S.COMMITTING).update(
        status=S.DONE, counts=counts, finished_at=finished, heartbeat_at=finished,
        done=batch.total,
    )  # fmt: skip
    audit_record(
        action=AuditEntry.Action.IMPORTED, actor=batch.created_by, project=batch.project,
        obj=batch, details={"rows": batch.total, **counts},
    )  # fmt: skip


def _chunk_after(batch: ImportBatch, last: int) -> list[ImportRow]:
    """The next rows to write: up to CHUNK after row `last`, bounded by number as well as by
    count, so the database reads the chunk's range of the (batch, number) index whatever it
    believes of the table's size (PostgreSQL, planning from statistics taken before the
    preview wrote 100,000 rows, read every row after `last` and sorted them)."""
    near = batch.rows.filter(number__gt=last, number__lte=last + CHUNK * 4)
    chunk = list(near.order_by("number")[:CHUNK])
    # None so near (thousands of blank rows in the file), or none left: the rest, once.
    return chunk or list(batch.rows.filter(number__gt=last).order_by("number")[:CHUNK])


def _commit_chunk(
    batch: ImportBatch, reader: _Reader, chunk: list[ImportRow], note: str, done: int
) -> None:
    contacts: list[ContactRow] = []
    refused: dict[int, str] = {}
    for row in chunk:
        contact = reader.contact(row)
        if isinstance(contact, str):
            refused[row.number] = contact
        else:
            contacts.append(contact)
    with transaction.atomic():
        results: dict[int, RowOutcome] = {}
        if contacts:
            results = {
                r.key: r
                for r in contact_rows_import(
                    actor=batch.created_by, project=batch.project, rows=contacts, note=note
                )
            }
        for row in chunk:
            result = results.get(row.number)
            if result is None or not result.outcome:
                row.outcome = INVALID
                row.reason = (refused.get(row.number) or (result.reason if result else ""))[:500]
                row.customer_id = row.registration_id = None
            else:
                row.outcome, row.reason = result.outcome, ""
                row.customer_id, row.registration_id = result.customer_id, result.registration_id
                row.created = result.created
            row.committed = True
        update_rows(ImportRow, chunk, WRITTEN)
        ImportBatch.objects.filter(pk=batch.pk).update(done=done, heartbeat_at=timezone.now())


def imports_resume(now: datetime) -> int:
    """The tick: commits whose worker stopped (no heartbeat for STALE) go on."""
    stale = list(
        ImportBatch.objects.filter(status=S.COMMITTING, heartbeat_at__lt=now - STALE).values_list(
            "pk", flat=True
        )
    )
    for pk in stale:
        ImportBatch.objects.filter(pk=pk).update(heartbeat_at=now)
        import_run(pk)
    return len(stale)


# --- revert -----------------------------------------------------------------------------


@transaction.atomic
def import_revert(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Undo what the import created and nobody has touched since: its new customers (with
    their registrations), its registrations of known customers and its conflicts still
    open. What was touched stays, counted and listed."""
    batch = _locked(actor, batch, S.DONE)
    days = project_rules(batch.project).imports.revert_days
    if batch.finished_at is None or timezone.now() > batch.finished_at + timedelta(days=days):
        raise Conflict(
            _("Imports can be reverted for %(n)d days after they finish.") % {"n": days},
            code=Code.IMPORT_REVERT_EXPIRED,
        )
    rows = batch.rows.exclude(outcome=INVALID).exclude(outcome=MERGED)
    created = list(rows.filter(created=True).values_list("customer_id", flat=True))
    added = list(
        rows.filter(created=False, registration__isnull=False).values_list(
            "registration_id", flat=True
        )
    )
    result = contacts_import_revert(
        actor=actor, project=batch.project, created=[c for c in created if c],
        registrations=added, since=batch.finished_at,
    )  # fmt: skip
    batch.status, batch.reverted_at, batch.reverted_by = S.REVERTED, timezone.now(), actor
    batch.revert_counts = result
    batch.save(update_fields=["status", "reverted_at", "reverted_by", "revert_counts"])
    audit_record(
        action=AuditEntry.Action.IMPORT_REVERTED, actor=actor, project=batch.project, obj=batch,
        details=result,
    )  # fmt: skip
    return batch


# --- the rejects, to fix and upload again -------------------------------------------------


def import_rejects(*, actor: User, batch: ImportBatch) -> IO[bytes]:
    """The refused rows as they were written, with the file's header, the row number and
    the reason, as an .xlsx to fix and upload again (audited: it holds phones)."""
    policies.ensure_can_import(actor=actor, project=batch.project)
    width = len(batch.headers)
    rows = selectors.rejected_rows(batch)
    header = [_("Row"), *batch.headers, _("Why refused")]

    def lines():
        for row in rows.iterator(chunk_size=2000):
            cells = (row.cells + [""] * width)[:width]
            yield [row.number, *cells, row.reason]

    out = xlsx_file(_("Rejects"), header, lines())
    audit_record(
        action=AuditEntry.Action.EXPORTED, actor=actor, project=batch.project, obj=batch,
        details={"what": "import_rejects", "rows": batch.counts.get(INVALID, 0)},
    )  # fmt: skip
    return out
