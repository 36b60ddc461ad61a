"""Two servers' CPU per request, measured side by side over HTTP (issue 15).

    python scripts/side_by_side.py --a ../old-checkout --b . [--requests 2000]
    python scripts/throwaway_postgres.py -- python scripts/side_by_side.py --a ../old --b .

This VM's speed drifts by a third between runs, so two codes (two checkouts, each with its
own `make setup`) or two server settings cannot be told apart by running one, then the
other. Here both servers are up at once on one data folder (the demo, loaded by this
checkout; or the PostgreSQL in DATABASE_URL), each with gunicorn's 2 sync workers, and the
load mix's requests (scripts/knee.py: the same sequence for both) go to each in turn, one
at a time, which one first alternating. Prints each server's CPU per request (user and
system, its process group's from /proc) and this client's. `--a-args`/`--b-args` add
gunicorn options to one side (e.g. `--b-args "--worker-class gthread --threads 1"`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import knee  # noqa: E402 - a sibling script
from drill_kill9 import free_port, wait_until_up  # noqa: E402 - a sibling script
from load import ACCOUNTS, sign_in_all  # noqa: E402 - a sibling script

REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def cpu(group: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process group so far, ended children included."""
    user = system = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            _head, _, tail = stat.read_text().rpartition(")")
        except OSError:  # ended meanwhile
            continue
        fields = tail.split()
        if int(fields[2]) == group:
            user += int(fields[11]) + int(fields[13])
            system += int(fields[12]) + int(fields[14])
    return user / TICK, system / TICK


def prepare(env: dict) -> Path:
    """The demo and the load accounts, written by this checkout."""
    python = [sys.executable, "-m", "anchang.cli"]
    for command in (["migrate", "--no-input", "-v0"], ["demo", "-v0"],
                    ["collectstatic", "--no-input", "-v0"]):  # fmt: skip
        subprocess.run(python + command, env=env, check=True, capture_output=True, cwd=REPO)  # noqa: S603
    out = subprocess.run([sys.executable, "-c", ACCOUNTS], env=env, check=True,  # noqa: S603
                         capture_output=True, text=True, cwd=REPO)  # fmt: skip
    path = Path(env["ANCHANG_DATA_DIR"]) / "load-accounts.json"
    path.write_text(out.stdout.strip().splitlines()[-1], encoding="utf-8")
    return path


def start(checkout: Path, extra: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        str(checkout / ".venv" / "bin" / "python"), "-m", "gunicorn", "anchang.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--config",
        "python:anchang.gunicorn_conf", "--no-control-socket", "--access-logfile", "-",
        "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms', *shlex.split(extra),
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=checkout, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    wait_until_up(f"http://127.0.0.1:{port}", server)
    return server, port


def exchange(port: int, raw: bytes) -> int:
    """One request on its own connection (as the load tool sends them); its status."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, default=REPO, help="checkout A (with its .venv)")
    parser.add_argument("--b", type=Path, default=REPO, help="checkout B (with its .venv)")
    parser.add_argument("--a-args", default="", help="gunicorn options for A")
    parser.add_argument("--b-args", default="", help="gunicorn options for B")
    parser.add_argument("--requests", type=int, default=2000, help="measured, to each server")
    parser.add_argument("--warm", type=int, default=100, help="sent to each before measuring")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="anchang-sbs-"))
    env = {**os.environ, "ANCHANG_DATA_DIR": str(data)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "anchang.settings")
    accounts_path = prepare(env)
    servers = [start(args.a.resolve(), args.a_args, env), start(args.b.resolve(), args.b_args, env)]
    try:
        sign_in_all(f"http://127.0.0.1:{servers[0][1]}", accounts_path)
        accounts = json.loads(accounts_path.read_text(encoding="utf-8"))
        block = f"{int(time.time()) % 1000:03d}"
        mixes = [knee.Mix(f"http://127.0.0.1:{port}", accounts, 7, f"3{side}{block}0")
                 for side, (_server, port) in enumerate(servers)]  # fmt: skip
        client = [0.0, 0.0]

        def run(count: int, measured: bool) -> None:
            for n in range(count):
                raws = [mix.next() for mix in mixes]  # the same page for both
                for side in (0, 1) if n % 2 else (1, 0):
                    started = time.thread_time()
                    status = exchange(servers[side][1], raws[side][1])
                    if measured:
                        client[side] += time.thread_time() - started
                    if status not in (200, 201):
                        raise SystemExit(f"{'AB'[side]}: {raws[side][0]} answered {status}")

        run(args.warm, measured=False)
        before = [cpu(server.pid) for server, _port in servers]
        run(args.requests, measured=True)
        after = [cpu(server.pid) for server, _port in servers]
    finally:
        for server, _port in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"| server ({database}, demo, {args.requests} requests each) | user | system | "
          "total | client |")  # fmt: skip
    print("|---|---:|---:|---:|---:|")
    for side, (label, checkout, extra) in enumerate(
        [("A", args.a, args.a_args), ("B", args.b, args.b_args)]
    ):
        user, system = (1000 * (after[side][i] - before[side][i]) / args.requests for i in (0, 1))
        name = f"{label}: {checkout}" + (f" {extra}" if extra else "")
        print(f"| {name} | {user:.2f} ms | {system:.2f} ms | {user + system:.2f} ms | "
              f"{1000 * client[side] / args.requests:.3f} ms |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
