"""Aliyun SMS (阿里云短信服务, dysmsapi 2017-05-25): SendSms and QuerySendDetails through the
RPC-style API, signed with HMAC-SHA1 over the canonical query (signature version 1.0), and
the delivery reports (SmsReport) and replies (SmsUp) it pushes to our callback URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from anchang.care.backends import (
    ACCEPTED,
    DOUBT,
    NOT_SENT,
    REJECTED,
    RETRY,
    SENT,
    UNKNOWN,
    Outgoing,
    Receipt,
    Result,
)
from anchang.care.backends.http import CHINA, CallFailed, call, china_time, client

VERSION = "2017-05-25"
# Codes that say the number, the template or the signature will never do: not tried again.
REFUSED = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.SMS_SIGNATURE_ILLEGAL", "isv.INVALID_PARAMETERS", "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.INVALID_JSON_PARAM",
    "isv.TEMPLATE_PARAMS_ILLEGAL", "isv.PARAM_NOT_SUPPORT_URL", "isv.DENY_IP_RANGE",
})  # fmt: skip


def percent(text: str) -> str:
    """Aliyun's percent-encoding: RFC 3986 unreserved characters kept, UTF-8, space as %20."""
    return quote(text, safe="~")


def signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{percent(k)}={percent(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent('/')}&{percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def national(phone: str) -> str:
    """Aliyun takes mainland numbers without +86, others with their country code."""
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")


class AliyunSms:
    name = "aliyun"
    channel = "sms"

    def __init__(self, *, key_id: str, secret: str, endpoint: str, region: str = "cn-hangzhou"):
        if not key_id or not secret:
            raise ImproperlyConfigured("SMS_BACKEND=aliyun needs ALIYUN_SMS_ACCESS_KEY_ID/SECRET")
        self.key_id = key_id
        self.secret = secret
        self.endpoint = endpoint.rstrip("/") + "/"
        self.region = region
        self.http = client()

    @classmethod
    def from_settings(cls) -> AliyunSms:
        return cls(
            key_id=settings.ALIYUN_SMS_ACCESS_KEY_ID, secret=settings.ALIYUN_SMS_ACCESS_KEY_SECRET,
            endpoint=settings.ALIYUN_SMS_ENDPOINT,
        )  # fmt: skip

    def _call(self, action: str, params: dict[str, str]) -> dict:
        query = {
            "AccessKeyId": self.key_id, "Action": action, "Format": "JSON",
            "RegionId": self.region, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": VERSION,
            **params,
        }  # fmt: skip
        query["Signature"] = signature(query, self.secret)
        return call(self.http, "POST", self.endpoint, data=query)

    def send(self, out: Outgoing) -> Result:
        params = {
            "PhoneNumbers": national(out.phone), "SignName": out.signature,
            "TemplateCode": out.template_code, "OutId": out.key,
        }  # fmt: skip
        if out.variables:
            params["TemplateParam"] = json.dumps(dict(out.variables), ensure_ascii=False)
        try:
            answer = self._call("SendSms", params)
        except CallFailed as failed:
            return Result(failed.outcome, code=failed.code, message=failed.message)
        code = str(answer.get("Code") or "")
        if code == "OK" and answer.get("BizId"):
            return Result(ACCEPTED, provider_id=str(answer["BizId"])[:64])
        message = str(answer.get("Message") or "")[:200]
        if not code:
            return Result(DOUBT, code="garbage", message=message)
        return Result(REJECTED if code in REFUSED else RETRY, code=code[:64], message=message)

    def lookup(self, out: Outgoing) -> Result:
        """QuerySendDetails of the number on the day of the first try: our OutId there means
        the message was taken (a record appears as soon as Aliyun accepts a message)."""
        started = (out.first_try or datetime.now(UTC)).astimezone(CHINA)
        for day in sorted({started.date(), (started + timedelta(minutes=5)).date()}):
            try:
                answer = self._call("QuerySendDetails", {
                    "PhoneNumber": national(out.phone), "SendDate": day.strftime("%Y%m%d"),
                    "PageSize": "50", "CurrentPage": "1",
                })  # fmt: skip
            except CallFailed:
                return Result(UNKNOWN)
            if answer.get("Code") != "OK":
                return Result(UNKNOWN, code=str(answer.get("Code") or "")[:64])
            details = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
            for row in details:
                if isinstance(row, dict) and row.get("OutId") == out.key:
                    # SendStatus 1 waiting for the receipt, 2 failed, 3 delivered
                    return Result(SENT, provider_id=str(row.get("BizId") or "")[:64],
                                  delivered=row.get("SendStatus") == 3)  # fmt: skip
        return Result(NOT_SENT)


def parse_reports(payload: object) -> list[Receipt]:
    """SmsReport as Aliyun posts it: a JSON array of {biz_id, out_id, success, err_code,
    report_time, …}. Rows that are not of that shape are left out."""
    receipts = []
    for row in payload if isinstance(payload, list) else []:
        if not isinstance(row, dict) or not (row.get("biz_id") or row.get("out_id")):
            continue
        receipts.append(Receipt(
            delivered=row.get("success") is True, provider_id=str(row.get("biz_id") or "")[:64],
            key=str(row.get("out_id") or "")[:80], code=str(row.get("err_code") or "")[:64],
            at=china_time(row.get("report_time")),
        ))  # fmt: skip
    return receipts


def parse_replies(payload: object) -> list[tuple[str, str]]:
    """SmsUp as Aliyun posts it: [{phone_number, content, sign_name, send_time, …}] →
    (phone, text) pairs."""
    return [
        (str(row.get("phone_number") or ""), str(row.get("content") or ""))
        for row in (payload if isinstance(payload, list) else [])
        if isinstance(row, dict)
    ]


# The body Aliyun expects back from a callback; anything else makes it post again.
CALLBACK_OK = {"code": 0, "msg": "接收成功"}
