"""Authentication events into the audit log (Django and axes announce them as signals)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record

USERNAME_MAX = 150


@receiver(user_logged_in, dispatch_uid="anchang_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditEntry.Action.LOGIN, actor=user)


@receiver(user_logged_out, dispatch_uid="anchang_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditEntry.Action.LOGOUT, actor=user)


@receiver(user_login_failed, dispatch_uid="anchang_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:USERNAME_MAX]
    audit_record(action=AuditEntry.Action.LOGIN_FAILED, actor_label=username)


@receiver(user_locked_out, dispatch_uid="anchang_audit_locked")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        action=AuditEntry.Action.LOGIN_LOCKED,
        actor_label=str(username or "")[:USERNAME_MAX],
    )
