"""Two app servers behind one reverse proxy (Debian's nginx), on one PostgreSQL: nothing a
request needs lives in one server's memory (docs/operations.md#several-servers).

One browser's requests alternate between the servers (nginx's round robin; each answer
names its server in X-Upstream), and log-in, CSRF, log-out, the log-in lock-out, the
reveal cap and the tick behave as on one server."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from drill_kill9 import free_port, wait_until_up  # noqa: E402 - a script beside the tests

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

BIN = Path(sys.executable).parent
PASSWORD = "correct-horse-battery-9"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REVEALS_PER_HOUR = 3

# The office both servers serve, built through the services in the new database.
OFFICE = f"""
import json
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from anchang.customers.models import Customer
from anchang.customers.services import customer_create, media_ensure_defaults
from anchang.org.models import Company, Project, Region, Role
from anchang.org.services import membership_grant, staff_create
company = Company.objects.create(name="双机集团", code="two")
region = Region.objects.create(company=company, name="华东", code="east")
project = Project.objects.create(
    region=region, name="双机楼盘", code="p2s", kind="real_estate",
    rules_overrides={{"privacy": {{"reveals_per_hour": {REVEALS_PER_HOUR}}}}},
)
media_ensure_defaults(project=project)
staff = {{}}
for username, role in [("twoc", Role.CONSULTANT), ("twom", Role.MANAGER), ("twol", Role.MANAGER)]:
    staff[username] = staff_create(username=username, name=username, password="{PASSWORD}")
    membership_grant(user=staff[username], role=role, company=company, project=project)
customers = [
    customer_create(actor=staff["twoc"], project=project, name=f"双机客户{{i}}",
                    phone=f"1349000{{i:04d}}", owner=staff["twoc"])
    for i in range(6)
]
stale = [c.pk for c in customers[3:]]  # untouched for 400 days: the pool takes them back
Customer.objects.filter(pk__in=stale).update(
    owned_since=timezone.now() - timedelta(days=400), last_reached_at=None
)
print(json.dumps({{"customers": [[c.pk, c.phone] for c in customers[:3]], "stale": stale}}))
"""

COUNT = """
import django
django.setup()
from anchang.pool.models import PoolEvent
from anchang.scheduler.models import TickRun
print(PoolEvent.objects.filter(kind=PoolEvent.Kind.RECLAIMED).count(), TickRun.objects.count())
"""


def _nginx_conf(folder: Path, port: int, upstreams: list[int]) -> Path:
    servers = "".join(f"server 127.0.0.1:{p};" for p in upstreams)
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 256; }}
http {{
    access_log off;
    {temp}
    upstream anchang {{ {servers} }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://anchang;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
""")
    return conf


@dataclass
class Office:
    base: str
    env: dict
    servers: list[str]  # each server's address, as X-Upstream names it
    customers: list[list]  # [pk, phone] of the consultant's customers
    stale: list[int]


class Browser:
    """One person's browser: a cookie jar, no redirects followed, answers kept whole."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        no_redirects = type("NoRedirects", (urllib.request.HTTPRedirectHandler,),
                            {"redirect_request": lambda *a, **k: None})  # fmt: skip
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), no_redirects
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, server that answered, body)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - loopback
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.headers["X-Upstream"], answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["X-Upstream"], error.read().decode()

    def token(self, path: str) -> tuple[str, str]:
        status, server, page = self.request(path)
        assert status == 200, (path, status)
        return CSRF.search(page).group(1), server

    def log_in(self, username: str, password: str = PASSWORD) -> tuple[int, str]:
        token, _server = self.token("/login/")
        data = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        status, server, _page = self.request("/login/", data)
        return status, server


@pytest.fixture(scope="module")
def office(tmp_path_factory, static_env):
    url = os.environ.get("DATABASE_URL", "")
    assert url.startswith("postgres"), "the PostgreSQL run (make test-postgres) runs this"
    import psycopg

    name = f"anchang_two_servers_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    folder = tmp_path_factory.mktemp("two-servers")
    env = {
        **static_env,
        "DATABASE_URL": urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl(),
        "SECRET_KEY": secrets.token_urlsafe(48),  # every server of one site shares its key
        "ANCHANG_BEHIND_PROXY": "1",
        "DJANGO_SETTINGS_MODULE": "anchang.settings",
    }
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run([str(BIN / "anchang"), "migrate", "--no-input", "-v0"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        made = subprocess.run([sys.executable, "-c", OFFICE], env=env, check=True,
                              capture_output=True, text=True)  # fmt: skip
        built = json.loads(made.stdout.strip().splitlines()[-1])
        ports = [free_port(), free_port()]
        for number, port in enumerate(ports):
            data_dir = folder / f"server{number}"  # each server its own machine's folder
            data_dir.mkdir()
            processes.append(subprocess.Popen(
                [str(BIN / "anchang"), "serve", "--no-migrate", "--no-tick", "--workers", "1",
                 "--bind", f"127.0.0.1:{port}"],
                env={**env, "ANCHANG_DATA_DIR": str(data_dir)}, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
        for port, process in zip(ports, processes, strict=True):
            wait_until_up(f"http://127.0.0.1:{port}", process)
        proxy_port = free_port()
        conf = _nginx_conf(folder, proxy_port, ports)
        processes.append(subprocess.Popen([NGINX, "-c", str(conf), "-p", str(folder)],
                                          start_new_session=True))  # fmt: skip
        wait_until_up(f"http://127.0.0.1:{proxy_port}", processes[-1], timeout=30)
        yield Office(
            base=f"http://127.0.0.1:{proxy_port}",
            env={**env, "ANCHANG_DATA_DIR": str(folder / "server0")},
            servers=[f"127.0.0.1:{p}" for p in ports],
            customers=built["customers"],
            stale=built["stale"],
        )
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_session_made_on_one_server_works_on_the_other(office):
    browser = Browser(office.base)
    status, logged_in_by = browser.log_in("twoc")
    assert status == 302
    answered = set()
    for _ in range(4):
        status, server, page = browser.request("/customers/")
        assert status == 200 and "双机客户" in page
        answered.add(server)
    assert answered == set(office.servers)  # both servers know the session
    # The form came from one server and was posted to the other: CSRF holds across them.
    token, form_server = browser.token("/customers/register/")
    status, post_server, _page = browser.request("/customers/register/", {
        "csrfmiddlewaretoken": token, "kind": "call", "name": "", "phone": "",
    })  # fmt: skip
    assert form_server != post_server and status == 400  # checked, refused as incomplete
    status, _server, _page = browser.request("/customers/register/", {"kind": "call"})
    assert status == 403  # no token: refused by either
    # Log-out on one server ends the session on both.
    token, _server = browser.token("/")
    status, _server, _page = browser.request("/logout/", {"csrfmiddlewaretoken": token})
    assert status == 302
    for _ in range(2):
        status, _server, _page = browser.request("/")
        assert status == 302  # to the log-in page, from either server


def test_failed_log_ins_lock_the_account_on_every_server(office):
    browser = Browser(office.base)
    token, _server = browser.token("/login/")  # one token, posted to each server in turn
    statuses, servers = [], set()
    for password in ["wrong-password"] * 5 + [PASSWORD] * 2:  # AXES_FAILURE_LIMIT is 5
        data = {"username": "twol", "password": password, "csrfmiddlewaretoken": token}
        status, server, _page = browser.request("/login/", data)
        statuses.append(status)
        servers.add(server)
    assert servers == set(office.servers)
    # The fifth failure locks, on whichever server; then even the right password is refused.
    assert statuses == [200, 200, 200, 200, 429, 429, 429]


def test_the_reveal_cap_counts_reveals_on_every_server(office):
    browser = Browser(office.base)
    assert browser.log_in("twom")[0] == 302
    shown, refused, servers = 0, 0, set()
    token, _server = browser.token(f"/customers/{office.customers[0][0]}/")
    for i in range(REVEALS_PER_HOUR + 2):  # one after the other: each server in turn
        pk, phone = office.customers[i % len(office.customers)]
        status, server, page = browser.request(
            f"/customers/{pk}/reveal-phone/", {"csrfmiddlewaretoken": token, "reason": "回访核对"}
        )
        servers.add(server)
        if status == 200 and phone[-8:] in page.replace(" ", ""):
            shown += 1
        else:
            refused += 1
    assert servers == set(office.servers)
    assert (shown, refused) == (REVEALS_PER_HOUR, 2)


def test_both_servers_ticking_at_once_reclaim_each_customer_once(office):
    def tick(_number):
        return subprocess.run([str(BIN / "anchang"), "tick"], env=office.env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(tick, range(2)))
    assert all(run.returncode == 0 for run in runs), [run.stderr[-2000:] for run in runs]
    counted = subprocess.run([sys.executable, "-c", COUNT], env=office.env, check=True,
                             capture_output=True, text=True)  # fmt: skip
    reclaimed, ticks = map(int, counted.stdout.split())
    assert (reclaimed, ticks) == (len(office.stale), 2)
