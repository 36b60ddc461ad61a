"""Tencent Cloud SMS (腾讯云短信, API 2021-01-11): SendSms and PullSmsSendStatusByPhoneNumber,
signed with TC3-HMAC-SHA256 as Tencent Cloud API 3.0 documents, and the status reports and
replies it pushes to our callback URLs."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

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
from anchang.care.backends.http import CallFailed, call, china_time, client

SERVICE = "sms"
VERSION = "2021-01-11"
# Tencent reports a message by its status report only (no record before it): a message in
# doubt with no report after this long was not taken.
REPORT_WITHIN = timedelta(minutes=10)
REFUSED_PREFIXES = (
    "InvalidParameterValue.", "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved", "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.PhoneNumberParseFail", "UnsupportedOperation.",
    "FailedOperation.MissingTemplateToModify", "FailedOperation.MissingSignature",
)  # fmt: skip


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(*, secret_id: str, secret_key: str, host: str, action: str, payload: bytes,
                  timestamp: int) -> str:  # fmt: skip
    """The TC3-HMAC-SHA256 Authorization header of a POST with a JSON body."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    headers = (
        f"content-type:application/json; charset=utf-8\nhost:{host}\nx-tc-action:{action.lower()}\n"
    )
    signed = "content-type;host;x-tc-action"
    canonical = "\n".join(["POST", "/", "", headers, signed, hashlib.sha256(payload).hexdigest()])
    scope = f"{day}/{SERVICE}/tc3_request"
    to_sign = "\n".join([
        "TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()
    ])  # fmt: skip
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), day), SERVICE), "tc3_request")
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed}, Signature={sig}"
    )


class TencentSms:
    name = "tencent"
    channel = "sms"

    def __init__(self, *, secret_id: str, secret_key: str, app_id: str, endpoint: str,
                 region: str = "ap-guangzhou"):  # fmt: skip
        if not secret_id or not secret_key or not app_id:
            raise ImproperlyConfigured(
                "SMS_BACKEND=tencent needs TENCENT_SMS_SECRET_ID, _SECRET_KEY and _APP_ID"
            )
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.app_id = app_id
        self.endpoint = endpoint.rstrip("/") + "/"
        self.host = urlsplit(self.endpoint).netloc
        self.region = region
        self.http = client()

    @classmethod
    def from_settings(cls) -> TencentSms:
        return cls(
            secret_id=settings.TENCENT_SMS_SECRET_ID, secret_key=settings.TENCENT_SMS_SECRET_KEY,
            app_id=settings.TENCENT_SMS_APP_ID, endpoint=settings.TENCENT_SMS_ENDPOINT,
            region=settings.TENCENT_SMS_REGION,
        )  # fmt: skip

    def _call(self, action: str, body: dict) -> dict:
        payload = json.dumps(body, ensure_ascii=False).encode()
        timestamp = int(datetime.now(UTC).timestamp())
        headers = {
            "Authorization": authorization(
                secret_id=self.secret_id, secret_key=self.secret_key, host=self.host,
                action=action, payload=payload, timestamp=timestamp,
            ),
            "Content-Type": "application/json; charset=utf-8", "Host": self.host,
            "X-TC-Action": action, "X-TC-Timestamp": str(timestamp), "X-TC-Version": VERSION,
            "X-TC-Region": self.region,
        }  # fmt: skip
        answer = call(self.http, "POST", self.endpoint, content=payload, headers=headers)
        response = answer.get("Response")
        if not isinstance(response, dict):
            raise CallFailed(DOUBT, "garbage")
        return response

    def send(self, out: Outgoing) -> Result:
        body = {
            "PhoneNumberSet": [out.phone], "SmsSdkAppId": self.app_id,
            "SignName": out.signature, "TemplateId": out.template_code,
            "TemplateParamSet": [value for _name, value in out.variables],
            "SessionContext": out.key,
        }  # fmt: skip
        try:
            response = self._call("SendSms", body)
        except CallFailed as failed:
            return Result(failed.outcome, code=failed.code, message=failed.message)
        error = response.get("Error")
        if isinstance(error, dict):  # the whole request refused: signature, limits, ...
            return Result(RETRY, code=str(error.get("Code") or "")[:64],
                          message=str(error.get("Message") or "")[:200])  # fmt: skip
        statuses = response.get("SendStatusSet")
        if not isinstance(statuses, list) or not statuses or not isinstance(statuses[0], dict):
            return Result(DOUBT, code="garbage")
        status = statuses[0]
        code = str(status.get("Code") or "")
        if code == "Ok" and status.get("SerialNo"):
            return Result(ACCEPTED, provider_id=str(status["SerialNo"])[:64])
        message = str(status.get("Message") or "")[:200]
        refused = code.startswith(REFUSED_PREFIXES)
        return Result(REJECTED if refused else RETRY, code=code[:64] or "garbage", message=message)

    def lookup(self, out: Outgoing) -> Result:
        """The number's status reports since the first try: our SessionContext there means the
        message went; none after REPORT_WITHIN means it did not."""
        started = out.first_try or datetime.now(UTC)
        now = datetime.now(UTC)
        try:
            response = self._call("PullSmsSendStatusByPhoneNumber", {
                "BeginTime": int((started - timedelta(minutes=1)).timestamp()),
                "EndTime": int(now.timestamp()), "Offset": 0, "Limit": 100,
                "PhoneNumber": out.phone, "SmsSdkAppId": self.app_id,
            })  # fmt: skip
        except CallFailed:
            return Result(UNKNOWN)
        if isinstance(response.get("Error"), dict):
            return Result(UNKNOWN, code=str(response["Error"].get("Code") or "")[:64])
        for row in response.get("PullSmsSendStatusSet") or []:
            if isinstance(row, dict) and row.get("SessionContext") == out.key:
                return Result(SENT, provider_id=str(row.get("SerialNo") or "")[:64],
                              delivered=row.get("ReportStatus") == "SUCCESS")  # fmt: skip
        return Result(NOT_SENT if now - started > REPORT_WITHIN else UNKNOWN)


def parse_reports(payload: object) -> list[Receipt]:
    """The status report callback: [{sid, report_status: SUCCESS|FAIL, errmsg, mobile,
    user_receive_time, …}]."""
    receipts = []
    for row in payload if isinstance(payload, list) else []:
        if not isinstance(row, dict) or not row.get("sid"):
            continue
        receipts.append(Receipt(
            delivered=row.get("report_status") == "SUCCESS", provider_id=str(row["sid"])[:64],
            code=str(row.get("errmsg") or "")[:64], at=china_time(row.get("user_receive_time")),
        ))  # fmt: skip
    return receipts


def parse_replies(payload: object) -> list[tuple[str, str]]:
    """The reply callback: one {mobile, nationcode, text, sign, time, extend} (or a list)."""
    rows = payload if isinstance(payload, list) else [payload]
    pairs = []
    for row in rows:
        if isinstance(row, dict) and row.get("mobile"):
            code = str(row.get("nationcode") or "86").lstrip("+")
            pairs.append((f"+{code}{row['mobile']}", str(row.get("text") or "")))
    return pairs


# The body Tencent expects back from a callback.
CALLBACK_OK = {"result": 0, "errmsg": "OK"}
