"""CPU per request of each page in the load mix, in process (docs/performance.md).

    python scripts/page_cpu.py                  # SQLite, a fresh data folder with the demo
    python scripts/throwaway_postgres.py -- python scripts/page_cpu.py

The same requests scripts/knee.py sends (My day and its reminders, the customer list,
a card, a call registered and a follow-up recorded through the API), as one demo
consultant, through Django's test client: no network, no server, so what is left is the
app's own CPU (views, queries, templates, middleware). Prints the median process CPU of
--repeat requests per page, and of the template rendering inside them. The garbage
collector is set as the server sets it (anchang/gunicorn_conf.py).

    python scripts/page_cpu.py --side-by-side variant.py

compares two variants of the code in one process: `variant.py` defines `a()` and `b()`,
each switching the process to its variant (monkeypatching a function, a setting), and
each page's requests alternate between them. This VM's speed drifts by a third between
runs, so a few per cent can only be told apart this way (noise ~±5 % at --repeat 100).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONTENT = "电话沟通了首付比例和贷款年限，客户周末带家人来看样板间，关注学区和交房时间"


def prepare(data_dir: Path) -> None:
    anchang = [sys.executable, "-m", "anchang.cli"]
    env = {**os.environ, "ANCHANG_DATA_DIR": str(data_dir)}
    for command in (["migrate", "--no-input", "-v0"], ["demo", "-v0"]):
        subprocess.run(anchang + command, env=env, check=True, capture_output=True, cwd=REPO)


def _requests(username: str):
    """The mix's requests as one consultant, and the template timer's state."""
    import django

    django.setup()
    from django.conf import settings
    from django.template.backends import django as django_backend
    from django.template.backends import jinja2 as jinja2_backend
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient

    from anchang.customers.models import Customer
    from anchang.gunicorn_conf import settle_heap
    from anchang.org.models import User

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    rendering = [0.0, 0]  # CPU seconds inside the outermost template render, nesting depth

    def timed(render):
        def wrapper(self, *args, **kwargs):
            rendering[1] += 1
            started = time.process_time()
            try:
                return render(self, *args, **kwargs)
            finally:
                rendering[1] -= 1
                if rendering[1] == 0:
                    rendering[0] += time.process_time() - started

        return wrapper

    for backend in (django_backend, jinja2_backend):
        backend.Template.render = timed(backend.Template.render)

    user = User.objects.get(username=username)
    customers = list(Customer.objects.filter(owner=user).values_list("pk", flat=True)[:20])
    first = Customer.objects.filter(owner=user).select_related("project").first()
    medium = first.project.media.filter(is_active=True).values_list("pk", flat=True).first()
    block = f"39{random.randrange(10_000):04d}"  # noqa: S311 - phone numbers for this run
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    mix = {
        "My day": lambda i: page.get("/"),
        "My day: reminders": lambda i: page.get("/my-day/reminders/", HTTP_HX_REQUEST="true"),
        "customer list": lambda i: page.get("/customers/"),
        "customer card": lambda i: page.get(f"/customers/{customers[i % len(customers)]}/"),
        "register a call (API)": lambda i: api.post(
            "/api/v1/registrations/",
            {
                "project": first.project_id,
                "kind": "call",
                "name": "压测客户",
                "gender": "f",
                "phone": f"1{block}{i:04d}",
                "medium": medium,
                "content": CONTENT,
                "occurred_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
            },
            format="json",
        ),  # fmt: skip
        "record a follow-up (API)": lambda i: api.post(
            "/api/v1/followups/",
            {"customer": customers[i % len(customers)], "kind": "phone", "content": CONTENT},
            format="json",
        ),
    }
    settle_heap()
    return mix, rendering


def measure(username: str, repeat: int) -> list[tuple[str, float, float]]:
    mix, rendering = _requests(username)
    rows = []
    for name, request in mix.items():
        for i in range(3):  # warm: templates compiled, caches filled
            request(i)
        cpu, render = [], []
        for i in range(repeat):
            rendering[0] = 0.0
            started = time.process_time()
            response = request(i)
            cpu.append((time.process_time() - started) * 1000)
            render.append(rendering[0] * 1000)
            if response.status_code >= 400:
                raise SystemExit(f"{name}: {response.status_code}")
        rows.append((name, statistics.median(cpu), statistics.median(render)))
    return rows


def side_by_side(username: str, repeat: int, variant: Path) -> list[tuple[str, float, float]]:
    """Each page's requests alternating between variant a and b (which one goes first
    alternates too): the medians of each, both measured at the same moments."""
    mix, _rendering = _requests(username)
    switches: dict = {}
    exec(compile(variant.read_text(), str(variant), "exec"), switches)  # noqa: S102 - the developer's own file
    use = (switches["a"], switches["b"])
    rows = []
    for name, request in mix.items():
        for i in range(3):  # warm both (numbers of their own: a registration's phone)
            for which, switch in enumerate(use):
                switch()
                request(9_000 + 2 * i + which)
        cpu: tuple[list[float], list[float]] = ([], [])
        for i in range(repeat):
            for which in (0, 1) if i % 2 else (1, 0):
                use[which]()
                started = time.process_time()
                response = request(2 * i + which)
                cpu[which].append((time.process_time() - started) * 1000)
                if response.status_code >= 400:
                    raise SystemExit(f"{name}, variant {'ab'[which]}: {response.status_code}")
        rows.append((name, statistics.median(cpu[0]), statistics.median(cpu[1])))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="daileiyu", help="a demo consultant")
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--data-dir", type=Path, help="an existing data folder with the demo")
    parser.add_argument(
        "--side-by-side", type=Path, metavar="VARIANT.py", help="a file defining a() and b()"
    )
    args = parser.parse_args()
    if args.data_dir is None:
        args.data_dir = Path(tempfile.mkdtemp(prefix="anchang-cpu-"))
        prepare(args.data_dir)
    os.environ["ANCHANG_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anchang.settings")
    sys.path.insert(0, str(REPO))
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    if args.side_by_side:
        print(f"| page ({database}, demo data) | A, median | B, median | B / A |")
        print("|---|---:|---:|---:|")
        for name, a, b in side_by_side(args.user, args.repeat, args.side_by_side):
            print(f"| {name} | {a:.2f} ms | {b:.2f} ms | {b / a:.3f} |")
        return 0
    print(f"| page ({database}, demo data) | CPU per request, median | of it: templates |")
    print("|---|---:|---:|")
    for name, cpu, render in measure(args.user, args.repeat):
        print(f"| {name} | {cpu:.1f} ms | {render:.1f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
