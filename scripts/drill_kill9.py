"""Durability drill: kill -9 the server in the middle of a registration burst, again and again.

    python scripts/drill_kill9.py --rounds 30 [--data-dir DIR] [--json]

Each round starts the real server (`anchang serve`, gunicorn, on the embedded SQLite
database), sends registrations from four threads through the API, and kills the whole
server (SIGKILL to its process group) at a random moment. Then, with the server dead, it
opens the database: `PRAGMA integrity_check` must answer ok, and every registration the
server acknowledged (201 with its id) must be there. Prints one line per round and a
summary; exits 1 if any acknowledged write was lost, a check failed, or a round was killed
before any write (the drill then proved nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

BIN = Path(sys.executable).parent
SETUP = """
import json
import django
django.setup()
from anchang.customers.services import media_ensure_defaults
from anchang.org.models import Company, Project, Region, Role
from anchang.org.services import membership_grant, staff_create, token_create
company = Company.objects.create(name="演练集团", code="drill")
region = Region.objects.create(company=company, name="华东", code="east")
project = Project.objects.create(region=region, name="演练楼盘", code="drill", kind="real_estate")
media_ensure_defaults(project=project)
user = staff_create(username="drill", name="演练顾问", password="drill-password-2026")
membership_grant(user=user, role=Role.CONSULTANT, company=company, project=project)
_token, secret = token_create(actor=user, name="drill")
medium = project.media.filter(is_active=True).first()
print(json.dumps({"project": project.pk, "medium": medium.pk, "token": secret}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(data_dir: Path, env: dict) -> dict:
    subprocess.run([str(BIN / "anchang"), "migrate", "--no-input", "-v0"], env=env, check=True)
    out = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 240) -> None:
    # The first start collects the static files (a minute of CPU here, more under load).
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/login/", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("drill: the server did not start") from None
            time.sleep(0.2)


def burst(base: str, setup: dict, phones, acknowledged: list, stop: threading.Event,
          errors: list) -> None:  # fmt: skip
    headers = {"Authorization": f"Token {setup['token']}", "Content-Type": "application/json"}
    for phone in phones:
        if stop.is_set():
            return
        occurred = datetime.now(UTC) - timedelta(minutes=1)
        body = json.dumps({
            "project": setup["project"], "kind": "call", "name": "开盘客户", "gender": "f",
            "phone": phone, "medium": setup["medium"], "content": "开盘当天来电，询问剩余房源",
            "occurred_at": occurred.isoformat(),
        }).encode()  # fmt: skip
        request = urllib.request.Request(  # noqa: S310 - our own server, on loopback
            base + "/api/v1/registrations/", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                if response.status == 201:
                    acknowledged.append(json.loads(response.read())["registration"])
        except urllib.error.HTTPError as error:
            if error.code < 500:  # the drill's own request is wrong: say so, do not count
                errors.append(f"{error.code} {error.read()[:300]!r}")
            return  # (a server error while dying is simply not acknowledged)
        except OSError:
            return  # the server is gone: this write was never acknowledged


def start_bursts(base: str, setup: dict, prefix: str, acknowledged: list, stop: threading.Event,
                 errors: list, per_thread: int = 100_000) -> list[threading.Thread]:  # fmt: skip
    """Four threads of registrations, each with its own phones (`prefix`, thread, number)."""
    threads = []
    width = 11 - len(prefix) - 1
    for t in range(4):
        phones = (f"{prefix}{t}{i:0{width}d}" for i in range(per_thread))
        thread = threading.Thread(
            target=burst, args=(base, setup, phones, acknowledged, stop, errors)
        )
        thread.start()
        threads.append(thread)
    return threads


def start_server(env: dict, workers: int = 2) -> tuple[str, subprocess.Popen]:
    """`anchang serve` (gunicorn, 2 workers) on a free loopback port, in its own process
    group so that one signal reaches the master and its workers. Returns (base URL, process)."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "anchang"), "serve", "--no-migrate", "--no-tick", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    return f"http://127.0.0.1:{port}", server


def one_round(number: int, data_dir: Path, env: dict, setup: dict, rng: random.Random) -> dict:
    base, server = start_server(env)
    wait_until_up(base, server)
    acknowledged: list[int] = []
    stop = threading.Event()
    errors: list[str] = []
    threads = start_bursts(base, setup, f"139{number:02d}", acknowledged, stop, errors)
    # Mid-burst: once the server has acknowledged a write (on a loaded machine the first
    # can take longer than the pause below, and a round killed before it proves nothing),
    # then at a random moment while the writes go on.
    deadline = time.monotonic() + 120
    while not acknowledged and not errors and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(rng.uniform(0.1, 1.2))
    os.killpg(server.pid, signal.SIGKILL)  # gunicorn's master and workers, mid-write
    server.wait(timeout=30)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise SystemExit(f"drill: the server refused a registration: {errors[0]}")
    with sqlite3.connect(data_dir / "anchang.sqlite3") as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        present = 0
        for start in range(0, len(acknowledged), 500):
            chunk = acknowledged[start : start + 500]
            marks = ",".join("?" * len(chunk))
            present += db.execute(
                f"SELECT count(*) FROM customers_registration WHERE id IN ({marks})",  # noqa: S608
                chunk,
            ).fetchone()[0]
    return {
        "round": number,
        "acknowledged": len(acknowledged),
        "lost": len(acknowledged) - present,
        "integrity": integrity,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="anchang-drill-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the embedded DB
    env.update(ANCHANG_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="anchang.settings")
    setup = prepare(data_dir, env)
    rng = random.Random(args.seed)  # noqa: S311 - when to kill, not a secret
    rounds = []
    for number in range(1, args.rounds + 1):
        result = one_round(number, data_dir, env, setup, rng)
        rounds.append(result)
        if not args.json:
            print(f"round {number}: {result['acknowledged']} acknowledged, "
                  f"{result['lost']} lost, integrity {result['integrity']}")  # fmt: skip
    summary = {
        "rounds": len(rounds),
        "acknowledged": sum(r["acknowledged"] for r in rounds),
        "lost": sum(r["lost"] for r in rounds),
        "integrity_failures": sum(r["integrity"] != "ok" for r in rounds),
        "rounds_without_writes": sum(r["acknowledged"] == 0 for r in rounds),
    }
    print(json.dumps(summary) if args.json else f"drill: {summary}")
    failed = summary["lost"] or summary["integrity_failures"] or summary["rounds_without_writes"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
