"""Milestone tasks over a deal's whole life (docs/domain.md#milestone-tasks; the issue's
"Done when": a frozen-clock test over 3 years). One deal per trade is walked through every
stage of its table on chosen days while the clock runs day by day for more than three years;
the tick (`tasks_create_due`) runs at both ends of each local day. Every task of the trade's
plan must appear exactly once, dated from its anchor, on its day (the day it comes within
`tasks_ahead_days`, or the day its anchor is set when that is later), and stay as created;
every tick after the first of a day creates nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest

from anchang.dates import local_date
from anchang.deals import rules, selectors, services
from anchang.deals.models import Deal, MilestoneTask, StageChange, Unit
from anchang.deals.services.milestones import LOOKBACK
from anchang.org.models import Project
from anchang.org.selectors import project_rules
from tests.deals.helpers import Office, building, office, subscribe, vehicle

TZ = ZoneInfo("Asia/Shanghai")  # the projects' default zone
START = date(2027, 1, 4)  # day 0: after the real today, so nothing is dated before the run
DAYS = 1160  # three years and two months: the last task is 35 months after a handover
# 00:05 in Shanghai is 16:05 UTC of the day before and 23:55 is 15:55 UTC of the same day: the
# tick must take the project's local day at both ends of it
TICK_EARLY, TICK_LATE = time(0, 5), time(23, 55)
MOVES_AT = time(7, 30)  # 23:30 UTC of the day before: a stage's day is the local one
GAP = 30  # the sparse tick of the gap test runs every GAP days


@dataclass(frozen=True)
class Life:
    code: str  # the World's project of the trade
    method: str  # payment method
    due: int  # the due signing (delivery, contract) date, in days after the subscription
    moves: tuple[tuple[int, str], ...]  # (day, the stage entered that day), day 0 subscribes


LIVES = {
    # with a mortgage, so the loan stage is walked; handover on 31 Mar 2027: the 11-month
    # visit falls on 29 Feb 2028 (no 31 Feb), the 23- and 35-month ones on 28 Feb
    "real_estate": Life(
        "p1",
        "mortgage",
        due=30,
        moves=((30, "signing"), (45, "filing"), (70, "loan"), (86, "handover")),
    ),
    # delivered on 31 Jan 2027: the first-service reminder falls on 30 Jun (no 31 Jun)
    "dealership": Life("p3", "full", due=27, moves=((27, "delivery"), (190, "first_service"))),
    # completed on 30 Nov 2027: the 3-month warranty visit falls on 29 Feb 2028
    "home_improvement": Life(
        "p2",
        "full",
        due=40,
        moves=(
            (3, "measuring"),
            (10, "design_fee"),
            (24, "quote"),
            (40, "contract"),
            (55, "started"),
            (330, "completed"),
        ),
    ),
}


class Clock:
    """Stands for django.utils.timezone.now, which the services, anchang.dates and the
    models' defaults all read through the module."""

    def __init__(self) -> None:
        self.at = self.set(0, time.min)

    def __call__(self) -> datetime:
        return self.at

    def set(self, day: int, at: time) -> datetime:
        self.at = datetime.combine(START + timedelta(days=day), at, TZ).astimezone(UTC)
        return self.at


@dataclass
class Run:
    o: Office
    deal: Deal
    first_seen: dict[str, int]  # plan item -> the first day its task existed


def _open(world, trade: str, life: Life) -> tuple[Office, Deal]:
    o = office(world, life.code)
    unit: Unit | None = None
    if trade == "real_estate":
        unit = Unit.objects.filter(building=building(o)).order_by("id").first()
    elif trade == "dealership":
        unit = vehicle(o)
    deal = subscribe(world, o, unit, method=life.method, due_on=START + timedelta(days=life.due))
    return o, deal


class Tasks:
    """The deal's tasks as days go by: a task, once there, keeps its row and its date."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[int, date]] = {}
        self.first_seen: dict[str, int] = {}

    def note(self, deal: Deal | None, day: int) -> int:
        """Records the tasks new since the last look; returns how many."""
        if deal is None:
            return 0
        rows = MilestoneTask.objects.filter(deal=deal).values_list("key", "pk", "due_on")
        now = {key: (pk, due) for key, pk, due in rows}
        for key, was in self.seen.items():
            assert now.get(key) == was, f"day {day}: {key} was {was}, is {now.get(key)}"
        new = now.keys() - self.seen.keys()
        for key in new:
            self.first_seen[key] = day
        self.seen = now
        return len(new)


def _live(world, trade: str, tick_days: range, *, alone: bool = False) -> Run:
    """The deal's life, day by day for DAYS days: the tick at 00:05 on `tick_days`, then the
    day's stage move at 07:30 (day 0: the subscription), then the tick again at 23:55.
    `alone`: the World's other projects are closed, so the tick reads the deal's project
    only (it asks once per plan item of every active project: the two without a deal would
    triple the run's time and find nothing)."""
    life = LIVES[trade]
    if alone:
        Project.objects.exclude(code=life.code).update(is_active=False)
    moves = dict(life.moves)
    clock = Clock()
    tasks = Tasks()
    o: Office | None = None
    deal: Deal | None = None
    with patch("django.utils.timezone.now", clock):
        for day in range(DAYS):
            today = START + timedelta(days=day)
            ticks = day in tick_days
            if ticks:
                created = services.tasks_create_due(clock.set(day, TICK_EARLY))
                assert created == tasks.note(deal, day), f"day {day}: the tick's count"
            if day == 0 or day in moves:
                clock.set(day, MOVES_AT)
                if deal is None:
                    o, deal = _open(world, trade, life)
                else:
                    deal = services.deal_move(
                        actor=o.consultant, deal=deal, to=moves[day], now=clock()
                    )
                tasks.note(deal, day)
                if ticks:
                    # the service made every task of the anchor the tick would make today
                    assert services.tasks_create_due(clock()) == 0, f"day {day}: after the move"
            if ticks:
                assert services.tasks_create_due(clock.set(day, TICK_LATE)) == 0, f"day {day}"
                assert tasks.note(deal, day) == 0
            _my_day_shows(o, tasks, today, day)
    return Run(o, deal, tasks.first_seen)


def _my_day_shows(o: Office | None, tasks: Tasks, today: date, day: int) -> None:
    """A task is on its consultant's My day on its due date, not the day before."""
    due_today = {pk for pk, due in tasks.seen.values() if due == today}
    due_tomorrow = {pk for pk, due in tasks.seen.values() if due == today + timedelta(days=1)}
    if not due_today | due_tomorrow:
        return
    listed = {t.pk for t in selectors.my_day_tasks(o.consultant, today)["milestone_tasks"]}
    assert due_today <= listed, f"day {day}: due today and not on My day"
    assert not due_tomorrow & listed, f"day {day}: due tomorrow and on My day already"


def _entered(deal: Deal) -> dict[str, date]:
    return {
        c.stage: local_date(TZ, c.at)
        for c in StageChange.objects.filter(deal=deal, kind=StageChange.Kind.ENTERED)
    }


def _check(run: Run, trade: str, tick_days: range) -> dict[str, int]:
    """Every plan item has its one task, dated from its anchor, first seen on its day.
    Returns the expected first days of the tasks that exist."""
    life = LIVES[trade]
    table = rules.stage_table(trade)
    ahead = project_rules(run.deal.project).deals.tasks_ahead_days
    entered = _entered(run.deal)
    # the walk is whole: every stage of the table entered, each on its planned day
    planned = {table.stages[0]: 0, **{stage: day for day, stage in life.moves}}
    assert set(planned) == set(table.stages)
    assert entered == {s: START + timedelta(days=d) for s, d in planned.items()}
    tasks = {t.key: t for t in MilestoneTask.objects.filter(deal=run.deal)}
    expected: dict[str, int] = {}
    for item in rules.MILESTONE_PLANS[trade]:
        anchor_day = run.deal.due_on if item.anchor == "due" else entered[item.anchor]
        due = rules.milestone_due(item, anchor_day, {})
        due_day = (due - START).days
        assert due_day < DAYS, f"{item.key} falls due after the run"
        first = _first_day(item, planned, due_day, life, tick_days, ahead)
        if first is None:
            assert item.key not in tasks, f"{item.key}: a signing reminder after the signing"
            continue
        expected[item.key] = first
        assert item.key in tasks, f"{item.key}: never created"
        assert tasks[item.key].due_on == due, item.key
        assert run.first_seen[item.key] == first, (item.key, due)
        assert local_date(TZ, tasks[item.key].created_at) == START + timedelta(days=first)
    assert len(tasks) == len(expected)
    return expected


def _first_day(
    item: rules.PlanItem, planned: dict[str, int], due_day: int, life: Life, tick_days: range,
    ahead: int,
) -> int | None:  # fmt: skip
    """The day a task should first exist: its anchor's day when it falls due within the
    horizon then (the service that sets the anchor makes it), else the first tick whose
    horizon reaches it. A reminder before the signing (anchor "due") is not made once the
    deal is signed; a tick on the signing day runs before the move."""
    known = 0 if item.anchor == "due" else planned[item.anchor]
    comes_in = due_day - ahead
    if comes_in <= known:
        return known
    tick = next((d for d in tick_days if d >= comes_in), None)
    if item.anchor == "due" and (tick is None or tick > life.due):
        return None
    return tick


@pytest.mark.slow  # ~30 s a trade: 1,160 days of ticks
@pytest.mark.parametrize("trade", list(LIVES))
def test_every_milestone_task_appears_once_on_its_day_over_three_years(world, trade):
    every_day = range(DAYS)
    run = _live(world, trade, every_day, alone=True)
    expected = _check(run, trade, every_day)
    plan = rules.MILESTONE_PLANS[trade]
    assert set(expected) == {item.key for item in plan}  # nothing left out
    ahead = project_rules(run.deal.project).deals.tasks_ahead_days
    for task in MilestoneTask.objects.filter(deal=run.deal):
        first = START + timedelta(days=run.first_seen[task.key])
        # on My day by its due date, and not more than the horizon before it
        assert task.due_on - timedelta(days=ahead) <= first <= task.due_on, task.key


@pytest.mark.parametrize("trade", list(LIVES))
def test_a_tick_that_runs_every_30_days_still_creates_every_task_come_due_in_the_gap(world, trade):
    """The tick misses 29 days out of 30 (well within LOOKBACK): each task is made by the
    first tick after it came within the horizon, overdue if it fell due in the gap, once.
    Every project stays open: the tick's count is this deal's new tasks, none elsewhere."""
    assert LOOKBACK.days > GAP
    sparse = range(0, DAYS, GAP)
    run = _live(world, trade, sparse)
    expected = _check(run, trade, sparse)
    due = dict(MilestoneTask.objects.filter(deal=run.deal).values_list("key", "due_on"))
    late = [key for key, day in expected.items() if START + timedelta(days=day) > due[key]]
    assert late  # the gap was felt: some tasks fell due in it and were made overdue
