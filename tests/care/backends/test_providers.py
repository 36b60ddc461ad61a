"""Each provider backend against its local fake, which checks the request's signature (or
token) as the provider does and answers as the provider documents: taken, throttled, an
invalid number, a template refused, garbage. Every backend must map each answer to the same
outcome, and after an answer it could not read, `lookup` must tell whether it was taken."""

from __future__ import annotations

import pytest

from anchang.care.backends import (
    ACCEPTED,
    DOUBT,
    NOT_SENT,
    REJECTED,
    RETRY,
    SENT,
    UNKNOWN,
    Outgoing,
)
from anchang.care.backends.aliyun import AliyunSms
from anchang.care.backends.tencent import TencentSms
from anchang.care.backends.wecom import WeCom
from tests.care.helpers import fake_providers as F

SMS = ["aliyun", "tencent"]


def _sms(name: str, fakes, **wrong):
    if name == "aliyun":
        return AliyunSms(key_id=F.ALIYUN_KEY_ID, secret=wrong.get("secret", F.ALIYUN_SECRET),
                         endpoint=fakes.url("aliyun"))  # fmt: skip
    return TencentSms(secret_id=F.TENCENT_SECRET_ID,
                      secret_key=wrong.get("secret", F.TENCENT_SECRET_KEY),
                      app_id=F.TENCENT_APP_ID, endpoint=fakes.url("tencent"))  # fmt: skip


def _out(tail: str, key: str | None = None, template: str = "SMS_1") -> Outgoing:
    return Outgoing(
        key=key or f"k-{tail}", body="张先生您好", phone=f"+86138{tail:0>4}{tail}",
        template_code=template, variables=(("name", "张先生"), ("date", "12月8日")),
        signature="安居置业",
    )  # fmt: skip


@pytest.mark.parametrize("name", SMS)
def test_a_message_is_taken_once_with_its_variables_and_signature(name, fakes):
    backend = _sms(name, fakes)
    result = backend.send(_out("0000"))
    assert result.outcome == ACCEPTED and result.provider_id
    (row,) = fakes.ledger.sent
    assert row["key"] == "k-0000" and row["sign"] == "安居置业"
    # Aliyun takes the values by name, Tencent by position: both from the template's order
    assert row["variables"] in ({"name": "张先生", "date": "12月8日"}, ["张先生", "12月8日"])
    assert backend.lookup(_out("0000")).outcome == SENT


@pytest.mark.parametrize("name", SMS)
@pytest.mark.parametrize(
    ("tail", "template", "outcome"),
    [("4001", "SMS_1", RETRY), ("4002", "SMS_1", REJECTED), ("0000", "REJECTED", REJECTED),
     ("4003", "SMS_1", DOUBT), ("4004", "SMS_1", DOUBT)],
)  # fmt: skip
def test_each_documented_answer_has_its_outcome(name, tail, template, outcome, fakes):
    assert _sms(name, fakes).send(_out(tail, template=template)).outcome == outcome


@pytest.mark.parametrize("name", SMS)
def test_a_message_in_doubt_is_found_if_taken_and_not_if_not(name, fakes):
    backend = _sms(name, fakes)
    backend.send(_out("4003"))  # taken, garbage answer
    backend.send(_out("4004"))  # garbage answer, not taken
    assert backend.lookup(_out("4003")).outcome == SENT
    # Aliyun lists a message as soon as it takes it; Tencent only once it is reported, so it
    # cannot tell before its report window passes
    assert backend.lookup(_out("4004")).outcome == (NOT_SENT if name == "aliyun" else UNKNOWN)


@pytest.mark.parametrize("name", SMS)
def test_a_wrong_secret_is_refused_by_the_provider_and_retried_later(name, fakes):
    result = _sms(name, fakes, secret="not-the-secret").send(_out("0000"))
    assert result.outcome == RETRY
    assert result.code in ("SignatureDoesNotMatch", "AuthFailure.SignatureFailure")
    assert fakes.ledger.sent == []


@pytest.mark.parametrize("name", SMS)
def test_a_provider_that_is_down_sent_nothing(name, fakes):
    backend = _sms(name, fakes)
    backend.endpoint = "http://127.0.0.1:9/"  # nothing listens on the discard port
    assert backend.send(_out("0000")).outcome == RETRY


def test_chinese_and_reserved_characters_are_signed_as_aliyun_encodes_them(fakes):
    backend = _sms("aliyun", fakes)
    out = Outgoing(key="k*~ +/&=", body="", phone="+8613800000000", template_code="SMS_1",
                   variables=(("note", "100% 好*~ +/&="),), signature="安居")  # fmt: skip
    assert backend.send(out).outcome == ACCEPTED


def _wecom(fakes) -> WeCom:
    return WeCom(corp_id=F.WECOM_CORP_ID, secret=F.WECOM_SECRET, agent_id=F.WECOM_AGENT_ID,
                 endpoint=fakes.url("wecom"))  # fmt: skip


def test_wecom_sends_to_a_member_and_refuses_a_stranger(fakes):
    wecom = _wecom(fakes)
    assert wecom.send(Outgoing(key="1", body="新客户待分配", userid="daileiyu")).outcome == ACCEPTED
    assert wecom.send(Outgoing(key="2", body="x", userid="nobody")).outcome == REJECTED


def test_wecom_renews_an_expired_token_and_its_duplicate_check_drops_a_resend(fakes):
    wecom = _wecom(fakes)
    out = Outgoing(key="1", body="客户王芳的投诉已超时", userid="huyong")
    assert wecom.send(out).outcome == ACCEPTED
    fakes.servers[2].RequestHandlerClass.tokens.clear()  # WeCom expired every token
    assert wecom.send(out).outcome == ACCEPTED  # a fresh token; the same text again
    assert len([r for r in fakes.ledger.sent if r["provider"] == "wecom"]) == 1
