"""Reception (接待): the day's roster, the rotation's counter and its ledger."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anchang.assignment import rules
from anchang.assignment.imports import rules as import_rules


class DutyEntry(models.Model):
    """One consultant on one day's roster (值班/签到): signed in, free, with a visitor, away
    or signed out, their time slot and the make-up turns they are owed."""

    class Status(models.TextChoices):
        ON_DUTY = rules.ON_DUTY, rules.STATUS_LABELS[rules.ON_DUTY]
        BUSY = rules.BUSY, rules.STATUS_LABELS[rules.BUSY]
        AWAY = rules.AWAY, rules.STATUS_LABELS[rules.AWAY]
        OFF = rules.OFF, rules.STATUS_LABELS[rules.OFF]

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))  # in the project's time zone
    consultant = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    signed_in_at = models.DateTimeField(_("signed in at"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ON_DUTY
    )
    status_since = models.DateTimeField(_("since"))
    slot_start = models.TimeField(_("slot from"), null=True, blank=True)
    slot_end = models.TimeField(_("slot until"), null=True, blank=True)
    owed = models.PositiveSmallIntegerField(_("make-up turns owed"), default=0)
    # new visitors received today (turns and make-ups): the fewest-first rule reads it
    received = models.PositiveSmallIntegerField(_("received today"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("duty entry")
        verbose_name_plural = _("duty roster")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "day", "consultant"], name="duty_one_per_day"
            ),
            models.CheckConstraint(
                condition=(models.Q(slot_start__isnull=True) & models.Q(slot_end__isnull=True))
                | (models.Q(slot_start__isnull=False) & models.Q(slot_end__isnull=False)),
                name="duty_slot_whole",
            ),
        ]
        indexes = [models.Index(fields=["consultant", "day"], name="duty_consultant_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.consultant}"


class RotationDay(models.Model):
    """The rotation's counter for one project and day: every walk-in taken bumps `seq` under
    this row's lock, so two desks at the same instant take two turns, never one twice."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    seq = models.PositiveIntegerField(default=0)  # the ledger's last entry number today
    # the last consultant to take a regular turn (sign-in and slot rounds go on after them)
    pointer = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "day"], name="rotation_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.day}: {self.seq}"


class TurnEntry(models.Model):
    """A line of the reception ledger (接待台账): a turn, a make-up turn, a skip, a returning
    customer sent to their owner, or a stand-in (义务接待) for an absent owner."""

    class Kind(models.TextChoices):
        TURN = rules.TURN, rules.KIND_LABELS[rules.TURN]
        MAKEUP = rules.MAKEUP, rules.KIND_LABELS[rules.MAKEUP]
        SKIP = rules.SKIP, rules.KIND_LABELS[rules.SKIP]
        OWNER = rules.OWNER, rules.KIND_LABELS[rules.OWNER]
        STAND_IN = rules.STAND_IN, rules.KIND_LABELS[rules.STAND_IN]

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    seq = models.PositiveIntegerField(_("number"))
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    consultant = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    # a stand-in's absent owner
    owner = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # the visit: who came (王先生, 2 人) and the phone the desk was given, E.164, for the
    # receiving consultant to register; never shown to others unmasked
    visitor = models.CharField(_("visitor"), max_length=40, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=16, blank=True)  # a skip's
    actor = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    # the entry a skip was taken on the way to (the same walk-in)
    walk_in = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="skips"
    )

    class Meta:
        verbose_name = pgettext_lazy("reception", "ledger entry")
        verbose_name_plural = pgettext_lazy("reception", "reception ledger")
        constraints = [
            models.UniqueConstraint(fields=["project", "day", "seq"], name="turn_seq_unique"),
            models.UniqueConstraint(
                fields=["actor", "idempotency_key"],
                name="turn_idempotency",
                condition=models.Q(idempotency_key__isnull=False),
            ),  # fmt: skip
        ]
        indexes = [
            models.Index(fields=["consultant", "day"], name="turn_consultant_day"),
            models.Index(fields=["project", "day", "kind"], name="turn_project_day"),
            models.Index(fields=["customer", "kind", "at"], name="turn_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.day} #{self.seq} {self.kind}"


class ChannelCompany(models.Model):
    """A channel partner (渠道/中介 公司) of a project: its agents report customers."""

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel company")
        verbose_name_plural = _("channel companies")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="channel_company_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ChannelAgent(models.Model):
    """A user with the channel role, working for one channel company."""

    user = models.OneToOneField("org.User", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(ChannelCompany, on_delete=models.PROTECT, related_name="agents")

    class Meta:
        verbose_name = _("channel agent")
        verbose_name_plural = _("channel agents")

    def __str__(self) -> str:
        return f"{self.company}: {self.user}"


class ChannelReport(models.Model):
    """报备: a channel agent names a customer ahead of their visit; the project's protection
    model gives the report its windows (visit by, deal by)."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")  # protected, waiting for the visit (or the deal)
        INVALID = "invalid", _("Not valid")  # the phone was already the project's
        VISITED = "visited", _("Visited")  # the visit came inside its window
        DEALT = "dealt", _("Deal")  # a deal inside the window: the channel is credited
        EXPIRED = "expired", _("Expired")  # a window passed
        # the visitor came inside the window but not through the channel (a walk-in named
        # another medium): a manager decides whose the visit is
        DISPUTED = "disputed", _("Under review")

    class Commission(models.TextChoices):
        NONE = "", _("None")
        PENDING = "pending", _("To be settled")
        PAID = "paid", _("Paid")

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(ChannelCompany, on_delete=models.PROTECT, related_name="reports")
    agent = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(max_length=20)  # E.164
    reported_at = models.DateTimeField(_("reported at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=20, blank=True)  # why not valid (staff only)
    visit_by = models.DateTimeField(_("visit by"), null=True, blank=True)
    deal_by = models.DateTimeField(_("deal by"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dealt_at = models.DateTimeField(_("deal at"), null=True, blank=True)
    commission = models.CharField(
        _("commission"), max_length=10, choices=Commission.choices, blank=True, default=""
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    decided_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("channel report")
        verbose_name_plural = _("channel reports")
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "idempotency_key"], name="channel_report_idempotency",
                condition=models.Q(idempotency_key__isnull=False),
            ),
            # one live report per phone and project: the first valid one protects it
            models.UniqueConstraint(
                fields=["project", "phone"], name="channel_report_one_live",
                condition=models.Q(status__in=["valid", "visited", "disputed"]),
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["agent", "-reported_at"], name="channel_report_agent"),
            models.Index(
                fields=["project", "status", "-reported_at"], name="channel_report_project"
            ),
            models.Index(fields=["customer", "status"], name="channel_report_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.get_status_display()}"


# --- imports (导入) -----------------------------------------------------------------------


class ImportBatch(models.Model):
    """One file a clerk loads (a register or a customer list): read, mapped, previewed,
    committed in the background, revertible for `imports.revert_days`."""

    class Status(models.TextChoices):
        READING = "reading", _("Reading the file")
        PREVIEW = "preview", _("Preview")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        REVERTED = "reverted", _("Reverted")

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=list(import_rules.KIND_LABELS.items())
    )
    file_name = models.CharField(_("file"), max_length=200)
    file_type = models.CharField(max_length=4)  # xlsx, csv
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    header_row = models.PositiveIntegerField(default=0)  # the file's row number (1-based)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # field → column index
    default_medium = models.ForeignKey(
        "customers.Medium", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)  # data rows
    done = models.PositiveIntegerField(default=0)  # rows committed so far
    counts = models.JSONField(default=dict)  # outcome → rows (the preview's, then the result's)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker's last sign of life
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revert_counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [
            models.Index(fields=["project", "-created_at"], name="import_project"),
            models.Index(fields=["status", "heartbeat_at"], name="import_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"


class ImportRow(models.Model):
    """One data row of a file, as written, with its outcome: the preview's until the
    commit, then what was done (created, merged into a known customer, or refused and why)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # the file's row number (1-based)
    cells = models.JSONField(default=list)
    outcome = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    committed = models.BooleanField(default=False)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registration = models.ForeignKey(
        "customers.Registration", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created = models.BooleanField(default=False)  # the row created its customer

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="import_row_number")
        ]
        indexes = [models.Index(fields=["batch", "outcome", "number"], name="import_row_outcome")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"


class ImportMapping(models.Model):
    """How a project's files name their columns (header → field), remembered from each
    mapping confirmed, so next month's register maps itself."""

    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    columns = models.JSONField(default=dict)  # folded header → field ("" : not imported)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="import_mapping_one")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.kind}"
