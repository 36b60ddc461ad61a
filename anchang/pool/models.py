"""The shared pool (公海): every move into and out of it, with the rule that caused it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anchang.choices_display import ChoicesDisplay


class PoolEvent(ChoicesDisplay, models.Model):
    class Kind(models.TextChoices):
        RECLAIMED = "reclaimed", _("Returned to the pool")
        CLAIMED = "claimed", _("Claimed from the pool")
        HANDED_OUT = "handed_out", _("Handed out by a manager")

    class Rule(models.TextChoices):
        NO_CONTACT = "no_contact", _("No reached contact in time")
        NO_SUBSCRIPTION = "no_subscription", _("No subscription in time")
        CLAIM = "claim", _("Claimed by a consultant")
        HAND_OUT = "hand_out", _("Handed out by a manager")
        RETURNED = "returned", _("Came back and was registered")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="pool_events"
    )
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    rule = models.CharField(max_length=20, choices=Rule.choices)
    # Who acted: empty for a reclaim (the tick).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("pool event")
        verbose_name_plural = _("pool events")
        indexes = [
            models.Index(fields=["customer", "-at"]),
            models.Index(fields=["to_owner", "kind", "-at"]),
            models.Index(fields=["project", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} ({self.rule})"
