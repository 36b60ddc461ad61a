"""Open-loop load at a fixed offered rate, stepped up to find the knee (issue 15).

scripts/load.py runs it against the real server it started; alone, against any server
that has the load accounts (scripts/load.py writes them):

    python scripts/knee.py --base http://127.0.0.1:8000 --accounts load-accounts.json \
        --steps 100,150,200 --seconds 30

Requests arrive as a Poisson process at the offered rate, whatever the server answers
(open loop): a slow answer does not slow the arrivals, so a saturated server shows as
queueing in the latencies instead of hiding it, as a closed loop of users waiting for their
answers would (coordinated omission). Latency runs from the moment a request was due to the
end of its answer. The mix is a consultant working through the day: per 11 steps,
My day twice (the page and its reminders), the customer list once, a card four times, a
follow-up recorded three times through the API and a call registered once (13 requests).

Each request is one short HTTP/1.1 connection (gunicorn's sync workers close it after the
answer anyway), sent and read by an asyncio protocol on uvloop's event loop: 0.60-0.66 ms
of this process's CPU a request (the kernel's share of the connection included), against
0.96-1.05 with asyncio's streams on the default loop (alternated steps at 120/s), so the
tool takes less of the cores it shares with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import uvloop

CONTENT = "客户来电询问三居室的价格和交房时间，约了周末带家人来看样板间，关心学区和首付比例。"
# (weight, page names) of each step of the day; My day loads its reminders too.
STEPS = [
    (2, ("My day", "My day: reminders")),
    (1, ("customer list",)),
    (4, ("customer card",)),
    (1, ("register a call (API)",)),
    (3, ("record a follow-up (API)",)),
]
WARM_UP = 3.0  # seconds of each step not counted: the workers' caches filling
TIMEOUT = 10.0  # an answer later than this is an error
MAX_IN_FLIGHT = 2000  # past this many open requests the step has failed: stop sending


@dataclass
class Step:
    offered: float
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms, per page
    errors: dict[str, int] = field(default_factory=dict)  # status or exception -> count
    sent: int = 0  # requests due after the warm-up, each answered, refused or unanswered
    started: float = 0.0
    counted_from: float = 0.0

    def record(self, name: str, due: float, status: int | str) -> None:
        if due < self.counted_from:
            return
        if status in (200, 201):
            self.latencies.setdefault(name, []).append((time.perf_counter() - due) * 1000)
        else:
            key = f"{name}: {status}"
            self.errors[key] = self.errors.get(key, 0) + 1

    def summary(self) -> dict:
        every = sorted(ms for values in self.latencies.values() for ms in values)
        answered = len(every)
        counted = self.seconds - WARM_UP
        errors = dict(self.errors)
        # Still unanswered when the step gave up waiting: as much an error as a timeout.
        unanswered = self.sent - answered - sum(errors.values())
        if unanswered:
            errors["(no answer by the end of the step)"] = unanswered
        return {
            "offered": self.offered,
            "sent": self.sent,
            "answered": answered,
            "answered_rps": round(answered / counted, 1),
            "p50": _percentile(every, 50),
            "p95": _percentile(every, 95),
            "p99": _percentile(every, 99),
            "errors": sum(errors.values()),
            "error_kinds": dict(sorted(errors.items())),
            "per_page": {
                name: {
                    "n": len(values),
                    "p50": _percentile(sorted(values), 50),
                    "p95": _percentile(sorted(values), 95),
                }
                for name, values in sorted(self.latencies.items())
            },  # fmt: skip
        }


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1], 1)


class Mix:
    """Builds the raw HTTP requests of the mix for the load accounts."""

    def __init__(self, base: str, accounts: list[dict], seed: int, phone_prefix: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.accounts = accounts
        self.rng = random.Random(seed)  # noqa: S311 - which page next, not a secret
        self.phones = iter(range(100_000))
        self.phone_prefix = phone_prefix  # 6 digits: one block of numbers per step
        self.pending: list[str] = []
        self.weights = [w for w, _names in STEPS]

    def next(self) -> tuple[str, bytes]:
        if not self.pending:
            ((_w, names),) = self.rng.choices(STEPS, weights=self.weights)
            self.pending = list(names)
        name = self.pending.pop(0)
        account = self.rng.choice(self.accounts)
        return name, self._request(name, account)

    def _request(self, name: str, account: dict) -> bytes:
        browser = {"Cookie": f"sessionid={account['session']}"}
        api = {"Authorization": f"Token {account['token']}"}
        if name == "My day":
            return self._raw("GET", "/", browser)
        if name == "My day: reminders":
            return self._raw("GET", "/my-day/reminders/", {**browser, "HX-Request": "true"})
        if name == "customer list":
            return self._raw("GET", "/customers/", browser)
        if name == "customer card":
            customer = self.rng.choice(account["customers"])
            return self._raw("GET", f"/customers/{customer}/", browser)
        if name == "register a call (API)":
            body = {
                "project": account["project"], "kind": "call", "name": "压测客户",
                "gender": "f", "phone": f"1{self.phone_prefix}{next(self.phones):04d}",
                "medium": account["medium"], "content": CONTENT,
                "occurred_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            }  # fmt: skip
            return self._raw("POST", "/api/v1/registrations/", api, body)
        customer = self.rng.choice(account["customers"])
        body = {"customer": customer, "kind": "phone", "content": CONTENT}
        return self._raw("POST", "/api/v1/followups/", api, body)

    def _raw(self, method: str, path: str, headers: dict, body: dict | None = None) -> bytes:
        data = json.dumps(body).encode() if body is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Connection: close", "Accept-Language: zh-hans"]  # fmt: skip
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class _Exchange(asyncio.Protocol):
    """One request on its own connection: send it, keep the status line, wait for the
    server to close. A protocol, not asyncio's streams, because the tool shares the
    server's two cores (with uvloop: see the module's docstring for the figures)."""

    def __init__(self, raw: bytes, done: asyncio.Future):
        self.raw, self.done, self.head = raw, done, b""

    def connection_made(self, transport) -> None:
        transport.write(self.raw)

    def data_received(self, data: bytes) -> None:
        if b"\r\n" not in self.head:
            self.head += data[:64]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(exc)


async def _one(mix: Mix, step: Step, name: str, raw: bytes, due: float) -> None:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    exchange = _Exchange(raw, done)
    transport = None
    try:
        async with asyncio.timeout(TIMEOUT):
            transport, _ = await loop.create_connection(lambda: exchange, mix.host, mix.port)
            lost = await done
        if lost is not None:
            raise lost
        status: int | str = int(exchange.head.split(b"\r\n", 1)[0].split()[1])
    except TimeoutError:
        status = "timeout"
    except (OSError, ValueError, IndexError) as error:
        status = type(error).__name__
    finally:
        if transport is not None:
            transport.close()
    step.record(name, due, status)


async def _run_step(mix: Mix, step: Step) -> None:
    rng = random.Random(int(step.offered))  # noqa: S311 - arrival times, not a secret
    tasks: set[asyncio.Task] = set()
    step.started = time.perf_counter()
    step.counted_from = step.started + WARM_UP
    due = step.started
    end = step.started + step.seconds
    while due < end:
        due += rng.expovariate(step.offered)
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= MAX_IN_FLIGHT:
            step.sent += due >= step.counted_from
            step.record("(not sent: too many waiting)", due, "overload")
            continue
        name, raw = mix.next()
        task = asyncio.create_task(_one(mix, step, name, raw, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        step.sent += due >= step.counted_from
    if tasks:
        await asyncio.wait(tasks, timeout=TIMEOUT + 1)


def run_steps(base: str, accounts: list[dict], rates: list[float], seconds: float,
              on_step=None, first: int = 0) -> list[dict]:  # fmt: skip
    """Each rate for `seconds`, in order; `on_step(rate, "start" | "end")` lets the caller
    read the processes' CPU around each step. Returns each step's summary. Steps are
    numbered from `first`, which picks each one's block of phone numbers."""
    results = []
    for number, rate in enumerate(rates, start=first):
        mix = Mix(base, accounts, seed=number, phone_prefix=f"357{number:02d}{os.getpid() % 10}")
        step = Step(offered=rate, seconds=seconds)
        if on_step:
            on_step(rate, "start")
        uvloop.run(_run_step(mix, step))  # libuv's loop: alone, ~18 % less of the tool's CPU
        summary = step.summary()
        if on_step:
            summary.update(on_step(rate, "end") or {})
        results.append(summary)
    return results


def holds(result: dict, p95_ms: float) -> bool:
    """Every request of the step answered (none refused, timed out or left waiting) and
    95 % of them within `p95_ms`."""
    return (
        result["errors"] == 0 and result["answered"] > 0 and result["p95"] is not None
        and result["p95"] < p95_ms
    )  # fmt: skip


def knee(results: list[dict], p95_ms: float = 100.0) -> float | None:
    """The highest offered rate held (`holds`) with p95 under `p95_ms`; None when none was."""
    good = [r["offered"] for r in results if holds(r, p95_ms)]
    return max(good) if good else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--accounts", type=Path, required=True)
    parser.add_argument("--steps", default="100,150,200,250,300,400")
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    accounts = json.loads(args.accounts.read_text(encoding="utf-8"))
    rates = [float(r) for r in args.steps.split(",")]
    results = run_steps(args.base, accounts, rates, args.seconds)
    print(json.dumps({"steps": results, "knee": knee(results)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
