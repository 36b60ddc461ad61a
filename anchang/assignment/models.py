"""Reception (接待): the day's roster, the rotation's counter and its ledger."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anchang.assignment import rules


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
