"""Queueing an SMS to one customer: the gates every message passes, each refused with its
code and nothing queued; the same request twice queues one message."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anchang.care.errors import Code
from anchang.care.models import Message
from anchang.care.services import consent_set, message_queue, reply_record
from anchang.care.services.messages import is_mobile
from anchang.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from anchang.org.models import User
from anchang.org.services import membership_grant
from tests.care.helpers import care_office
from tests.conftest import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)  # a Tuesday morning


def _queue(c, template=None, actor: User | None = None, **kw) -> Message:
    kw.setdefault("params", {"date": "12月12日"} if (template or c.service) == c.service else {})
    return message_queue(actor=actor or c.consultant, customer=kw.pop("customer", c.customer),
                         template=template or c.service, now=kw.pop("now", DAY), **kw)  # fmt: skip


def test_a_service_sms_is_queued_in_the_consultants_own_name(world):
    c = care_office(world)
    message = _queue(c)
    assert message.status in ("queued", "kept")  # the outbox backend keeps it after commit
    assert message.body == (
        f"王芳您好，{c.project.name}提醒您12月12日签约，请带身份证。顾问{c.consultant.name}"
    )
    assert message.sender == c.consultant and message.phone == c.customer.phone


def test_marketing_needs_the_customers_yes(world):
    c = care_office(world, agreed=False)
    with pytest.raises(ValidationFailed) as refused:
        _queue(c, c.marketing)
    assert refused.value.code == Code.NO_CONSENT
    assert not Message.objects.exists()
    _queue(c)  # a service notice goes without asking


def test_a_reply_of_td_withdraws_marketing_and_stays_in_the_timeline(world):
    c = care_office(world)
    _queue(c, c.marketing)
    assert reply_record(backend="aliyun", phone=c.customer.phone, text=" ｔｄ ") == 1
    with pytest.raises(ValidationFailed) as refused:
        _queue(c, c.marketing)
    assert refused.value.code == Code.NO_CONSENT
    assert Message.objects.filter(customer=c.customer, status="received", body="ｔｄ").exists()
    _queue(c)  # service notices still go


@pytest.mark.parametrize("hour", [21, 23, 0, 7])
def test_marketing_is_never_sent_at_night(world, hour):
    c = care_office(world)
    night = DAY.replace(hour=hour)
    with pytest.raises(ValidationFailed) as refused:
        _queue(c, c.marketing, now=night)
    assert refused.value.code == Code.QUIET_HOURS
    assert "08:00" in str(refused.value.message)
    # booked for the morning, it waits until then
    morning = (night + timedelta(days=1 if hour >= 21 else 0)).replace(hour=8, minute=30)
    message = _queue(c, c.marketing, now=night, send_at=morning)
    assert message.not_before == morning and message.status == "queued"


def test_marketing_per_week_is_capped_and_what_did_not_go_does_not_count(world):
    c = care_office(world)
    first = _queue(c, c.marketing)
    _queue(c, c.marketing, now=DAY + timedelta(days=1))
    with pytest.raises(ValidationFailed) as refused:
        _queue(c, c.marketing, now=DAY + timedelta(days=2))
    assert refused.value.code == Code.WEEKLY_CAP
    Message.objects.filter(pk=first.pk).update(status="failed")
    _queue(c, c.marketing, now=DAY + timedelta(days=2))
    assert _queue(c, c.marketing, now=DAY + timedelta(days=8, hours=1))  # a new week


def test_every_variable_must_have_a_value(world):
    c = care_office(world)
    with pytest.raises(ValidationFailed) as refused:
        _queue(c, params={})
    assert refused.value.code == Code.MISSING_VARIABLE and set(refused.value.fields) == {"date"}


@pytest.mark.parametrize(
    "params",
    [{"name": "冒名"}, {"nope": "x"}, {"date": "x" * 36}, {"date": ["a"]}, {"date": True},
     ["date"], {f"v{i}": "x" for i in range(11)}],
)  # fmt: skip
def test_a_sender_sets_only_the_templates_own_variables(world, params):
    c = care_office(world)
    with pytest.raises(ValidationFailed):
        _queue(c, params=params)
    assert not Message.objects.exists()


def test_a_landline_cannot_take_an_sms():
    assert is_mobile("+8613800138000")
    assert not is_mobile("+862161234567")  # a Shanghai landline
    assert not is_mobile("not a number")


def test_the_same_request_twice_queues_one_message(world):
    c = care_office(world)
    first = _queue(c, key="tap-1")
    assert _queue(c, key="tap-1") == first
    with pytest.raises(Conflict) as reused:
        _queue(c, c.marketing, key="tap-1")
    assert reused.value.code == Code.KEY_REUSED
    assert Message.objects.count() == 1


def test_who_may_send(world):
    c = care_office(world)
    with pytest.raises(NotFound):  # a colleague's customer is not there for them
        _queue(c, actor=c.colleague)
    _queue(c, actor=c.manager)
    _queue(c, actor=c.specialist, key="care-1")
    clerk = make_user("p1-clerk-care", "信息员")
    membership_grant(user=clerk, role="clerk", company=world.company, project=c.project)
    with pytest.raises(PermissionDenied):  # reads the customer, sends nothing
        _queue(c, actor=clerk)


def test_a_template_of_another_project_is_not_there(world):
    c = care_office(world)
    other = care_office(world, "p2")
    with pytest.raises(NotFound):
        _queue(c, other.service)


def test_consent_is_kept_with_its_history(world):
    c = care_office(world, agreed=False)
    consent_set(actor=c.consultant, customer=c.customer, purpose="promotion", granted=True,
                source="verbal", note="电话里同意")  # fmt: skip
    consent_set(actor=c.specialist, customer=c.customer, purpose="promotion", granted=False,
                source="form")  # fmt: skip
    consent = c.customer.consents.get(purpose="promotion")
    assert consent.granted is False and consent.changed_by == c.specialist
    assert [h.granted for h in consent.history.order_by("history_date")] == [True, False]
    with pytest.raises(NotFound):
        consent_set(actor=c.colleague, customer=c.customer, purpose="promotion", granted=True,
                    source="form")  # fmt: skip
