"""Follow-up records (跟进记录) and grade changes (意向等级变更)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anchang.choices_display import ChoicesDisplay


class FollowUp(ChoicesDisplay, models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        VISIT = "visit", _("Visit")
        WECHAT = "wechat", _("WeChat")
        EVENT = "event", _("Event")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="followups"
    )
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="followups"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    # An unanswered or switched-off phone is logged but is not a contact.
    reached = models.BooleanField(_("reached the customer or a direct relative"), default=True)
    occurred_at = models.DateTimeField(_("time"))
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    is_backdated = models.BooleanField(_("entered long after"), default=False)
    content = models.TextField(_("content"), max_length=2000)
    grade = models.CharField(_("grade at this contact"), max_length=1, blank=True)
    signals = models.JSONField(_("buying signals"), default=list, blank=True)
    impression = models.CharField(_("impression"), max_length=200, blank=True)
    bottleneck = models.CharField(_("bottleneck"), max_length=200, blank=True)
    plan = models.CharField(_("plan"), max_length=200, blank=True)
    next_on = models.DateField(_("next follow-up"), null=True, blank=True)
    # A double tap or a retry sends the same key: one follow-up (like a registration's).
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="followup_idempotency",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(fields=["author", "-occurred_at"]),
            models.Index(fields=["project", "-occurred_at"]),
            # The review queue: a project's follow-ups entered since the manager's last review.
            models.Index(fields=["project", "entered_at"], name="followup_review_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class GradeChange(models.Model):
    """Every grade a customer was given: who, when, why, and what the checklist suggested."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="grade_changes"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_grade = models.CharField(max_length=1, blank=True)
    to_grade = models.CharField(max_length=1)
    suggested = models.CharField(max_length=1, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        indexes = [models.Index(fields=["customer", "-at"])]

    def __str__(self) -> str:
        return f"{self.from_grade or '—'} → {self.to_grade}"


class LossApplication(ChoicesDisplay, models.Model):
    """战败申请: a consultant gives a customer up; a manager approves or rejects."""

    class Reason(models.TextChoices):
        BOUGHT_ELSEWHERE = "bought_elsewhere", _("Bought elsewhere")
        BUDGET = "budget", _("Budget")
        LOCATION = "location", _("Location")
        TIMING = "timing", _("Timing")
        UNREACHABLE = "unreachable", _("Unreachable")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a manager")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="loss_applications"
    )
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    competitor = models.CharField(_("bought from (competitor)"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(_("manager's comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("loss application")
        verbose_name_plural = _("loss applications")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status="pending"),
                name="one_pending_loss_per_customer",
            )
        ]
        indexes = [models.Index(fields=["project", "status", "-id"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_status_display()}"


class Review(models.Model):
    """主管批示: a manager's comment on one follow-up, shown to its author on My day."""

    followup = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="reviews")
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_given"
    )
    # The follow-up's author, kept here so My day and the counts read one table.
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_received"
    )
    comment = models.CharField(_("comment"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        indexes = [
            models.Index(fields=["consultant", "-created_at"]),
            models.Index(fields=["reviewer", "-created_at"]),
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["followup"]),
        ]

    def __str__(self) -> str:
        return self.comment[:40]


class ReviewCursor(models.Model):
    """Where a manager's review queue of a project starts: follow-ups entered after this."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="+")
    reviewed_until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "project"], name="review_cursor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id}@{self.project_id}: {self.reviewed_until:%Y-%m-%d %H:%M}"


class RevisitPlan(ChoicesDisplay, models.Model):
    """回访计划: a planned round of calls or visits to a chosen set of customers."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        REPORTED = "reported", _("Report submitted")
        REVIEWED = "reviewed", _("Reviewed")

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200)
    talking_points = models.TextField(_("talking points"), max_length=2000, blank=True)
    starts_on = models.DateField(_("from"))
    due_on = models.DateField(_("due by"))
    # The customer filter the targets were picked with, kept for the record.
    criteria = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    report = models.TextField(_("report"), max_length=4000, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(_("manager's comment"), max_length=500, blank=True)
    # Set by the tick once the due date has passed (the plan's tasks stop being due).
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("revisit plan")
        verbose_name_plural = _("revisit plans")
        indexes = [models.Index(fields=["project", "-id"])]

    def __str__(self) -> str:
        return self.title


class RevisitTask(ChoicesDisplay, models.Model):
    """One customer of a revisit plan, on the owner's My day until a follow-up completes it."""

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    plan = models.ForeignKey(RevisitPlan, on_delete=models.CASCADE, related_name="tasks")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    followup = models.ForeignKey(
        FollowUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reached = models.BooleanField(null=True)
    result = models.CharField(_("result"), max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "customer"], name="revisit_task_unique")
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["customer", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.customer_id}: {self.status}"


class SuspicionFlag(ChoicesDisplay, models.Model):
    """可疑记录: one follow-up flagged for one reason, stored when detected (the write for a
    back-dated or filler record, the tick for the window rules) so the report reads a table
    over any period instead of re-checking months of records on every request."""

    class Kind(models.TextChoices):
        BACKDATED = "backdated", _("Back-dated")
        NEAR_DUPLICATE = "near_duplicate", _("Copy-paste")
        BURST = "burst", _("Burst")
        FILLER = "filler", _("Filler")

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Copied from the follow-up so the report filters and orders on this table alone.
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"))
    detected_at = models.DateTimeField(_("detected at"))
    # The numbers behind the reason (near_duplicate: other, percent, group; burst: count,
    # minutes; backdated: days); the reason is worded when shown, in the reader's language.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("suspicion flag")
        verbose_name_plural = _("suspicion flags")
        constraints = [
            # Detection runs again and again (tick, write, backfill): one row per reason.
            models.UniqueConstraint(fields=["followup", "kind"], name="suspicion_flag_unique")
        ]
        indexes = [
            # The report, newest first: one project (a manager), every project (an admin),
            # by kind or by consultant; entered_at/id is the keyset.
            models.Index(fields=["project", "entered_at", "id"], name="flag_project_entered"),
            models.Index(fields=["entered_at", "id"], name="flag_entered"),
            models.Index(fields=["project", "kind", "entered_at"], name="flag_project_kind"),
            # The flags per consultant over the period, read from the index alone (and one
            # consultant's flags). No index may lead with author: SQLite then skip-scans it
            # for the GROUP BY instead (0.7 s for an admin's year at 10,000,000 follow-ups).
            models.Index(fields=["project", "entered_at", "author", "kind"], name="flag_counts"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.followup_id}"


class SuspicionScan(models.Model):
    """How far the tick has checked a project's follow-ups (in entry order), so each run
    checks only what is new, in bounded batches, and a backfill resumes where it stopped."""

    project = models.OneToOneField("org.Project", on_delete=models.CASCADE, related_name="+")
    scanned_until = models.DateTimeField()
    scanned_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.project_id}: {self.scanned_until:%Y-%m-%d %H:%M} #{self.scanned_id}"
