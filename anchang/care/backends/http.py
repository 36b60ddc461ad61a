"""The providers' HTTP calls and what a failure of the call itself means for the message:
a connection never made sent nothing (try again); a request sent and answered with nothing
usable (a timeout, a dropped connection, garbage) may have been taken (in doubt)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from anchang.care.backends import DOUBT, RETRY

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
# Both SMS providers write their times as China's wall clock, and date their records by it.
CHINA = ZoneInfo("Asia/Shanghai")


class CallFailed(Exception):
    def __init__(self, outcome: str, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.outcome = outcome
        self.code = code
        self.message = message


def client() -> httpx.Client:
    # one keep-alive connection pool per backend; a provider's certificate is checked
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False)


def call(http: httpx.Client, method: str, url: str, **kwargs: Any) -> Any:
    """The provider's JSON answer, or CallFailed with the outcome the failure means."""
    try:
        response = http.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise CallFailed(RETRY, "connect", exc.__class__.__name__) from exc
    except httpx.HTTPError as exc:  # the request went: the provider may have taken it
        raise CallFailed(DOUBT, "no_answer", exc.__class__.__name__) from exc
    try:
        answer = json.loads(response.content)
    except ValueError as exc:
        raise CallFailed(DOUBT, "garbage", f"HTTP {response.status_code}") from exc
    if not isinstance(answer, dict):
        raise CallFailed(DOUBT, "garbage", f"HTTP {response.status_code}")
    return answer


def china_time(text: object) -> datetime | None:
    """A provider's "2026-12-08 10:00:00" (China time); None for anything else."""
    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:
        return None
