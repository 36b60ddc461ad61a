"""Batches (群发): the preview says who gets the message and who does not and why; above the
threshold a manager approves (never the one who asked); queueing is one row per recipient
however often it runs; each message goes in the name of the customer's own consultant."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anchang.care.errors import Code
from anchang.care.models import Batch, Message
from anchang.care.services import (
    batch_create,
    batch_decide,
    batch_preview,
    batch_queue,
    consent_set,
    messages_send_due,
)
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from tests.care.helpers import care_office

DAY = datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _office(world, agreed: int = 3, refused: int = 2):
    """The office's customer (agreed) and more of the consultant's: some agreed, some not."""
    c = care_office(world)
    for i in range(agreed + refused):
        customer = world.customer(c.project, c.consultant, f"业主{i}")
        if i < agreed:
            consent_set(actor=c.consultant, customer=customer, purpose="promotion",
                        granted=True, source="form")  # fmt: skip
    return c


def _create(c, actor=None, **kw):
    kw.setdefault("template", c.marketing)
    kw.setdefault("title", "开放日邀请")
    kw.setdefault("now", DAY)
    return batch_create(actor=actor or c.specialist, project=c.project, **kw)


def test_the_preview_counts_who_gets_it_and_why_the_others_do_not(world):
    c = _office(world)
    preview = batch_preview(actor=c.specialist, project=c.project, template=c.marketing,
                            audience={"owner": str(c.consultant.pk)}, now=DAY)  # fmt: skip
    assert preview.recipients == 6 and preview.will_send == 4
    assert preview.refused == {"no_consent": 2}
    assert preview.sample.endswith("回TD退订") and c.consultant.name in preview.sample
    assert not Message.objects.exists()


def test_a_small_batch_is_queued_at_once_in_each_owners_name(
    world, django_capture_on_commit_callbacks
):
    c = _office(world)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _create(c)
    batch.refresh_from_db()
    assert batch.status == "queued"
    rows = Message.objects.filter(batch=batch)
    assert rows.count() == 6
    assert rows.filter(status="blocked", error_code="no_consent").count() == 2
    assert {m.sender_id for m in rows} == {c.consultant.pk}  # the owner, not the specialist
    assert batch_queue(batch.pk) == 0  # again: nothing added


def test_a_large_batch_waits_for_a_manager_who_did_not_ask(world):
    c = _office(world)
    c.project.rules_overrides = {"care": {"batch_approval_over": 3}}
    c.project.save()
    batch = _create(c)
    assert batch.status == "pending" and not Message.objects.exists()
    with pytest.raises(PermissionDenied):
        batch_decide(actor=c.consultant, batch=batch, approve=True)  # no such duty
    with pytest.raises(ValidationFailed):
        batch_decide(actor=c.manager, batch=batch, approve=False)  # say why
    batch_decide(actor=c.manager, batch=batch, approve=True)
    with pytest.raises(Conflict) as twice:
        batch_decide(actor=c.manager, batch=batch, approve=False, comment="不发了")
    assert twice.value.code == Code.BATCH_DECIDED
    assert batch_queue(batch.pk) == 6
    own = _create(c, actor=c.manager, title="经理自己的")
    with pytest.raises(PermissionDenied) as refused:
        batch_decide(actor=c.manager, batch=own, approve=True)
    assert refused.value.code == Code.OWN_REQUEST


def test_queueing_again_after_a_crash_adds_only_what_is_missing(world):
    c = _office(world)
    c.project.rules_overrides = {"care": {"batch_approval_over": 0}}
    c.project.save()
    batch = _create(c)
    batch_decide(actor=c.manager, batch=batch, approve=True)
    Batch.objects.filter(pk=batch.pk).update(status="approved")
    batch_queue(batch.pk)
    Message.objects.filter(batch=batch).order_by("-id")[:1].get().delete()  # the crash's chunk
    Batch.objects.filter(pk=batch.pk).update(status="approved")
    assert batch_queue(batch.pk) == 1
    assert Message.objects.filter(batch=batch).count() == 6


def test_the_weekly_cap_holds_across_a_batch_and_single_messages(world):
    c = _office(world, agreed=1, refused=0)
    for day in (0, 1):
        _create(c, title=f"第{day}批", now=DAY + timedelta(days=day))
        batch_queue(Batch.objects.order_by("-id").first().pk, now=DAY + timedelta(days=day))
    # everyone who agreed has had two this week: a third batch reaches nobody
    with pytest.raises(ValidationFailed) as refused:
        _create(c, title="第三批", now=DAY + timedelta(days=2))
    assert refused.value.code == Code.BATCH_EMPTY
    preview = batch_preview(actor=c.specialist, project=c.project, template=c.marketing,
                            now=DAY + timedelta(days=2))  # fmt: skip
    assert preview.refused == {"weekly_cap": 2}


@pytest.mark.parametrize(
    ("audience", "code"),
    [({"q": "张"}, Code.AUDIENCE_INVALID), ({"grade": "Z"}, Code.AUDIENCE_INVALID),
     ({"owner": "²"}, Code.AUDIENCE_INVALID), ("state=owner", Code.AUDIENCE_INVALID),
     ({"state": "lost"}, Code.BATCH_EMPTY)],
)  # fmt: skip
def test_a_bad_or_empty_audience_is_refused(world, audience, code):
    c = _office(world)
    with pytest.raises(ValidationFailed) as refused:
        _create(c, audience=audience)
    assert refused.value.code == code
    assert not Batch.objects.exists()


def test_only_customers_the_creator_reads_are_reached(world):
    c = _office(world)
    # a consultant runs no batches; the specialist reads the whole project, not another's
    with pytest.raises(PermissionDenied):
        _create(c, actor=c.consultant)
    other = care_office(world, "p2")
    preview = batch_preview(actor=other.specialist, project=other.project,
                            template=other.marketing, now=DAY)  # fmt: skip
    assert preview.recipients == 1  # p2's own customer only


def test_a_batch_sends_through_the_outbox(world, django_capture_on_commit_callbacks):
    c = _office(world)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _create(c, template=c.service, params={"date": "周六"})
    messages_send_due(DAY)
    assert Message.objects.filter(batch=batch, status="kept").count() == 6
