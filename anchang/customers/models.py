"""Customers. The intake feature fills in the profile; this is the core every page scopes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Customer(models.Model):
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="customers", verbose_name=_("project")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile"), max_length=20)  # E.164
    version = models.PositiveIntegerField(default=1)  # optimistic locking: stale edits get 409
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["project", "phone"], name="customer_phone_unique")
        ]
        indexes = [
            models.Index(fields=["project", "owner", "-id"]),
            models.Index(fields=["owner", "-id"]),
        ]

    def __str__(self) -> str:
        return self.name
