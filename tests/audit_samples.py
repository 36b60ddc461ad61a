"""Audit entries of every kind, with details shaped as the services write them (the raw-code
page test reads them on the audit log; tests/system/test_no_raw_codes.py checks by scanning the
code that every key a service writes has a label)."""

from __future__ import annotations

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers.models import Customer
from anchang.org.models import Project, Role, User


def write_every_audit_entry() -> None:
    project = Project.objects.order_by("id").first()
    customers = list(Customer.objects.filter(project=project).order_by("id")[:3])
    staff = list(User.objects.filter(memberships__role=Role.CONSULTANT).order_by("id")[:2])
    actor = User.objects.filter(memberships__role=Role.MANAGER).order_by("id").first()
    A = AuditEntry.Action
    samples = [
        (
            A.CUSTOMER_REASSIGNED,
            customers[0],
            {
                "from_pool": True,
                "to": staff[0].pk,
                "customers": [c.pk for c in customers],
            },
        ),
        (
            A.CUSTOMER_REASSIGNED,
            customers[0],
            {
                "from": staff[0].pk,
                "from_name": str(staff[0]),
                "to": staff[1].pk,
                "to_name": str(staff[1]),
                "reason": "离职交接",
            },
        ),
        (A.LOSS_DECIDED, customers[1], {"decision": "approved", "reason": "bought_elsewhere"}),
        (A.LOSS_DECIDED, customers[1], {"decision": "rejected"}),
        (
            A.CONFLICT_RESOLVED,
            customers[2],
            {
                "decision": "transferred",
                "claimant": str(staff[1]),
                "note": "",
            },
        ),
        (A.CUSTOMER_UPDATED, customers[2], {"fields": ["family_structure", "budget_max"]}),
        (A.PHONE_REVEALED, customers[2], {"reason": "回访核实"}),
        (A.EXPORTED, None, {"what": "customers", "rows": 120}),
        (
            A.RULES_CHANGED,
            project,
            {
                "overrides": {
                    "grading": {"cadence_days": {"A": 5}, "scale": "HABC"},
                    "pool": {"daily_claim_limit": 3},
                    "intake": {"required": {"call_in": ["name", "phone"]}},
                }
            },
        ),
        (A.TOKEN_CREATED, None, {"token": "0a1b2c3d", "name": "前台平板"}),
        (A.TOKEN_REVOKED, None, {"token": "0a1b2c3d"}),
        (A.BACKUP, None, {"path": "anchang-20261201.sqlite3", "bytes": 1234567}),
        (A.RESTORE, None, {"from": "anchang-20261201.sqlite3", "bytes": 1234567}),
    ]
    for action, obj, details in samples:
        audit_record(action=action, actor=actor, obj=obj, project=project, details=details)
