"""The load tool that finds the knee (scripts/knee.py): open-loop arrivals at the offered
rate, latency from the moment a request was due, errors counted by page."""

from __future__ import annotations

import http.server
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import knee  # noqa: E402 - a script beside the tests

ACCOUNTS = [
    {"session": "s1", "token": "t1", "project": 1, "medium": 2, "customers": [10, 11]},
    {"session": "s2", "token": "t2", "project": 1, "medium": 2, "customers": [12]},
]


def step(offered, answered, p95, errors=0):
    return {"offered": offered, "answered": answered, "p95": p95, "errors": errors}


def test_the_knee_is_the_highest_step_answered_in_full_and_fast():
    steps = [step(100, 2700, 40), step(150, 4000, 60), step(200, 5300, 95),
             step(250, 6600, 99), step(300, 7800, 80, errors=1), step(400, 0, None)]  # fmt: skip
    # 250: p95 under 100 ms and nothing refused or unanswered; 300 had an error.
    assert knee.knee(steps) == 250
    assert knee.knee([step(100, 2700, 100)]) is None  # p95 must be under 100 ms
    assert knee.knee([step(100, 0, None)]) is None  # nothing answered
    assert knee.knee([]) is None
    assert knee.holds(step(100, 2700, 250), p95_ms=300)  # issue 5's floor


def test_the_mix_sends_each_page_with_its_credentials():
    mix = knee.Mix("http://127.0.0.1:8000", ACCOUNTS, seed=1, phone_prefix="357001")
    seen = {}
    for _ in range(400):
        name, raw = mix.next()
        seen.setdefault(name, raw.decode())
    assert set(seen) == {name for _w, names in knee.STEPS for name in names}
    assert seen["My day"].startswith("GET / HTTP/1.1\r\n")
    assert "HX-Request: true" in seen["My day: reminders"]
    assert "Cookie: sessionid=s" in seen["customer card"]
    register = seen["register a call (API)"]
    assert register.startswith("POST /api/v1/registrations/ ") and "Token t" in register
    head, body = register.split("\r\n\r\n")
    assert f"Content-Length: {len(body.encode())}" in head and '"phone": "1357001' in body


class _Office(http.server.BaseHTTPRequestHandler):
    """Answers as the product would, slowly on cards; the list fails (500)."""

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.startswith("/customers/1"):
            time.sleep(0.03)
        self._answer(500 if self.path == "/customers/" else 200)

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer(201)

    def log_message(self, *args):
        pass


@pytest.mark.slow
def test_a_step_counts_answers_latencies_and_errors_by_page(monkeypatch):
    monkeypatch.setattr(knee, "WARM_UP", 0.5)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Office)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        (result,) = knee.run_steps(base, ACCOUNTS, [80], seconds=3.0)
    finally:
        server.shutdown()
    answered = sum(page["n"] for page in result["per_page"].values())
    assert 0.6 * 80 * 2.5 < result["sent"] < 1.4 * 80 * 2.5  # Poisson arrivals, 2.5 s
    assert answered == result["answered"] and answered + result["errors"] == result["sent"]
    assert result["answered_rps"] == round(answered / 2.5, 1)
    assert set(result["error_kinds"]) == {"customer list: 500"}
    assert "customer list" not in result["per_page"]
    # A card waits 30 ms on the server: its latency includes it.
    assert result["per_page"]["customer card"]["p50"] >= 30
    assert result["per_page"]["My day"]["p50"] < 30
    assert knee.knee([result]) is None  # errors: not a knee


def _silent_server() -> socket.socket:
    """Accepts connections and closes them without a word."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener


def test_a_step_counts_refused_and_unanswered_requests_as_errors(monkeypatch):
    """Whatever goes wrong with a connection is an error of its page, never a crash."""
    monkeypatch.setattr(knee, "WARM_UP", 0.2)
    closed = socket.create_server(("127.0.0.1", 0))
    refused = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    silent = _silent_server()
    try:
        unanswered = f"http://127.0.0.1:{silent.getsockname()[1]}"
        for base, kind in ((refused, "ConnectionRefusedError"), (unanswered, "IndexError")):
            (result,) = knee.run_steps(base, ACCOUNTS, [40], seconds=1.0)
            assert result["answered"] == 0 and result["errors"] == result["sent"] > 0
            assert {error.rsplit(": ", 1)[1] for error in result["error_kinds"]} == {kind}
    finally:
        silent.close()


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_side_by_side_measures_two_servers_on_one_folder():
    """scripts/side_by_side.py: both servers answer the mix and each gets a CPU figure."""
    import subprocess

    script = Path(__file__).resolve().parents[2] / "scripts" / "side_by_side.py"
    out = subprocess.run(
        [sys.executable, str(script), "--requests", "30", "--warm", "5",
         "--b-args", "--worker-class gthread --threads 1"],
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    rows = [line for line in out.stdout.splitlines() if line.startswith(("| A:", "| B:"))]
    assert len(rows) == 2 and "gthread" in rows[1], out.stdout
    assert all(float(row.split("|")[4].split()[0]) > 0 for row in rows), out.stdout
