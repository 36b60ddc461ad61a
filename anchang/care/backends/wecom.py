"""WeCom (企业微信) app messages to staff: gettoken, then message/send of a text card to a
member, with WeCom's own duplicate check on, so a message sent again after a worker died is
dropped by WeCom rather than shown twice."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from anchang.care.backends import ACCEPTED, NOT_SENT, REJECTED, RETRY, Outgoing, Result
from anchang.care.backends.http import CallFailed, call, client

# WeCom drops a message identical to one sent to the same member within this many seconds
# (its maximum, 4 hours): a resend after a crash inside this window is safe.
DUPLICATE_CHECK_SECONDS = 4 * 3600
TOKEN_EXPIRED = frozenset({40014, 42001})  # invalid or expired access_token
THROTTLED = frozenset({45009, 45033, -1})  # too many calls, too many at once, system busy
# A member who is not one (81013), has left, or is outside the app's visible range (60020…).
NO_SUCH_MEMBER = frozenset({81013, 60111, 60020, 48002})


class WeCom:
    name = "wecom"
    channel = "wecom"

    def __init__(self, *, corp_id: str, secret: str, agent_id: str, endpoint: str):
        if not corp_id or not secret or not str(agent_id).isdecimal():
            raise ImproperlyConfigured(
                "WECOM_BACKEND=wecom needs WECOM_CORP_ID, WECOM_SECRET and a numeric WECOM_AGENT_ID"
            )
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = int(agent_id)
        self.endpoint = endpoint.rstrip("/")
        self.http = client()
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> WeCom:
        return cls(
            corp_id=settings.WECOM_CORP_ID, secret=settings.WECOM_SECRET,
            agent_id=settings.WECOM_AGENT_ID, endpoint=settings.WECOM_ENDPOINT,
        )  # fmt: skip

    def _access_token(self, *, fresh: bool = False) -> str:
        with self._lock:
            if self._token and not fresh and self._token[1] > time.monotonic():
                return self._token[0]
            answer = call(
                self.http, "GET", f"{self.endpoint}/cgi-bin/gettoken",
                params={"corpid": self.corp_id, "corpsecret": self.secret},
            )  # fmt: skip
            token = answer.get("access_token")
            if answer.get("errcode") not in (0, None) or not isinstance(token, str):
                raise CallFailed(RETRY, f"wecom_{answer.get('errcode')}",
                                 str(answer.get("errmsg") or "")[:200])  # fmt: skip
            # renewed a few minutes early, as WeCom advises
            lifetime = int(answer.get("expires_in") or 7200)
            self._token = (token, time.monotonic() + max(60, lifetime - 300))
            return token

    def send(self, out: Outgoing) -> Result:
        body = {
            "touser": out.userid, "msgtype": "text", "agentid": self.agent_id,
            "text": {"content": out.body}, "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
        }  # fmt: skip
        try:
            answer = self._send(body, fresh=False)
            if answer.get("errcode") in TOKEN_EXPIRED:
                answer = self._send(body, fresh=True)
        except CallFailed as failed:
            return Result(failed.outcome, code=failed.code, message=failed.message)
        errcode = answer.get("errcode")
        message = str(answer.get("errmsg") or "")[:200]
        if errcode == 0 and not answer.get("invaliduser"):
            return Result(ACCEPTED, provider_id=str(answer.get("msgid") or "")[:64])
        if errcode == 0 or errcode in NO_SUCH_MEMBER:
            return Result(REJECTED, code=f"wecom_{errcode}_invaliduser", message=message)
        if errcode in THROTTLED:
            return Result(RETRY, code=f"wecom_{errcode}", message=message)
        return Result(REJECTED if isinstance(errcode, int) else RETRY,
                      code=f"wecom_{errcode}"[:64], message=message)  # fmt: skip

    def _send(self, body: dict, *, fresh: bool) -> dict:
        token = self._access_token(fresh=fresh)
        return call(self.http, "POST", f"{self.endpoint}/cgi-bin/message/send",
                    params={"access_token": token}, json=body)  # fmt: skip

    def lookup(self, out: Outgoing) -> Result:
        # WeCom keeps no record to ask; its duplicate check drops the same text to the same
        # member within DUPLICATE_CHECK_SECONDS, so sending again shows it once.
        return Result(NOT_SENT)
