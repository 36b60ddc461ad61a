"""The outbox against the providers' fakes: every queued message is taken by the provider
exactly once, whatever the provider answers and wherever a worker dies; a message that must
not go (consent withdrawn, quiet hours begun) does not."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from anchang.care import backends
from anchang.care.backends import tencent
from anchang.care.models import Message
from anchang.care.services import consent_set, message_queue, messages_send_due, send_claimed
from anchang.care.services.outbox import LEASE, _claim
from tests.care.helpers import care_office, use_fakes

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _customers(world, c, tails: list[str]):
    customers = []
    for tail in tails:
        customer = world.customer(c.project, c.consultant, f"客户{tail}")
        customer.phone = f"+86138{tail:0>4}{tail}"  # the fake answers by the last digits
        customer.save(update_fields=["phone"])
        customers.append(customer)
    return customers


def _queue_all(c, customers) -> list[Message]:
    return [
        message_queue(
            actor=c.consultant, customer=customer, template=c.service, params={"date": "周六"}
        )  # fmt: skip
        for customer in customers
    ]


def _taken(fakes) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in fakes.ledger.sent:
        counts[row["key"]] = counts.get(row["key"], 0) + 1
    return counts


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_every_answer_ends_in_one_message_taken_or_a_clear_failure(
    world, settings, fakes, provider, monkeypatch
):
    use_fakes(settings, fakes, provider)
    monkeypatch.setattr(tencent, "REPORT_WITHIN", timedelta(0))  # no report to wait for
    c = care_office(world)
    tails = ["0000", "4001", "4002", "4003", "4004"]
    messages = _queue_all(c, _customers(world, c, tails))
    now = timezone.now()
    for minutes in (0, 3, 6, 10):  # the tick, a few minutes apart
        messages_send_due(now + timedelta(minutes=minutes))
    # a lookup may find the receipt too: delivered is sent, and more
    status = {m.phone[-4:]: Message.objects.get(pk=m.pk).status.replace("delivered", "sent")
              for m in messages}  # fmt: skip
    assert status == {"0000": "sent", "4001": "sent", "4002": "failed", "4003": "sent",
                      "4004": "sent"}  # fmt: skip
    taken = _taken(fakes)
    assert sorted(taken.values()) == [1, 1, 1, 1]  # never twice
    assert Message.objects.get(phone__endswith="4002").error_code


def test_a_worker_that_died_after_the_provider_took_its_messages_sends_none_again(
    world, settings, fakes
):
    use_fakes(settings, fakes, "aliyun")
    c = care_office(world)
    messages = _queue_all(c, _customers(world, c, ["1111", "2222", "3333"]))
    now = timezone.now()
    token, ids = _claim(now, 10)
    # the dead worker got as far as the provider for the first two, and recorded nothing
    dead = backends.backend_for("sms")
    from anchang.care.services.outbox import _outgoing

    for message in Message.objects.filter(pk__in=ids).order_by("id")[:2]:
        assert dead.send(_outgoing(message)).outcome == backends.ACCEPTED
    assert messages_send_due(now) == 0  # still leased: nobody touches them
    messages_send_due(now + LEASE + timedelta(seconds=1))
    assert all(Message.objects.get(pk=m.pk).status in ("sent", "delivered") for m in messages)
    assert sorted(_taken(fakes).values()) == [1, 1, 1]


def test_two_workers_never_claim_the_same_message(world, settings, fakes):
    use_fakes(settings, fakes, "aliyun")
    c = care_office(world)
    _queue_all(c, _customers(world, c, ["1111", "2222", "3333"]))
    now = timezone.now()
    first = _claim(now, 2)
    second = _claim(now, 10)
    assert set(first[1]).isdisjoint(second[1]) and len(first[1] + second[1]) == 3
    send_claimed(*second)
    send_claimed(*first)
    assert sorted(_taken(fakes).values()) == [1, 1, 1]


def test_consent_withdrawn_after_queueing_stops_the_message(world, settings, fakes):
    use_fakes(settings, fakes, "aliyun")
    c = care_office(world)
    morning = timezone.now().astimezone(SHANGHAI).replace(hour=10) + timedelta(days=1)
    message = message_queue(actor=c.consultant, customer=c.customer, template=c.marketing,
                            now=morning)  # fmt: skip
    consent_set(actor=None, customer=c.customer, purpose="promotion", granted=False,
                source="sms_reply")  # fmt: skip
    messages_send_due(morning)
    message.refresh_from_db()
    assert message.status == "blocked" and fakes.ledger.sent == []


def test_marketing_due_when_the_quiet_hours_began_waits_for_the_morning(world, settings, fakes):
    use_fakes(settings, fakes, "aliyun")
    c = care_office(world)
    tz = SHANGHAI
    booked = timezone.now().astimezone(tz).replace(hour=20, minute=59, second=0, microsecond=0)
    booked += timedelta(days=1)
    message = message_queue(actor=c.consultant, customer=c.customer, template=c.marketing,
                            now=booked - timedelta(hours=1), send_at=booked)  # fmt: skip
    messages_send_due(booked + timedelta(minutes=2))
    message.refresh_from_db()
    assert message.status == "queued" and fakes.ledger.sent == []
    assert message.not_before.astimezone(tz).hour == 8


def test_reports_deliver_once_and_replies_opt_out(world, settings, fakes, client):
    use_fakes(settings, fakes, "aliyun")
    settings.SMS_CALLBACK_TOKEN = "t" * 40
    c = care_office(world)
    message = message_queue(actor=c.consultant, customer=c.customer, template=c.service,
                            params={"date": "周六"})  # fmt: skip
    messages_send_due()
    from tests.care.helpers import fake_providers

    reports = fake_providers.Aliyun.reports(None, fakes.ledger.sent)
    url = f"/care/callbacks/aliyun/reports/{'t' * 40}/"
    for _ in range(2):  # a report posted twice
        answer = client.post(url, reports, content_type="application/json")
        assert answer.status_code == 200 and answer.json() == {"code": 0, "msg": "接收成功"}
    message.refresh_from_db()
    assert message.status == "delivered" and message.delivered_at
    wrong = client.post(url.replace("t" * 40, "x" * 40), reports, content_type="application/json")
    assert wrong.status_code == 404
    reply = [{"phone_number": c.customer.phone[3:], "content": "TD", "sign_name": "安居",
              "send_time": "2026-12-08 10:00:00", "dest_code": "1", "sequence_id": 1}]  # fmt: skip
    client.post(url.replace("reports", "replies"), reply, content_type="application/json")
    assert c.customer.consents.get(purpose="promotion").granted is False
