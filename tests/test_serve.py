"""`anchang serve` runs the real server (gunicorn) with its own static files: no CDN."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, dict(response.headers), response.read()


def test_serve_answers_with_gunicorn_and_local_assets(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ANCHANG_DATA_DIR=str(tmp_path), ANCHANG_BIND=f"127.0.0.1:{port}")
    anchang = Path(sys.executable).with_name("anchang")
    server = subprocess.Popen(
        [str(anchang), "serve", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # The first start collects the static files: about a minute of CPU on a 2-core
        # machine, more under load; the deadline is for a server that never comes up.
        deadline = time.monotonic() + 240
        while True:
            try:
                status, headers, body = fetch(base + "/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.terminate()  # read() waits for the end of output: stop it first
                    output = server.communicate(timeout=30)[0]
                    pytest.fail("server did not start:\n" + (output or ""))
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
