"""What the tick runs for reception and assignment (anchang/scheduler/services.py RULES)."""

from __future__ import annotations

from datetime import datetime

from anchang.assignment.channels.services import reports_expire
from anchang.assignment.imports.services import imports_resume


def channel_reports_expire(now: datetime) -> int:
    """Channel reports whose visit or deal window passed expire (渠道保护期到期)."""
    return reports_expire(now)


def imports_go_on(now: datetime) -> int:
    """Imports whose background commit stopped (the server restarted) go on (导入续传)."""
    return imports_resume(now)
