"""Who may read the audit log, read from permissions.yaml (`pages.audit_log`). Which entries
a reader sees (the projects they oversee) is the selector's scope, not a decision here."""

from anchang.errors import PermissionDenied
from anchang.org import policies as org_policies
from anchang.org.models import User


def can_read_audit_log(*, actor: User) -> bool:
    return org_policies.can_open_page(actor=actor, page="audit_log")


def ensure_can_read_audit_log(*, actor: User) -> None:
    if not can_read_audit_log(actor=actor):
        raise PermissionDenied()
