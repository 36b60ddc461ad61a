"""Opening day (开盘, issue 16): the real server on loopback; 50 consultants keep the
sales-control board open, polling it every 3 s, while 200 subscriptions land in 10 minutes,
many of them on the same hot units at once.

    python scripts/opening.py [--minutes 10] [--consultants 50] [--subscriptions 200] [--json]
    python scripts/throwaway_postgres.py -- python scripts/opening.py --postgres

1. A fresh data directory (and, with --postgres, the database in DATABASE_URL) with the demo,
   two more buildings released for the opening (240 units: the subscriptions must be able to
   land), and the consultants: each with an API token and a few customers of their own.
2. `anchang serve --workers 2` (gunicorn) on a free port.
3. Each consultant polls GET /api/v1/board/ every 3 s (the building they sell). At the
   opening bell all of them subscribe at once, then the rest of the subscriptions follow
   evenly: each to a unit their last board showed available, among the few best (high
   floors), so collisions are the point. A 409
   (unit_taken) is a clear answer, and the consultant tries another unit; anything else
   that is not 201 is an error.
4. Afterwards the database is asked: units with two active deals, units sold but not by
   their deal.

Gates: 0 errors (board and subscriptions), the subscriptions all landed, 0 double-sold
units. The board's p95 is reported. Exit 1 if a gate fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drill_kill9 import start_server, wait_until_up  # noqa: E402 - a sibling script

BIN = Path(sys.executable).parent

SETUP = """
import json, sys
import django
django.setup()
from anchang.customers.services import customer_create
from anchang.deals import services
from anchang.org.models import Membership, Project, Role
from anchang.org.services import membership_grant, staff_create, token_create
consultants = int(sys.argv[1])
project = Project.objects.get(kind="real_estate")
manager = Membership.objects.filter(project=project, role=Role.MANAGER).first().user
# 240 units released for the opening: more than the 200 subscriptions, so every one can land
buildings = [
    services.building_create(actor=manager, project=project, name=name, floors=30,
                             units_per_floor=4, price_per_m2="23000", gross_area="118.5")
    for name in ("8", "9")
]
out = []
for i in range(consultants):
    user = staff_create(username=f"open{i:02d}", name=f"开盘顾问{i:02d}", password="x" * 20)
    membership_grant(user=user, role=Role.CONSULTANT, company=project.region.company,
                     project=project)
    customers = [
        customer_create(actor=user, project=project, name=f"开盘客户{i:02d}{j}",
                        phone=f"1367{i:03d}{j:04d}", owner=user).pk
        for j in range(8)
    ]
    _t, secret = token_create(actor=user, name="opening")
    out.append({"token": secret, "customers": customers, "building": buildings[i % 2].pk})
print(json.dumps({"project": project.pk, "accounts": out}))
"""

CHECK = """
import json
import django
django.setup()
from django.db.models import Count
from anchang.deals.models import Deal, Unit
doubled = (Deal.objects.filter(is_active=True, unit__isnull=False).values("unit_id")
           .annotate(n=Count("id")).filter(n__gt=1).count())
orphans = Unit.objects.filter(status__in=("subscribed", "signed", "sold")).exclude(
    deals__is_active=True).count()
print(json.dumps({"double_sold": doubled, "sold_without_deal": orphans,
                  "deals": Deal.objects.filter(created_by__username__startswith="open").count()}))
"""


def _call(base: str, token: str, path: str, body: dict | None = None) -> tuple[int, dict, float]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - our own server, on loopback
        base + path, data=data, method="POST" if body is not None else "GET",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, payload = response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        status, payload = error.code, json.loads(error.read() or b"{}")
    except (OSError, ValueError):
        status, payload = 0, {}
    return status, payload, (time.perf_counter() - started) * 1000


def _p(values: list[float], q: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))])


def opening(base: str, setup: dict, *, minutes: float, target: int, seed: int = 2026) -> dict:
    rng = random.Random(seed)  # noqa: S311 - who picks which unit, not a secret
    accounts = setup["accounts"]
    project = setup["project"]
    stop = threading.Event()
    lock = threading.Lock()
    board_ms: list[float] = []
    board_errors: list[int] = []
    subscribed: list[int] = []
    taken = [0]
    errors: list[tuple[int, dict]] = []
    boards: dict[int, list[dict]] = {}
    window = minutes * 60
    started = time.monotonic()
    # The opening bell: every consultant's first subscription within the first seconds, on
    # the same few hot units; the rest spread evenly over the window.
    rush = min(len(accounts), target)
    slots = [started + 5 + rng.uniform(0, 2) for _ in range(rush)] + [
        started + 10 + (window - 10) * k / max(target - rush, 1) for k in range(target - rush)
    ]

    def poll(account: dict) -> None:
        path = f"/api/v1/board/?project={project}&building={account['building']}"
        time.sleep(rng.uniform(0, 3))
        while not stop.is_set():
            status, payload, ms = _call(base, account["token"], path)
            with lock:
                board_ms.append(ms)
                if status != 200:
                    board_errors.append(status)
                else:
                    boards[id(account)] = payload.get("units", [])
            stop.wait(3)

    def sell(number: int, account: dict) -> None:
        mine = [k for k in range(target) if k % len(accounts) == number]
        customers = list(account["customers"])
        for k in mine:
            time.sleep(max(0.0, slots[k] - time.monotonic()))
            # Until it lands: after a 409 the consultant picks another unit of the board they
            # see; when every unit there is taken, they wait for the next poll. Bounded by the
            # window and a minute's grace.
            while time.monotonic() < started + window + 60 and customers:
                units = [u for u in boards.get(id(account), []) if u["status"] == "available"]
                if not units:
                    time.sleep(1)
                    continue
                hot = sorted(units, key=lambda u: (-(u["floor"] or 0), u["id"]))[:4]
                unit = rng.choice(hot)
                body = {"customer": customers[-1], "unit": unit["id"], "payment_method": "full",
                        "deal_price": "2725500", "deposit": "50000"}  # fmt: skip
                status, payload, _ms = _call(base, account["token"], "/api/v1/deals/", body)
                with lock:
                    if status == 201:
                        subscribed.append(payload["id"])
                        customers.pop()
                        break
                    if status == 409 and payload.get("code") == "unit_taken":
                        taken[0] += 1
                        unit["status"] = "taken"  # look again after the next poll
                        continue
                    errors.append((status, payload))
                    break

    pollers = [threading.Thread(target=poll, args=(a,), daemon=True) for a in accounts]
    sellers = [threading.Thread(target=sell, args=(n, a)) for n, a in enumerate(accounts)]
    for thread in pollers + sellers:
        thread.start()
    for thread in sellers:
        thread.join()
    # the board stays open to the end of the window
    time.sleep(max(0.0, started + window - time.monotonic()))
    stop.set()
    for thread in pollers:
        thread.join(timeout=35)
    return {
        "minutes": minutes, "consultants": len(accounts), "subscriptions": len(subscribed),
        "target": target, "unit_taken_answers": taken[0], "errors": len(errors),
        "error_samples": errors[:5], "board_polls": len(board_ms),
        "board_errors": len(board_errors), "board_p50": _p(board_ms, 0.5),
        "board_p95": _p(board_ms, 0.95), "board_p99": _p(board_ms, 0.99),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--consultants", type=int, default=50)
    parser.add_argument("--subscriptions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.postgres and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("--postgres needs DATABASE_URL (run under scripts/throwaway_postgres.py)")
    data_dir = Path(tempfile.mkdtemp(prefix="anchang-opening-"))
    env = {k: v for k, v in os.environ.items() if args.postgres or k != "DATABASE_URL"}
    env.update(ANCHANG_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="anchang.settings")
    subprocess.run([str(BIN / "anchang"), "migrate", "--no-input", "-v0"], env=env, check=True)
    subprocess.run([str(BIN / "anchang"), "demo", "-v0"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    out = subprocess.run([sys.executable, "-c", SETUP, str(args.consultants)], env=env,
                         check=True, capture_output=True, text=True)  # fmt: skip
    setup = json.loads(out.stdout.strip().splitlines()[-1])
    base, server = start_server(env, args.workers)
    try:
        wait_until_up(base, server)
        result = opening(base, setup, minutes=args.minutes, target=args.subscriptions)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    check = subprocess.run([sys.executable, "-c", CHECK], env=env, check=True,
                           capture_output=True, text=True)  # fmt: skip
    result.update(json.loads(check.stdout.strip().splitlines()[-1]))
    result["database"] = "postgres" if args.postgres else "sqlite"
    result["passed"] = (
        result["errors"] == 0 and result["board_errors"] == 0
        and result["subscriptions"] == args.subscriptions
        and result["double_sold"] == 0 and result["sold_without_deal"] == 0
    )  # fmt: skip
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(
            f"opening ({result['database']}): {result['consultants']} consultants polling the "
            f"board every 3 s for {args.minutes:g} min; {result['subscriptions']} of "
            f"{args.subscriptions} subscriptions landed, {result['unit_taken_answers']} clear "
            f"409s, {result['errors']} errors; {result['double_sold']} units double-sold; "
            f"board: {result['board_polls']} polls, {result['board_errors']} errors, p50 "
            f"{result['board_p50']} ms, p95 {result['board_p95']} ms, p99 {result['board_p99']} ms"
        )
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
