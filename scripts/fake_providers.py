"""Local fakes of the message providers' HTTP APIs, for tests, the bench and a demo without
an account: Aliyun SMS (dysmsapi RPC, HMAC-SHA1 signature), Tencent Cloud SMS (API 3.0,
TC3-HMAC-SHA256) and WeCom (gettoken, message/send). Each checks the request's signature or
token as the provider does and answers as the provider documents.

    python scripts/fake_providers.py [--port 18100] [--report-to URL]

serves Aliyun on the port, Tencent on port+1 and WeCom on port+2, with the credentials
below. What a number ends in decides the answer (the same on every provider):

    …4001  throttled on the first try of each message, then taken
    …4002  an invalid number, always
    …4003  taken, but the answer is garbage (the sender is left in doubt)
    …4004  garbage on the first try of each message and NOT taken (in doubt, not sent)
    template code REJECTED   the template refused

GET /_fake/sent lists every message taken (key, phone, provider id, text variables);
POST /_fake/reports posts the delivery reports of the messages taken since the last call to
the --report-to URL (or the `to` query parameter) in the provider's own format.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit
from urllib.request import Request, urlopen
from zoneinfo import ZoneInfo

ALIYUN_KEY_ID = "fake-aliyun-key"
ALIYUN_SECRET = "fake-aliyun-secret"
TENCENT_SECRET_ID = "fake-tencent-id"
TENCENT_SECRET_KEY = "fake-tencent-key"
TENCENT_APP_ID = "1400000000"
WECOM_CORP_ID = "fake-corp"
WECOM_SECRET = "fake-wecom-secret"
WECOM_AGENT_ID = "1000002"
CHINA = ZoneInfo("Asia/Shanghai")
SKEW = 15 * 60  # seconds a signed request's time may differ from ours (both providers)


class Ledger:
    """What the fakes took, shared by the three servers (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[dict] = []
        self.tries: dict[str, int] = {}  # a message's key → requests seen
        self.nonces: set[str] = set()
        self.reported = 0
        self.requests = 0

    def try_number(self, key: str) -> int:
        with self.lock:
            self.requests += 1
            self.tries[key] = self.tries.get(key, 0) + 1
            return self.tries[key]

    def take(self, **row) -> dict:
        with self.lock:
            self.sent.append({**row, "at": time.time()})
            return row

    def unreported(self, provider: str) -> list[dict]:
        with self.lock:
            rows = [r for r in self.sent[self.reported :]]
            self.reported = len(self.sent)
        return [r for r in rows if r["provider"] == provider]


def outcome(phone: str, template: str, attempt: int) -> str:
    """ok, throttled, invalid, template, garbage_taken, garbage_lost."""
    if template == "REJECTED":
        return "template"
    tail = phone[-4:]
    if tail == "4001":
        return "throttled" if attempt == 1 else "ok"
    if tail == "4002":
        return "invalid"
    if tail == "4003":
        return "garbage_taken"
    if tail == "4004":
        return "garbage_lost" if attempt == 1 else "ok"
    return "ok"


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-provider"
    protocol_version = "HTTP/1.1"  # keep-alive, as the providers
    # headers and body go out in two writes: without this, Nagle and the client's delayed
    # ACK hold every answer 40 ms
    disable_nagle_algorithm = True
    ledger: Ledger
    report_to: str = ""

    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self, status: int, body: object, *, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if raw is not None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _control(self) -> bool:
        path = urlsplit(self.path)
        if path.path == "/_fake/sent":
            with self.ledger.lock:
                self._answer(200, {"sent": self.ledger.sent, "requests": self.ledger.requests})
            return True
        if path.path == "/_fake/reports":
            self._body()
            to = dict(parse_qsl(path.query)).get("to") or self.report_to
            rows = self.ledger.unreported(self.provider)
            if to and rows:
                post_json(to, self.reports(rows))
            self._answer(200, {"reported": len(rows)})
            return True
        return False

    def do_GET(self) -> None:
        if not self._control():
            self.handle_get()

    def do_POST(self) -> None:
        if not self._control():
            self.handle_post(self._body())

    def handle_get(self) -> None:
        self._answer(404, {"error": "not found"})

    def handle_post(self, body: bytes) -> None:
        self._answer(404, {"error": "not found"})


def post_json(url: str, payload: object) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = Request(url, data=data, headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=10) as response:  # noqa: S310 - a URL the test gave
        response.read()


# --- Aliyun -------------------------------------------------------------------------------


def aliyun_signature(params: dict[str, str], secret: str) -> str:
    def enc(text: str) -> str:
        return quote(text, safe="~")

    canonical = "&".join(f"{enc(k)}={enc(params[k])}" for k in sorted(params))
    to_sign = f"POST&{enc('/')}&{enc(canonical)}"
    return base64.b64encode(
        hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    ).decode()


class Aliyun(Handler):
    provider = "aliyun"

    def handle_post(self, body: bytes) -> None:
        params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        request_id = str(uuid.uuid4()).upper()
        error = self._check(params)
        if error:
            self._answer(400, {"Code": error, "Message": error, "RequestId": request_id})
            return
        if params.get("Action") == "SendSms":
            self._send(params, request_id)
        elif params.get("Action") == "QuerySendDetails":
            self._query(params, request_id)
        else:
            self._answer(404, {"Code": "InvalidAction.NotFound", "RequestId": request_id})

    def _check(self, params: dict[str, str]) -> str:
        given = params.pop("Signature", "")
        if params.get("AccessKeyId") != ALIYUN_KEY_ID:
            return "InvalidAccessKeyId.NotFound"
        if not hmac.compare_digest(given, aliyun_signature(params, ALIYUN_SECRET)):
            return "SignatureDoesNotMatch"
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (KeyError, ValueError):
            return "MissingTimestamp"
        if abs(time.time() - stamp.timestamp()) > SKEW:
            return "InvalidTimeStamp.Expired"
        with self.ledger.lock:
            if params.get("SignatureNonce") in self.ledger.nonces:
                return "SignatureNonceUsed"
            self.ledger.nonces.add(params.get("SignatureNonce", ""))
        return ""

    def _send(self, params: dict[str, str], request_id: str) -> None:
        phone = params.get("PhoneNumbers", "")
        key = params.get("OutId", "")
        attempt = self.ledger.try_number(f"aliyun:{key}")
        result = outcome(phone, params.get("TemplateCode", ""), attempt)
        if not (phone.isdecimal() and len(phone) == 11 and phone.startswith("1")):
            result = "invalid"
        try:
            variables = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            variables = None
        if not isinstance(variables, dict):
            self._answer(200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法",
                               "RequestId": request_id})  # fmt: skip
            return
        errors = {
            "throttled": ("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"),
            "invalid": ("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
            "template": ("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"),
        }
        if result in errors:
            code, message = errors[result]
            self._answer(200, {"Code": code, "Message": message, "RequestId": request_id})
            return
        if result == "garbage_lost":
            self._answer(502, None, raw=b"<html>502 Bad Gateway</html>")
            return
        biz_id = f"{int(time.time() * 1000)}^{uuid.uuid4().int % 10**10}"
        self.ledger.take(provider="aliyun", key=key, phone=phone, provider_id=biz_id,
                         template=params.get("TemplateCode"), variables=variables,
                         sign=params.get("SignName"))  # fmt: skip
        if result == "garbage_taken":
            self._answer(200, None, raw=b"<html>upstream timed out</html>")
            return
        self._answer(200, {"Code": "OK", "Message": "OK", "BizId": biz_id,
                           "RequestId": request_id})  # fmt: skip

    def _query(self, params: dict[str, str], request_id: str) -> None:
        phone = params.get("PhoneNumber", "")
        day = params.get("SendDate", "")
        with self.ledger.lock:
            rows = [
                r for r in self.ledger.sent
                if r["provider"] == "aliyun" and r["phone"] == phone
                and datetime.fromtimestamp(r["at"], CHINA).strftime("%Y%m%d") == day
            ]  # fmt: skip
        details = [
            {"PhoneNum": r["phone"], "SendStatus": 3, "ErrCode": "DELIVERED",
             "TemplateCode": r["template"], "Content": "", "OutId": r["key"],
             "SendDate": "", "ReceiveDate": ""}
            for r in rows
        ]  # fmt: skip
        self._answer(200, {"Code": "OK", "Message": "OK", "TotalCount": len(details),
                           "RequestId": request_id,
                           "SmsSendDetailDTOs": {"SmsSendDetailDTO": details}})  # fmt: skip

    def reports(self, rows: list[dict]) -> list[dict]:
        now = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return [
            {"phone_number": r["phone"], "send_time": now, "report_time": now,
             "success": not r["phone"].endswith("4009"), "err_code": "DELIVERED",
             "err_msg": "用户接收成功", "sms_size": "1", "biz_id": r["provider_id"],
             "out_id": r["key"]}
            for r in rows
        ]  # fmt: skip


# --- Tencent ------------------------------------------------------------------------------


def tencent_signature(*, key: str, day: str, to_sign: str) -> str:
    def sign(secret: bytes, text: str) -> bytes:
        return hmac.new(secret, text.encode(), hashlib.sha256).digest()

    secret = sign(sign(sign(f"TC3{key}".encode(), day), "sms"), "tc3_request")
    return hmac.new(secret, to_sign.encode(), hashlib.sha256).hexdigest()


class Tencent(Handler):
    provider = "tencent"

    def handle_post(self, body: bytes) -> None:
        request_id = str(uuid.uuid4())
        action = self.headers.get("X-TC-Action", "")
        error = self._check(body, action)
        if error:
            self._answer(200, {"Response": {"Error": {"Code": error, "Message": error},
                                            "RequestId": request_id}})  # fmt: skip
            return
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self._answer(200, {"Response": {"Error": {"Code": "InvalidParameter"},
                                            "RequestId": request_id}})  # fmt: skip
            return
        if action == "SendSms":
            self._send(data, request_id)
        elif action == "PullSmsSendStatusByPhoneNumber":
            self._pull(data, request_id)
        else:
            self._answer(200, {"Response": {"Error": {"Code": "InvalidAction"},
                                            "RequestId": request_id}})  # fmt: skip

    def _check(self, body: bytes, action: str) -> str:
        auth = self.headers.get("Authorization", "")
        try:
            stamp = int(self.headers.get("X-TC-Timestamp", ""))
        except ValueError:
            return "MissingParameter"
        if abs(time.time() - stamp) > SKEW:
            return "AuthFailure.SignatureExpire"
        day = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
        prefix = f"TC3-HMAC-SHA256 Credential={TENCENT_SECRET_ID}/{day}/sms/tc3_request, "
        if not auth.startswith(prefix):
            return "AuthFailure.SecretIdNotFound"
        parts = dict(p.split("=", 1) for p in auth[len(prefix) :].split(", ") if "=" in p)
        signed = parts.get("SignedHeaders", "").split(";")

        def header(name: str) -> str:
            value = (self.headers.get(name) or "").strip()
            return value.lower() if name == "x-tc-action" else value

        canonical_headers = "".join(f"{name}:{header(name)}\n" for name in signed)
        canonical = "\n".join(["POST", "/", "", canonical_headers, ";".join(signed),
                               hashlib.sha256(body).hexdigest()])  # fmt: skip
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(stamp), f"{day}/sms/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()])  # fmt: skip
        expected = tencent_signature(key=TENCENT_SECRET_KEY, day=day, to_sign=to_sign)
        if not hmac.compare_digest(parts.get("Signature", ""), expected):
            return "AuthFailure.SignatureFailure"
        if "host" not in signed or "content-type" not in signed:
            return "AuthFailure.SignatureFailure"
        return ""

    def _send(self, data: dict, request_id: str) -> None:
        if data.get("SmsSdkAppId") != TENCENT_APP_ID:
            self._answer(200, {"Response": {"Error": {"Code": "FailedOperation.AppIdNotFound"},
                                            "RequestId": request_id}})  # fmt: skip
            return
        key = str(data.get("SessionContext") or "")
        statuses = []
        garbage = False
        for phone in data.get("PhoneNumberSet") or []:
            attempt = self.ledger.try_number(f"tencent:{key}:{phone}")
            result = outcome(phone, str(data.get("TemplateId") or ""), attempt)
            if not (phone.startswith("+861") and len(phone) == 14 and phone[1:].isdecimal()):
                result = "invalid"
            codes = {
                "throttled": "LimitExceeded.PhoneNumberThirtySecondLimit",
                "invalid": "InvalidParameterValue.IncorrectPhoneNumber",
                "template": "FailedOperation.TemplateIncorrectOrUnapproved",
            }
            if result in codes:
                statuses.append({"SerialNo": "", "PhoneNumber": phone, "Fee": 0,
                                 "SessionContext": key, "Code": codes[result],
                                 "Message": codes[result], "IsoCode": "CN"})  # fmt: skip
                continue
            if result == "garbage_lost":
                garbage = True
                continue
            serial = f"2028:{uuid.uuid4().int % 10**19}"
            self.ledger.take(provider="tencent", key=key, phone=phone, provider_id=serial,
                             template=data.get("TemplateId"),
                             variables=data.get("TemplateParamSet"),
                             sign=data.get("SignName"))  # fmt: skip
            garbage = garbage or result == "garbage_taken"
            statuses.append({"SerialNo": serial, "PhoneNumber": phone, "Fee": 1,
                             "SessionContext": key, "Code": "Ok", "Message": "send success",
                             "IsoCode": "CN"})  # fmt: skip
        if garbage:
            self._answer(504, None, raw=b"<html>504 Gateway Time-out</html>")
            return
        self._answer(200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}})

    def _pull(self, data: dict, request_id: str) -> None:
        phone = data.get("PhoneNumber")
        with self.ledger.lock:
            rows = [r for r in self.ledger.sent
                    if r["provider"] == "tencent" and r["phone"] == phone]  # fmt: skip
        statuses = [
            {"UserReceiveTime": int(r["at"]), "CountryCode": "86",
             "SubscriberNumber": r["phone"][3:], "PhoneNumber": r["phone"],
             "SerialNo": r["provider_id"], "ReportStatus": "SUCCESS",
             "Description": "DELIVRD", "SessionContext": r["key"]}
            for r in rows
        ]  # fmt: skip
        self._answer(200, {"Response": {"PullSmsSendStatusSet": statuses,
                                        "RequestId": request_id}})  # fmt: skip

    def reports(self, rows: list[dict]) -> list[dict]:
        now = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return [
            {"user_receive_time": now, "nationcode": "86", "mobile": r["phone"][3:],
             "report_status": "FAIL" if r["phone"].endswith("4009") else "SUCCESS",
             "errmsg": "DELIVRD", "description": "用户短信接收成功", "sid": r["provider_id"]}
            for r in rows
        ]  # fmt: skip


# --- WeCom --------------------------------------------------------------------------------


class WeCom(Handler):
    provider = "wecom"
    tokens: dict[str, float] = {}

    def handle_get(self) -> None:
        path = urlsplit(self.path)
        query = dict(parse_qsl(path.query))
        if path.path != "/cgi-bin/gettoken":
            self._answer(404, {"errcode": 404, "errmsg": "not found"})
            return
        if query.get("corpid") != WECOM_CORP_ID or query.get("corpsecret") != WECOM_SECRET:
            self._answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
            return
        token = uuid.uuid4().hex
        with self.ledger.lock:
            self.tokens[token] = time.time() + 7200
        self._answer(200, {"errcode": 0, "errmsg": "ok", "access_token": token,
                           "expires_in": 7200})  # fmt: skip

    def handle_post(self, body: bytes) -> None:
        path = urlsplit(self.path)
        token = dict(parse_qsl(path.query)).get("access_token", "")
        if path.path != "/cgi-bin/message/send":
            self._answer(404, {"errcode": 404, "errmsg": "not found"})
            return
        with self.ledger.lock:
            valid = self.tokens.get(token, 0) > time.time()
        if not valid:
            self._answer(200, {"errcode": 40014, "errmsg": "invalid access_token"})
            return
        try:
            data = json.loads(body)
        except ValueError:
            self._answer(200, {"errcode": 47001, "errmsg": "data format error"})
            return
        if str(data.get("agentid")) != WECOM_AGENT_ID:
            self._answer(200, {"errcode": 40056, "errmsg": "invalid agentid"})
            return
        user = str(data.get("touser") or "")
        content = (data.get("text") or {}).get("content", "")
        if not user or user.startswith("nobody"):
            self._answer(200, {"errcode": 81013, "errmsg": "user & party & tag all invalid"})
            return
        # WeCom's duplicate check: the same text to the same member within the interval
        with self.ledger.lock:
            duplicate = data.get("enable_duplicate_check") and any(
                r["provider"] == "wecom" and r["phone"] == user and r["body"] == content
                and time.time() - r["at"] < int(data.get("duplicate_check_interval") or 1800)
                for r in self.ledger.sent
            )  # fmt: skip
        msgid = uuid.uuid4().hex
        if not duplicate:
            self.ledger.take(provider="wecom", key=msgid, phone=user, provider_id=msgid,
                             body=content, template="", variables={})  # fmt: skip
        self._answer(200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": msgid})

    def reports(self, rows: list[dict]) -> list[dict]:
        return []


class Fakes:
    """The three fakes on three ports of localhost, in threads of this process."""

    def __init__(self, port: int = 0, report_to: str = "") -> None:
        self.ledger = Ledger()
        self.servers = []
        for index, handler in enumerate((Aliyun, Tencent, WeCom)):
            cls = type(handler.__name__, (handler,), {"ledger": self.ledger,
                                                      "report_to": report_to})  # fmt: skip
            server = ThreadingHTTPServer(("127.0.0.1", port + index if port else 0), cls)
            server.daemon_threads = True
            self.servers.append(server)
        # a short poll: shutdown() waits for it, once per test
        self.threads = [
            threading.Thread(target=s.serve_forever, args=(0.02,), daemon=True)
            for s in self.servers
        ]

    def url(self, provider: str) -> str:
        server = self.servers[("aliyun", "tencent", "wecom").index(provider)]
        return f"http://127.0.0.1:{server.server_address[1]}"

    def settings(self) -> dict[str, str]:
        """The environment that points Anchang's backends at these fakes."""
        return {
            "ALIYUN_SMS_ACCESS_KEY_ID": ALIYUN_KEY_ID,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": ALIYUN_SECRET,
            "ALIYUN_SMS_ENDPOINT": self.url("aliyun"),
            "TENCENT_SMS_SECRET_ID": TENCENT_SECRET_ID,
            "TENCENT_SMS_SECRET_KEY": TENCENT_SECRET_KEY,
            "TENCENT_SMS_APP_ID": TENCENT_APP_ID,
            "TENCENT_SMS_ENDPOINT": self.url("tencent"),
            "WECOM_CORP_ID": WECOM_CORP_ID,
            "WECOM_SECRET": WECOM_SECRET,
            "WECOM_AGENT_ID": WECOM_AGENT_ID,
            "WECOM_ENDPOINT": self.url("wecom"),
        }

    def __enter__(self) -> Fakes:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=18100)
    parser.add_argument("--report-to", default="")
    args = parser.parse_args()
    with Fakes(args.port, args.report_to) as fakes:
        for provider in ("aliyun", "tencent", "wecom"):
            print(f"{provider}: {fakes.url(provider)}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
