"""Owner care (客户关怀): consent per purpose, message templates and the message outbox
(every SMS and WeCom message, queued, sent once, its receipt recorded)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from anchang.care import rules
from anchang.choices_display import ChoicesDisplay


class Purpose(models.TextChoices):
    """Why a message is sent (PIPL: consent is asked and kept per purpose)."""

    SERVICE = rules.SERVICE, _("Service notice")  # 服务通知: the customer's own deal, care
    MARKETING = rules.MARKETING, _("Marketing")  # 营销: events, offers, new phases


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom")  # 企业微信 app messages, to staff


class Consent(ChoicesDisplay, models.Model):
    """A customer's answer for one purpose, as it stands (the history keeps every change).
    Without a row: service notices go, marketing does not (rules.may_receive)."""

    class Source(models.TextChoices):
        FORM = "form", _("Signed form")  # 书面: the registration or membership form
        VERBAL = "verbal", _("Said so on the phone or in person")
        ONLINE = "online", _("Online")
        SMS_REPLY = "sms_reply", _("SMS reply")  # 回复TD
        IMPORT = "import", _("Imported")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    changed_at = models.DateTimeField(_("changed at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["customer", "purpose"], name="consent_one_per_purpose")
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {'yes' if self.granted else 'no'}"


class MessageTemplate(ChoicesDisplay, models.Model):
    """A text with {variables}, approved by the SMS provider under its own code (each
    provider approves templates and signatures before they may be sent)."""

    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=60)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.SMS
    )
    body = models.TextField(_("text"), max_length=rules.BODY_MAX)
    # the provider's approved template: {"aliyun": "SMS_123456789", "tencent": "1234567"}
    provider_codes = models.JSONField(_("provider template codes"), default=dict, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="template_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Batch(ChoicesDisplay, models.Model):
    """群发: one template to a filtered set of the project's customers (the customer list's
    own filters), previewed, approved by a manager above the project's threshold, then
    queued as one message per recipient, keyed by the batch and the customer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")  # its messages being queued
        QUEUED = "queued", _("Messages made")  # each recipient has their message (or refusal)
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=60)
    params = models.JSONField(default=dict, blank=True)  # the batch's own variables
    audience = models.JSONField(default=dict, blank=True)  # the customer list's filters
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    send_at = models.DateTimeField(_("send at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("message batch")
        verbose_name_plural = _("message batches")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                name="batch_idempotency_unique",
                condition=Q(idempotency_key__isnull=False),
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["project", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class Message(ChoicesDisplay, models.Model):
    """One message to one recipient: the outbox row a worker claims, sends once and records.
    `key` is unique: whatever queues a message twice (a retry, a batch queued again after a
    crash) finds the first one."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")  # claimed by a worker; past its lease: in doubt
        SENT = "sent", _("Sent")  # the provider accepted it
        DELIVERED = "delivered", _("Delivered")  # the receipt said so
        FAILED = "failed", _("Failed")
        BLOCKED = "blocked", _("Not sent")  # consent withdrawn, cap reached: decided before
        KEPT = "kept", _("Kept in the outbox")  # the outbox backend: shown, never sent
        RECEIVED = "received", _("Reply")  # the customer's own SMS to us

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True,
        related_name="messages",
    )  # fmt: skip
    staff = models.ForeignKey(  # a WeCom message's addressee
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    phone = models.CharField(max_length=20, blank=True)  # E.164, for SMS
    params = models.JSONField(default=dict, blank=True)
    body = models.TextField(_("text"))  # as the recipient reads it
    # in whose name it goes (the consultant's own name, DOMAIN §6)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    key = models.CharField(max_length=80, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    not_before = models.DateTimeField()  # quiet hours and back-off move it
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=32, blank=True)  # the claim of the worker sending it
    first_tried_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    backend = models.CharField(max_length=10, blank=True)  # who took it: aliyun, tencent, …
    provider_id = models.CharField(max_length=64, blank=True)  # BizId, SerialNo, msgid
    error_code = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # the worker's queue: only the rows still to send or in doubt
            models.Index(
                fields=["not_before"],
                condition=Q(status__in=["queued", "sending"]),
                name="message_due",
            ),  # fmt: skip
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["batch", "status"]),
            # the weekly marketing cap
            models.Index(fields=["customer", "purpose", "created_at"]),
            models.Index(
                fields=["backend", "provider_id"],
                condition=~Q(provider_id=""),
                name="message_provider_id",
            ),  # fmt: skip
            models.Index(fields=["project", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.key
