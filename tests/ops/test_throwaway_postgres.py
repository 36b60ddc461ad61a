"""The throwaway PostgreSQL server the test run and the load start (scripts/)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import throwaway_postgres  # noqa: E402 - a script beside the tests

SCRIPT = Path(throwaway_postgres.__file__)
# Prints the DATABASE_URL it was given, then waits to be stopped.
WAITER = "import os, time; print(os.environ['DATABASE_URL'], flush=True); time.sleep(120)"


@pytest.mark.sqlite_only  # about the tooling, not the database under test: run it once
@pytest.mark.slow
def test_stopped_from_outside_it_still_stops_and_deletes_the_server():
    if throwaway_postgres.find_bindir() is None:
        assert not os.environ.get("CI"), "CI installs PostgreSQL (make test)"
        pytest.skip("PostgreSQL binaries not installed")
    run = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--", sys.executable, "-c", WAITER],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = run.stdout.readline().strip()
        socket_dir = Path(parse_qs(urlparse(url).query)["host"][0])
        assert (socket_dir.parent / "data" / "postmaster.pid").exists()
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        run.kill()
        run.wait()
    assert not socket_dir.parent.exists()  # the server stopped, its folder deleted
