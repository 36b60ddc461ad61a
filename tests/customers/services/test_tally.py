"""The customer tally (models.CustomerTally) against the customers it counts.

The oracle is a GROUP BY over the customers: after any mix of writes, through services or
straight UPDATEs of many rows, the tally's sums per key are the customers' counts, before
and after the tick folds them, and the manager's board read from the tally equals the
board counted from the customers."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from anchang.customers.choices import FOLLOWED_STATES, State
from anchang.customers.models import TALLY_NO_OWNER, TALLY_NOT_DUE, Customer, CustomerTally
from anchang.customers.scope import plain_scope
from anchang.customers.selectors import _board_counted, _board_tallied, team_board
from anchang.customers.services import tally as tally_services
from anchang.customers.services.tally import tally_fold, tally_rebuild, tally_triggers_ensure
from anchang.scheduler.services import tick
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _expected() -> Counter:
    counts: Counter = Counter()
    for project, owner, state, due in Customer.objects.values_list(
        "project_id", "owner_id", "state", "next_follow_up_on"
    ):
        on_board = state in FOLLOWED_STATES and due is not None
        counts[(project, owner or TALLY_NO_OWNER, due if on_board else TALLY_NOT_DUE)] += 1
    return counts


def _tallied() -> Counter:
    counts: Counter = Counter()
    for project, owner, due, n in CustomerTally.objects.values_list(
        "project_id", "owner_id", "due_on", "customers"
    ):
        counts[(project, owner, due)] += n
    # keys whose entries cancel out are not counts; a negative sum is a bug and stays
    return Counter({key: n for key, n in counts.items() if n})


def _shuffle(world, rng: random.Random, steps: int) -> None:
    """Random writes through every kind of door: a registration, a customer created, one
    customer saved, an UPDATE of many rows, a delete."""
    projects = [world.p1, world.p2, world.p3]
    today = timezone.localdate()
    for _ in range(steps):
        project = rng.choice(projects)
        people = [*world.consultants[project.code], None]
        roll = rng.random()
        ids = list(Customer.objects.filter(project=project).values_list("pk", flat=True))
        if roll < 0.2 or not ids:
            world.register(world.consultants[project.code][rng.randrange(2)], project)
        elif roll < 0.3:
            world.customer(project, rng.choice(people[:2]), "随机客户")
        elif roll < 0.6:
            customer = Customer.objects.get(pk=rng.choice(ids))
            customer.state = rng.choice(list(State.values))
            customer.next_follow_up_on = rng.choice([None, today + timedelta(rng.randint(-9, 9))])
            customer.save()
        elif roll < 0.9:
            chosen = rng.sample(ids, min(len(ids), rng.randint(1, 5)))
            change = rng.choice(
                [
                    {"owner": rng.choice(people)},
                    {"next_follow_up_on": today + timedelta(rng.randint(-3, 3))},
                    {"state": rng.choice(list(State.values))},
                    {"name": "只改名字"},  # no key column: no entry
                ]
            )
            Customer.objects.filter(pk__in=chosen).update(**change)
        else:
            try:
                with transaction.atomic():
                    Customer.objects.filter(pk=rng.choice(ids)).delete()
            except ProtectedError:
                pass  # registered customers keep their records: a created one goes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tally_counts_what_the_customers_hold_through_every_write(world, seed):
    rng = random.Random(seed)
    _shuffle(world, rng, 120)
    assert _tallied() == _expected()
    entries = CustomerTally.objects.count()
    folded = tally_fold()
    assert _tallied() == _expected()
    assert folded == entries - CustomerTally.objects.count() > 0
    keys = CustomerTally.objects.values_list("project_id", "owner_id", "due_on")
    assert len(set(keys)) == len(keys), "one row per key after folding"
    assert not CustomerTally.objects.filter(customers=0).exists()
    assert tally_fold() == 0  # folding twice changes nothing
    _shuffle(world, rng, 30)  # and entries after a fold add to the folded rows
    assert _tallied() == _expected()


def test_the_board_from_the_tally_is_the_board_counted_from_the_customers(world):
    rng = random.Random(7)
    _shuffle(world, rng, 80)
    manager = world.grant(make_user("tally-manager"), "manager")
    today = timezone.localdate()
    scope = plain_scope(manager, "list")
    ids = [world.p1.pk, world.p2.pk, world.p3.pk]

    def rows(found):
        return sorted((r["project_id"], r["owner_id"], r["total"], r["overdue"] or 0,
                       r["due_today"] or 0) for r in found if r["total"])  # fmt: skip

    assert rows(_board_tallied(scope, ids, today)) == rows(_board_counted(manager, ids, today))
    tally_fold()
    assert rows(_board_tallied(scope, ids, today)) == rows(_board_counted(manager, ids, today))
    board = team_board(manager, [world.p1], today)[world.p1.pk]
    in_p1 = Customer.objects.filter(project=world.p1)
    assert board.total == in_p1.count()
    assert board.unowned == in_p1.filter(owner__isnull=True).count()
    assert sum(o["total"] for o in board.owners) == in_p1.filter(owner__isnull=False).count()


def test_a_consultant_board_counts_only_their_own(world):
    c1, c2 = world.consultants["p1"]
    for owner in (c1, c1, c2):
        world.register(owner)
    board = team_board(c1, [world.p1], timezone.localdate())[world.p1.pk]
    assert [o["owner_id"] for o in board.owners] == [c1.pk] and board.total == 2


def test_triggers_come_back_with_the_tally_recounted(world):
    """SQLite drops a table's triggers when a migration rebuilds the table: post_migrate
    puts them back and recounts what was written meanwhile."""
    world.register(world.consultants["p1"][0])
    assert tally_triggers_ensure() is False  # present and current: nothing to do
    tag = tally_services._tag()
    with connection.cursor() as cursor:
        on = " ON customers_customer" if connection.vendor == "postgresql" else ""
        for kind in ("insert", "update") + (("delete",) if connection.vendor == "sqlite" else ()):
            cursor.execute(f"DROP TRIGGER customers_tally_{tag}_{kind}{on}")
    world.register(world.consultants["p1"][0])  # not counted: no trigger
    assert _tallied() != _expected()
    assert tally_triggers_ensure() is True
    assert _tallied() == _expected()
    world.register(world.consultants["p1"][1])
    assert _tallied() == _expected()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tally_first", [True, False])
def test_a_flush_in_either_table_order_leaves_no_entry(world, monkeypatch, tally_first):
    """Django's flush deletes the tables in set order (each test process its own): the
    customers' delete triggers must not leave -1 entries when the tally went first."""
    for consultant in world.consultants["p1"]:
        world.register(consultant)
    assert _tallied()
    introspection = connection.introspection
    tables = introspection.django_table_names(only_existing=True, include_views=False)
    tally, customers = CustomerTally._meta.db_table, Customer._meta.db_table
    others = [name for name in tables if name not in {tally, customers}]
    order = [tally, *others, customers] if tally_first else [customers, *others, tally]
    monkeypatch.setattr(introspection, "django_table_names", lambda *a, **k: order)
    call_command("flush", interactive=False, verbosity=0)
    assert not Customer.objects.exists()
    assert not CustomerTally.objects.exists()


def test_rebuild_recounts_from_the_customers(world):
    world.register(world.consultants["p1"][0])
    CustomerTally.objects.all().delete()
    tally_rebuild()
    assert _tallied() == _expected() and _expected()


def test_the_tick_folds_the_tally(world):
    for _ in range(3):
        world.register(world.consultants["p1"][0])
    Customer.objects.filter(project=world.p1).update(next_follow_up_on=timezone.localdate())
    entries = CustomerTally.objects.count()
    run = tick()
    assert not run.error and "tally_fold" not in run.changes  # upkeep: not a change to show
    assert CustomerTally.objects.count() < entries and _tallied() == _expected()


@pytest.mark.django_db(transaction=True)
def test_folding_while_consultants_write_loses_no_entry(world):
    """The tick folds while customers change on other connections: an entry committed
    during a fold is neither deleted uncounted nor counted twice."""
    for consultant in world.consultants["p1"] * 6:
        world.register(consultant)
    ids = list(Customer.objects.values_list("pk", flat=True))
    people = [*world.consultants["p1"], None]
    today = timezone.localdate()
    stop, errors = threading.Event(), []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                with transaction.atomic():
                    Customer.objects.filter(pk=rng.choice(ids)).update(
                        owner=rng.choice(people),
                        next_follow_up_on=today + timedelta(rng.randint(-4, 4)),
                    )
                    # committed a moment after its entries took their ids: a fold that
                    # trusted ids to mark what it had summed would delete them unsummed
                    time.sleep(rng.random() / 200)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(seed,)) for seed in (1, 2)]
    for thread in writers:
        thread.start()
    try:
        for _ in range(40):
            tally_fold()
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
    assert not errors
    assert _tallied() == _expected()
    tally_fold()
    assert _tallied() == _expected()
