"""followups/suspicion: the services.

可疑记录 page and API: flags stored when detected, read over any period, paged; who
sees them, what a flag shows, bad input answered clearly."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from anchang.followups.models import SuspicionFlag, SuspicionScan
from anchang.followups.services import followup_record
from anchang.followups.suspicion.services import flags_scan_project
from anchang.scheduler.services import tick
from tests.followups.suspicion.helpers import (
    FILLER_TEXT,
    detect,
)


def test_flags_are_detected_once_however_often_the_tick_runs(office):
    world, _manager, _customers, (original, pasted, _genuine) = office
    stored = sorted(SuspicionFlag.objects.values_list("followup_id", "kind", "detected_at"))
    later = timezone.now() + timedelta(minutes=5)
    tick(now=later)
    tick(now=later)
    detect()
    # the scan starts again from nothing: every record is checked again, nothing doubles
    SuspicionScan.objects.all().delete()
    detect()
    assert sorted(SuspicionFlag.objects.values_list("followup_id", "kind", "detected_at")) == (
        stored)  # fmt: skip
    assert len(stored) == 2


def test_the_tick_checks_new_records_in_bounded_batches(world):
    c1 = world.consultants["p1"][0]
    for i in range(4):
        customer = world.customer(world.p1, c1, f"客户{i}")
        followup_record(actor=c1, customer=customer, kind="phone", content=FILLER_TEXT + str(i))
    now = timezone.now() + timedelta(minutes=2)
    assert flags_scan_project(project=world.p1, now=now, batch=2) == (2, True)
    assert flags_scan_project(project=world.p1, now=now, batch=2) == (2, False)
    assert flags_scan_project(project=world.p1, now=now, batch=2) == (0, False)
    # a record entered within the last minute waits for the next run
    customer = world.customer(world.p1, c1, "新客户")
    followup_record(actor=c1, customer=customer, kind="phone", content=FILLER_TEXT + "新")
    assert flags_scan_project(project=world.p1, now=timezone.now()) == (0, False)
    # then it is checked with the records before it: a burst of five, and its own filler
    assert tick(now=now + timedelta(minutes=1)).changes["suspicion_flags"] == 6
    assert SuspicionFlag.objects.filter(kind="burst").count() == 5
