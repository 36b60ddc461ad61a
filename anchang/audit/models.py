"""The audit log: append-only rows of who did what to which object, when and from where."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anchang.choices_display import ChoicesDisplay


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are never changed")

    def delete(self):
        raise AppendOnlyError("audit entries are never deleted")


class AuditEntry(ChoicesDisplay, models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed log-in")
        LOGIN_LOCKED = "login_locked", _("Log-in locked")
        LOGOUT = "logout", _("Logged out")
        PASSWORD_CHANGED = "password_changed", _("Changed password")
        TOKEN_CREATED = "token_created", _("Created API token")
        TOKEN_REVOKED = "token_revoked", _("Revoked API token")
        CUSTOMER_CREATED = "customer_created", _("Created customer")
        CUSTOMER_UPDATED = "customer_updated", _("Edited customer")
        CUSTOMER_REASSIGNED = "customer_reassigned", _("Reassigned customer")
        PHONE_REVEALED = "phone_revealed", _("Revealed phone number")
        REVEAL_BLOCKED = "reveal_blocked", _("Phone reveal refused: limit reached")
        PHONE_SEARCHED = "phone_searched", _("Searched by full phone number")
        PHONE_SEARCH_BLOCKED = "phone_search_blocked", _("Phone search refused: limit reached")
        LIST_READ = "list_read", _("Read a page of customers without the export right")
        LIST_READ_BLOCKED = "list_read_blocked", _("List read refused: daily limit reached")
        CONFLICT_RESOLVED = "conflict_resolved", _("Decided an ownership conflict")
        LOSS_DECIDED = "loss_decided", _("Decided a loss application")
        EXPORTED = "exported", _("Exported")
        RULES_CHANGED = "rules_changed", _("Changed project rules")
        DEAL_CREATED = "deal_created", _("Subscribed a customer (new deal)")
        DEAL_STAGE = "deal_stage", _("Moved a deal's stage")
        DEAL_CANCELLED = "deal_cancelled", _("Cancelled a deal")
        APPROVAL_ASKED = "approval_asked", _("Asked for an approval")
        APPROVAL_DECIDED = "approval_decided", _("Decided an approval")
        PRICE_CHANGED = "price_changed", _("Changed a unit's price")
        RECEIPT_RECORDED = "receipt_recorded", _("Recorded a receipt")
        UNITS_IMPORTED = "units_imported", _("Updated units from a sheet")
        IMPORTED = "imported", _("Imported a register or customer list")
        IMPORT_REVERTED = "import_reverted", _("Reverted an import")
        UNIT_STATUS = "unit_status", _("Took a unit off sale or back")
        BACKUP = "backup", _("Backed up database")
        RESTORE = "restore", _("Restored database from a backup")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # The log-in name typed, for failed log-ins of unknown users (never a password).
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    project = models.ForeignKey(
        "org.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are never deleted")


class DailyReadCount(models.Model):
    """Customers one person read through lists on one day, for the bulk-read cap (roles
    without the export right). A counter beside the audit log, which is append-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_read_count_per_user_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.rows}"
