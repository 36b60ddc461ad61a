"""`anchang serve` runs the real server (gunicorn) with its own static files: no CDN."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only
# migrate comes first (the static files are collected once for the run: static_env), longer
# while the other test workers (pytest-xdist) use both cores too.
START_SECONDS = 300


def listening_port(server: subprocess.Popen) -> int:
    """The port gunicorn reports it bound (the server is started on port 0, so no other test
    or worker can take it first). Its output is read on a thread: a read never blocks the
    test past the deadline, and the output is kept for the failure message."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump():
        for line in server.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen = []
    while True:
        try:
            line = lines.get(timeout=START_SECONDS)
        except queue.Empty:
            line = None
        if line is None:
            pytest.fail("server did not start:\n" + "".join(seen))
        seen.append(line)
        if found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line):
            return int(found.group(1))


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, dict(response.headers), response.read()


@pytest.mark.slow
def test_serve_answers_with_gunicorn_and_local_assets(tmp_path, static_env):
    env = {k: v for k, v in static_env.items() if k != "DATABASE_URL"}
    env.update(ANCHANG_DATA_DIR=str(tmp_path), ANCHANG_BIND="127.0.0.1:0")
    anchang = Path(sys.executable).with_name("anchang")
    server = subprocess.Popen(
        [str(anchang), "serve", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{listening_port(server)}"
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:  # the master listens while its worker still loads Django
                status, headers, body = fetch(base + "/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert status == 200
        assert headers["Server"].startswith("gunicorn")
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        page = body.decode()
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
        assert {"bootstrap", "htmx", "app"} <= {Path(a).name.split(".")[0] for a in assets}
        for url in assets:
            assert fetch(base + url)[0] == 200, url
        assert "http://" not in page.replace(base, "") and "https://" not in page
        assert (tmp_path / "anchang.sqlite3").exists()
        assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # key readable by owner only
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_serve_collects_static_files_only_when_they_changed(tmp_path, settings):
    """A restart skips collectstatic (half a minute of both cores) when no source file
    changed, and collects again when one did."""
    from anchang.management.commands.serve import _collect_static

    source = tmp_path / "src"
    source.mkdir()
    (source / "app.css").write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {  # production's storage (the tests' own keeps no manifest)
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    manifest = tmp_path / "static" / "staticfiles.json"

    _collect_static()
    first = json.loads(manifest.read_text())["paths"]["app.css"]
    manifest.write_text(manifest.read_text().replace(first, "app.stale.css"))
    _collect_static()  # nothing changed: the manifest is left as it is
    assert json.loads(manifest.read_text())["paths"]["app.css"] == "app.stale.css"

    (source / "app.css").write_text("body { color: navy; }")
    _collect_static()
    again = json.loads(manifest.read_text())["paths"]["app.css"]
    assert again not in (first, "app.stale.css") and (tmp_path / "static" / again).exists()
