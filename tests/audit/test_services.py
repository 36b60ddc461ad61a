"""audit: the services.

The audit log is append-only and readable only by auditors and admins."""

from __future__ import annotations

import pytest

from anchang.audit.models import AppendOnlyError, AuditEntry
from anchang.audit.services import audit_record


def test_entries_cannot_be_changed_or_deleted(db):
    entry = audit_record(action="login", actor_label="someone")
    entry.action = "logout"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "login"
