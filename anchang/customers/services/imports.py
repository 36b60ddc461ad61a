"""Registers and customer lists loaded from a file (导入, docs/import.md): every row under
the registration's rules (one customer per phone, who owns whom, the call-in stage's
required fields) through the registration's own functions.

Rows of phones the project does not know are written in bulk, a chunk at a time: one read
of the phone index, one insert each of customers, phone rows, registrations and history.
Rows of known phones (the file's second row of a phone among them) are decided as the
registration decides them (a return, an unowned customer taken, a conflict with the owner)
and written in bulk too: one update of their customers, one insert each of registrations,
history and conflicts. What only the registration may decide (a pool customer claimed under
the pool's rules, a lost or dormant customer back) goes one by one through it, with every
other row of that customer in the chunk.

A chunk is one transaction: a registration of the same phone at the same moment either comes
first (the chunk sees it) or loses the phone index's unique constraint to the chunk, which
is read again and retried."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.bulk import Maker, insert_history, insert_rows, update_rows
from anchang.customers.choices import Gender, State
from anchang.customers.events import (
    ConflictsOpened,
    ContactsImported,
    ContactsImporting,
    ImportReverting,
    OwnerChange,
    ReturnsImported,
)
from anchang.customers.models import (
    Customer,
    CustomerPhone,
    KeyDate,
    Medium,
    OwnershipConflict,
    Registration,
)
from anchang.customers.phones import normalise_phone
from anchang.customers.selectors import phone_index
from anchang.customers.services.ownership import owner_set
from anchang.customers.services.profile import clean_name, ensure_required, refresh_derived
from anchang.customers.services.registration import (
    CONTENT_MAX,
    MAX_COMPANIONS,
    PRODUCT_MAX,
    _count_contact,
    _register,
)
from anchang.errors import ValidationFailed
from anchang.events import publish
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules

# History goes back as far as offices kept it; nothing before the century is a real record.
OLDEST_DAY = date(2000, 1, 1)
CLOCK_SKEW = timedelta(minutes=5)
MERGED = "merged"  # a customer list's row of a known phone: nothing is written
RETRIES = 3


@dataclass
class ContactRow:
    """One row of a register (`kind` call or visit) or of a customer list (`kind` "")."""

    key: int  # the caller's row number, handed back with the outcome
    kind: str
    name: str
    phone: str  # as written: normalised here
    gender: str
    medium_id: int | None
    content: str
    occurred_at: datetime | None
    credited: User | None = None  # the consultant the row names; None: unowned (the queue)
    companions: int = 0
    intended_product: str = ""


@dataclass
class RowOutcome:
    key: int
    outcome: str  # a Registration.Outcome, MERGED, or "" when refused
    reason: str = ""
    phone: str = ""
    customer_id: int | None = None
    registration_id: int | None = None
    created: bool = False  # the row created its customer
    fields: dict[str, str] = field(default_factory=dict)  # field → why not, when refused


def contact_row_clean(row: ContactRow, *, project: Project, now: datetime) -> dict:
    """The registration's checks of one row, and the import's of its time: any day since
    2000 up to now (a register is history, not a late entry). Raises ValidationFailed."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    try:
        cleaned["name"] = clean_name(row.name)
    except ValidationFailed as exc:
        errors.update({k: str(v) for k, v in exc.fields.items()})
    try:
        cleaned["phone"] = normalise_phone(row.phone or "")
    except ValidationFailed as exc:
        errors.update({k: str(v) for k, v in exc.fields.items()})
    if row.gender not in Gender.values:
        errors["gender"] = _("Choose the customer's gender.")
    if row.medium_id is None:
        errors["medium"] = _("Choose how the customer heard of us.")
    if row.kind and row.kind not in Registration.Kind.values:
        errors["kind"] = _("Choose call or visit.")
    content = (row.content or "").strip()
    if len(content) > CONTENT_MAX:
        errors["content"] = _("At most %(n)d characters.") % {"n": CONTENT_MAX}
    if not 0 <= row.companions <= MAX_COMPANIONS:
        errors["companions"] = _("Between 0 and %(n)d.") % {"n": MAX_COMPANIONS}
    product = (row.intended_product or "").strip()
    if len(product) > PRODUCT_MAX:
        errors["intended_product"] = _("At most %(n)d characters.") % {"n": PRODUCT_MAX}
    at = row.occurred_at
    if at is None:
        if row.kind:
            errors["occurred_at"] = _("Enter the date of the call or visit.")
    else:
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > now + CLOCK_SKEW:
            errors["occurred_at"] = _("The time is in the future.")
        elif at < datetime.combine(OLDEST_DAY, datetime.min.time(), tzinfo=UTC):
            errors["occurred_at"] = _("Before %(year)d: not a date of this register.") % {
                "year": OLDEST_DAY.year
            }
    if errors:
        raise ValidationFailed(fields=errors)
    cleaned.update(content=content, intended_product=product, occurred_at=at)
    return cleaned


def contact_rows_import(
    *, actor: User, project: Project, rows: Sequence[ContactRow], note: str
) -> list[RowOutcome]:
    """Write one chunk of rows (the caller keeps chunks to a few thousand); every row comes
    back with its outcome. `note` is the history's reason (the batch's name)."""
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                return _chunk(actor, project, rows, note)
        except IntegrityError:
            # A registration took one of these phones between our read and our insert.
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _chunk(actor, project, rows, note) -> list[RowOutcome]:
    now = timezone.now()
    rules = project_rules(project)
    outcomes: dict[int, RowOutcome] = {}
    cleaned: dict[int, dict] = {}
    media = {m.pk: m for m in Medium.objects.filter(project=project, is_active=True)}
    for row in rows:
        try:
            cleaned[row.key] = contact_row_clean(row, project=project, now=now)
            if row.medium_id not in media:
                raise ValidationFailed(
                    fields={"medium": _("Choose an awareness medium of this project.")}
                )
        except ValidationFailed as exc:
            outcomes[row.key] = RowOutcome(
                row.key, "", reason="；".join(exc.fields.values()), fields=dict(exc.fields)
            )
    holders = phone_index(project, (c["phone"] for c in cleaned.values()))
    fresh: list[tuple[ContactRow, dict]] = []
    later: list[tuple[ContactRow, dict]] = []
    seen: set[str] = set()
    for row in rows:
        if row.key not in cleaned:
            continue
        phone = cleaned[row.key]["phone"]
        if phone in holders or phone in seen:
            later.append((row, cleaned[row.key]))
        else:
            seen.add(phone)
            fresh.append((row, cleaned[row.key]))
    # Whose each known phone is: the project's, or a customer this chunk just created.
    customer_of = {phone: customer for phone, (customer, _owner) in holders.items()}
    made, created = _create(actor, project, rules, fresh, note, now, media)
    for outcome in made:
        outcomes[outcome.key] = outcome
    customer_of.update({phone: c.pk for phone, c in created.items()})
    for row, values in later:
        if not row.kind:  # a customer list's row of a known phone merges: nothing is written
            phone = values["phone"]
            outcomes[row.key] = RowOutcome(row.key, MERGED, phone=phone,
                                           customer_id=customer_of.get(phone))  # fmt: skip
    visits = [(row, values) for row, values in later if row.kind]
    decided, others = _split_known(visits, holders, created)
    done, back = _known_in_bulk(actor, project, rules, decided, note, now, media)
    outcomes.update(done)
    for row, values in sorted(others + back, key=lambda pair: pair[0].key):
        outcomes[row.key] = _known(actor, project, row, values, note, now, media)
    return [outcomes[row.key] for row in rows]


def _create(
    actor, project, rules, fresh, note, now, media
) -> tuple[list[RowOutcome], dict[str, Customer]]:
    """New phones: the registration's customer, checked and derived alike, inserted in bulk.
    The rows' outcomes, and the customers made by phone."""
    made: list[tuple[ContactRow, Customer, dict]] = []
    refused: list[RowOutcome] = []
    make = Maker(Customer)
    for row, values in fresh:
        customer = make(
            project=project, owner=row.credited, name=values["name"], gender=row.gender,
            owned_since=now if row.credited else None, phone=values["phone"],
            medium=media[row.medium_id], created_by=actor,
        )  # fmt: skip
        if row.kind:
            _count_contact(customer, row.kind, values["occurred_at"])
        elif values["occurred_at"]:
            customer.first_contact_at = customer.last_contact_at = values["occurred_at"]
        try:
            ensure_required(customer, rules, "call_in", has_care_dates=False)
        except ValidationFailed as exc:
            refused.append(RowOutcome(row.key, "", reason=str(exc.message), fields=exc.fields))
            continue
        refresh_derived(customer, rules, has_care_dates=False)
        made.append((row, customer, values))
    if not made:
        return refused, {}
    customers = [c for _row, c, _v in made]
    contacts = [(c, row.kind, values["occurred_at"]) for row, c, values in made if row.kind]
    # What a contact sets on its customer (the next follow-up, a first grade) is set before
    # the insert, so the rows go in once.
    publish(ContactsImporting(contacts=contacts, now=now))
    insert_rows(Customer, customers)
    insert_history(Customer, [c.pk for c in customers], when=now, user_id=actor.pk,
                   reason=note)  # fmt: skip
    insert_rows(
        CustomerPhone,
        [CustomerPhone(project=project, customer=c, phone=c.phone, slot=1) for c in customers],
    )
    registrations = [
        Registration(
            project=project,
            customer=customer,
            kind=row.kind,
            outcome=Registration.Outcome.NEW_CUSTOMER,
            consultant=row.credited or actor,
            occurred_at=values["occurred_at"],
            is_late=False,
            medium=media[row.medium_id],
            name_given=values["name"],
            content=values["content"] or note,
            companions=row.companions,
            intended_product=values["intended_product"],
        )  # fmt: skip
        for row, customer, values in made
        if row.kind
    ]
    insert_rows(Registration, registrations)
    by_customer = {r.customer_id: r for r in registrations}
    publish(
        ContactsImported(
            pairs=[(c, by_customer.get(c.pk)) for c in customers], actor=actor, now=now
        )
    )
    return refused + [
        RowOutcome(
            row.key,
            Registration.Outcome.NEW_CUSTOMER if row.kind else "new_customer",
            phone=customer.phone,
            customer_id=customer.pk,
            registration_id=by_customer[customer.pk].pk if row.kind else None,
            created=True,
        )  # fmt: skip
        for row, customer, _values in made
    ], {c.phone: c for c in customers}


def _split_known(rows, holders, created) -> tuple[list, list]:
    """The register's rows of known phones split into customers whose rows are all decided
    here ([(customer locked, [(row, values, outcome)])], see `_decided`), and the rest (the
    caller puts them in file order). A customer's rows go together: all here, or all through
    the registration one by one."""
    ids = {holders[v["phone"]][0] for _row, v in rows if v["phone"] in holders}
    loaded = {
        c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    groups: dict[int, tuple[Customer, list]] = {}
    for row, values in rows:
        phone = values["phone"]
        customer = created.get(phone) or loaded[holders[phone][0]]
        groups.setdefault(customer.pk, (customer, []))[1].append((row, values))
    decided, others = [], []
    for customer, group in groups.values():
        outcomes = _decided(customer, [row.credited for row, _values in group])
        if outcomes is None:
            others.extend(group)
        else:
            decided.append(
                (customer, [(*pair, o) for pair, o in zip(group, outcomes, strict=True)])
            )
    return decided, others


TAKE = "take"  # a return that gives an unowned customer to the consultant credited


def _decided(customer: Customer, credited: list[User | None]) -> list[str] | None:
    """Each row's outcome as the registration decides it, row after row (the first credited
    row of an unowned customer takes them: TAKE; a row credited to another than the owner
    opens a conflict), or None where the registration itself must decide: a pool customer
    claimed (its cool-down, daily limit and hold cap), a lost or dormant customer back, a
    customer with no grade yet."""
    if customer.state in (State.LOST, State.NO_INTENT) or not customer.grade:
        return None
    owner = customer.owner_id
    outcomes = []
    for who in credited:
        if who is None or who.pk == owner:
            outcomes.append(Registration.Outcome.RETURN)
        elif owner is None:
            if customer.pool_entered_at is not None:
                return None
            outcomes.append(TAKE)
            owner = who.pk
        else:
            outcomes.append(Registration.Outcome.CONFLICT)
    return outcomes


def _known_in_bulk(
    actor, project, rules, groups, note, now, media
) -> tuple[dict[int, RowOutcome], list]:
    """Known customers' rows decided by `_decided`, as the registration records them: a
    return counts the contact, fills blanks, sets the next follow-up, checks the call-in
    stage's fields and derives the rest; a take gives the customer to the consultant first;
    a conflict leaves the customer as they are and opens a conflict (撞单). Written in bulk:
    one update of the customers, one insert each of registrations, history and conflicts.
    The outcomes, and the rows sent back to the registration (a customer whose call-in
    fields are missing: it refuses their rows one by one)."""
    outcomes: dict[int, RowOutcome] = {}
    back: list = []
    if not groups:
        return outcomes, back
    dated = set(
        KeyDate.objects.filter(customer_id__in=[c.pk for c, _g in groups]).values_list(
            "customer_id", flat=True
        )
    )
    written, pairs, conflicts = [], [], []
    for customer, group in groups:
        contacts = [g for g in group if g[2] != Registration.Outcome.CONFLICT]
        if contacts:
            for row, _values, _outcome in contacts:
                customer.gender = customer.gender or row.gender
                customer.medium_id = customer.medium_id or row.medium_id
            try:
                ensure_required(customer, rules, "call_in", has_care_dates=customer.pk in dated)
            except ValidationFailed:
                back.extend((row, values) for row, values, _outcome in group)
                continue
        for row, values, outcome in group:
            claimant = row.credited
            registration = Registration(
                project_id=customer.project_id, customer=customer, kind=row.kind,
                outcome=Registration.Outcome.CONFLICT
                if outcome == Registration.Outcome.CONFLICT else Registration.Outcome.RETURN,
                consultant=claimant or actor, occurred_at=values["occurred_at"], is_late=False,
                medium=media[row.medium_id], name_given=values["name"],
                content=values["content"] or note, companions=row.companions,
                intended_product=values["intended_product"],
            )  # fmt: skip
            pairs.append((customer, registration, row))
            if outcome == Registration.Outcome.CONFLICT:
                conflicts.append(
                    OwnershipConflict(
                        project_id=customer.project_id,
                        customer=customer,
                        registration=registration,
                        claimant=claimant,
                        owner_id=customer.owner_id,
                        via_second_phone=bool(customer.phone2)
                        and values["phone"] == customer.phone2,
                    )  # fmt: skip
                )
                continue
            if outcome == TAKE:
                owner_set(customer, claimant, actor=actor, via=OwnerChange.REGISTRATION)
            _count_contact(customer, row.kind, values["occurred_at"])
        if contacts:
            refresh_derived(customer, rules, has_care_dates=customer.pk in dated)
            customer.version += 1
            written.append(customer)
    contacts = [(c, r) for c, r, _row in pairs if r.outcome != Registration.Outcome.CONFLICT]
    publish(ContactsImporting(contacts=[(c, r.kind, r.occurred_at) for c, r in contacts],
                              now=now))  # fmt: skip
    update_rows(Customer, written)
    insert_history(Customer, [c.pk for c in written], when=now, user_id=actor.pk,
                   reason=note, kind="~")  # fmt: skip
    insert_rows(Registration, [r for _c, r, _row in pairs])
    insert_rows(OwnershipConflict, conflicts)
    if conflicts:
        publish(ConflictsOpened(conflicts=conflicts))
    publish(ReturnsImported(pairs=contacts, actor=actor, now=now))
    for customer, registration, row in pairs:
        outcomes[row.key] = RowOutcome(
            row.key, registration.outcome, phone=customer.phone,
            customer_id=customer.pk, registration_id=registration.pk,
        )  # fmt: skip
    return outcomes, back


def _known(actor, project, row, values, note, now, media) -> RowOutcome:
    """A register's row of a phone the project (or this file) already has: a registration
    like any other."""
    cleaned = {
        "name": values["name"], "phone": values["phone"], "medium": media[row.medium_id],
        "content": values["content"] or note, "intended_product": values["intended_product"],
    }  # fmt: skip
    try:
        with transaction.atomic():
            result = _register(
                actor, project, row.kind, cleaned, row.gender, values["occurred_at"], None,
                row.companions, {}, None, now, credited=row.credited, imported=True,
            )  # fmt: skip
    except ValidationFailed as exc:
        return RowOutcome(row.key, "", reason=str(exc.message), fields=dict(exc.fields))
    registration = result.registration
    return RowOutcome(
        row.key, registration.outcome, phone=values["phone"],
        customer_id=registration.customer_id, registration_id=registration.pk,
    )  # fmt: skip


def contacts_import_revert(
    *, actor: User, project: Project, created: list[int], registrations: list[int],
    since: datetime,
) -> dict[str, int]:  # fmt: skip
    """Undo an import: the customers it created and its registrations of known customers,
    each only if nobody touched the customer after `since` (the import's end): no save of the
    record since, and no deal, follow-up or other record of anyone else pointing at it.
    Conflicts it opened go with their registration while still undecided."""
    removed, kept = _remove_customers(actor, project, created, since)
    reg_removed, reg_kept = _remove_registrations(actor, project, registrations, since)
    return {
        "customers_removed": removed, "customers_kept": kept,
        "registrations_removed": reg_removed, "registrations_kept": reg_kept,
    }  # fmt: skip


def _remove_customers(actor, project, ids, since) -> tuple[int, int]:
    removed = kept = 0
    for start in range(0, len(ids), 500):
        wanted = set(
            Customer.objects.filter(
                pk__in=ids[start : start + 500], project=project, updated_at__lte=since
            ).values_list("pk", flat=True)
        )
        kept += len(ids[start : start + 500]) - len(wanted)
        while wanted:
            try:
                with transaction.atomic():
                    publish(ImportReverting(customer_ids=wanted, since=since))
                    Registration.objects.filter(customer_id__in=wanted).delete()
                    for customer in Customer.objects.filter(pk__in=wanted):
                        customer._history_user = actor
                        customer._change_reason = _("import reverted")
                        customer.delete()
            except ProtectedError as exc:
                # Someone's deal, follow-up or conflict points at these: touched, they stay.
                blocked = {getattr(o, "customer_id", None) for o in exc.protected_objects}
                blocked = (blocked & wanted) or {next(iter(wanted))}
                wanted -= blocked
                kept += len(blocked)
                continue
            removed += len(wanted)
            break
    return removed, kept


def _remove_registrations(actor, project, ids, since) -> tuple[int, int]:
    removed = kept = 0
    for registration in Registration.objects.filter(pk__in=ids, project=project).select_related(
        "customer"
    ):
        customer = Customer.objects.select_for_update().get(pk=registration.customer_id)
        conflicts = OwnershipConflict.objects.filter(registration=registration)
        if (
            customer.updated_at > since
            or conflicts.exclude(status=OwnershipConflict.Status.OPEN).exists()
        ):
            kept += 1
            continue
        conflicts.delete()
        registration.delete()
        _recount(customer)
        customer.version += 1
        customer._history_user = actor
        customer._change_reason = _("import reverted")
        customer.save()
        removed += 1
    return removed, kept


def _recount(customer: Customer) -> None:
    """Contact counts and dates from the registrations that remain."""
    customer.visit_count = customer.call_count = 0
    customer.first_contact_at = customer.last_contact_at = None
    for kind, at in Registration.objects.filter(
        customer=customer,
        outcome__in=[Registration.Outcome.NEW_CUSTOMER, Registration.Outcome.RETURN],
    ).values_list("kind", "occurred_at"):
        _count_contact(customer, kind, at)
