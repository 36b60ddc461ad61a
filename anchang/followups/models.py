"""Follow-up records (跟进记录) and grade changes (意向等级变更)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUp(models.Model):
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

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(fields=["author", "-occurred_at"]),
            models.Index(fields=["project", "-occurred_at"]),
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


class LossApplication(models.Model):
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
