"""Run a command against a throwaway PostgreSQL server, then remove the server.

    python scripts/throwaway_postgres.py -- pytest ...

initdb into a temporary folder, listen on a Unix socket in that folder only (no TCP),
export DATABASE_URL for the command, stop and delete everything afterwards. As root the
server runs as the `postgres` system user (PostgreSQL refuses to run as root).
Exit codes: the command's own; 3 when the PostgreSQL binaries are missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def find_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for path in candidates + [os.path.dirname(shutil.which("pg_ctl") or "")]:
        if path and Path(path, "initdb").exists() and Path(path, "pg_ctl").exists():
            return Path(path)
    return None


def as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    # Stopped from outside (a CI timeout, kill): still stop and delete the server below, or
    # an orphaned postmaster keeps running and holds the folder.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda number, _frame: sys.exit(128 + number))
    bindir = find_bindir()
    if bindir is None:
        print("throwaway_postgres: PostgreSQL binaries not found", file=sys.stderr)
        return 3
    root = Path(tempfile.mkdtemp(prefix="anchang-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o755)
    log = root / "server.log"
    try:
        subprocess.run(
            as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-k {sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB"
        )
        subprocess.run(
            as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@/anchang?host={sock}")
        for _ in range(50):
            ready = subprocess.run(
                [str(bindir / "pg_isready"), "-h", str(sock)], stdout=subprocess.DEVNULL
            )
            if ready.returncode == 0:
                break
            time.sleep(0.2)
        # The database DATABASE_URL names, for commands that serve from it (scripts/load.py
        # --postgres); the test run makes its own test_anchang.
        subprocess.run(
            [str(bindir / "createdb"), "-h", str(sock), "-U", "postgres", "anchang"], check=True
        )
        return subprocess.run(command, env=env).returncode
    finally:
        subprocess.run(
            as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
