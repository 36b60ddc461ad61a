"""Copy-paste, bursts and filler as pure functions (docs/domain.md#suspicious-records).

No database: plain records in, flags with reasons out.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from anchang.followups.rules import SuspicionRules
from anchang.followups.suspicion.rules import (
    FILLER,
    NEAR_DUPLICATE,
    Record,
    bursts,
    filler_reasons,
    find_flags,
    near_duplicates,
    normalize,
    similarity,
)
from anchang.org.rules import ProjectRules
from tests.followups.suspicion.helpers import (
    FILLER_TEXT,
    GENUINE,
    OTHER_GENUINE,
    PASTED,
    THIRD_GENUINE,
)

RULES = SuspicionRules()
T0 = datetime(2025, 5, 6, 1, 0, tzinfo=UTC)

# Real-looking follow-ups (跟进记录) of one consultant.

_ids = itertools.count(1)


def rec(
    content: str,
    *,
    customer: int,
    author: int = 1,
    kind: str = "phone",
    reached: bool = True,
    entered: int = 0,  # minutes after T0
    occurred: int | None = None,  # minutes after T0; defaults to `entered`
    pk: int | None = None,
) -> Record:
    entered_at = T0 + timedelta(minutes=entered)
    occurred_at = T0 + timedelta(minutes=entered if occurred is None else occurred)
    return Record(
        pk or next(_ids), customer, author, kind, reached, content, occurred_at, entered_at
    )


def spread(*records: Record) -> list[Record]:
    """The same records entered an hour apart each, so bursts stay out of the picture."""
    return [
        Record(r.id, r.customer_id, r.author_id, r.kind, r.reached, r.content,
               T0 + timedelta(hours=i), T0 + timedelta(hours=i))
        for i, r in enumerate(records)
    ]  # fmt: skip


def english(function, *args):
    with translation.override("en"):
        return function(*args)


# ------------------------------------------------------------------ explicit examples


class TestChineseExamples:
    def test_a_pasted_text_with_a_name_changed_is_flagged_with_its_pair(self):
        genuine = rec(GENUINE, customer=10, pk=811)
        pasted = rec(PASTED, customer=11, pk=812)
        other = rec(OTHER_GENUINE, customer=12, pk=813)
        flags = english(find_flags, spread(genuine, pasted, other), RULES)
        assert [f.kind for f in flags] == [NEAR_DUPLICATE]
        flag = flags[0]
        assert flag.record_ids == (811, 812)
        assert [(m.record_id, m.other_id) for m in flag.matches] == [(811, 812)]
        percent = flag.matches[0].percent
        assert 85 <= percent < 100
        assert flag.reason == (
            f"Record #811 is {percent}% the same text as record #812, written for another customer."
        )

    def test_reason_is_chinese_by_default(self):
        flags = find_flags(spread(rec(GENUINE, customer=1), rec(PASTED, customer=2)), RULES)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in flags[0].reason)

    def test_genuine_records_raise_nothing(self):
        records = spread(
            rec(GENUINE, customer=1), rec(OTHER_GENUINE, customer=2),
            rec(THIRD_GENUINE, customer=3),
        )  # fmt: skip
        assert find_flags(records, RULES) == []

    def test_filler_is_flagged_and_says_why(self):
        flags = english(find_flags, spread(rec(FILLER_TEXT, customer=1)), RULES)
        assert [f.kind for f in flags] == [FILLER]
        assert "Only stock phrases: 客户考虑中、再联系." in flags[0].reason
        assert "“。” is repeated 24 times in a row" in flags[0].reason

    @pytest.mark.parametrize(
        ("content", "says"),
        [
            ("无", "Only stock phrases: 无."),
            ("已联系！", "Only stock phrases: 已联系."),
            ("客户说还在考虑吧", "Only stock phrases: 还在考虑."),
            ("好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好", "repeated 30 times"),
            ("考虑中考虑中考虑中考虑中考虑中考虑中考虑中考虑中考虑中考虑中", "Only stock phrases"),
            (
                "价格 价格 价格 价格 价格 价格 价格 价格 价格 价格 价格 价格",
                "Only 2 different characters in 24.",
            ),
            ("1234567890，。！？……——123456789012345", "Mostly punctuation, digits or symbols"),
            ("   ", "There is no content."),
        ],
    )
    def test_kinds_of_filler(self, content, says):
        assert says in " ".join(english(filler_reasons, content, RULES))

    @pytest.mark.parametrize(
        "content",
        [
            GENUINE,
            OTHER_GENUINE,
            "客户嫌价格高……说再考虑一下，约了周六带爱人来看样板间，重点看南向的两房。",
            "预算总价1000000左右，首付三成，问了公积金贷款额度，下周来算一下月供。",
            "好的，周六上午十点来",  # a WeChat reply with a time in it says something
        ],
    )
    def test_real_content_is_not_filler(self, content):
        assert filler_reasons(content, RULES) == []

    def test_an_unanswered_call_may_say_only_that(self):
        records = spread(rec("未接通", customer=1, reached=False))
        assert find_flags(records, RULES) == []

    def test_office_sms_templates_are_not_copy_paste(self):
        # The office texts one invitation to everyone; each SMS record holds it verbatim.
        template = (
            "【云栖府】尊敬的客户您好，本周六下午两点样板间开放暨暖场活动，"
            "欢迎携家人莅临，回T退订。"
        )
        records = spread(*(rec(template, customer=c, kind="sms") for c in range(1, 6)))
        assert near_duplicates(records, RULES) == []
        assert find_flags(records, RULES) == []

    def test_punctuation_and_width_do_not_hide_a_copy(self):
        disguised = GENUINE.replace("，", " ").replace("。", "!").replace("128", "１２８")
        assert normalize(disguised) == normalize(GENUINE)
        assert similarity(disguised, GENUINE) == 1.0
        flags = near_duplicates(spread(rec(GENUINE, customer=1), rec(disguised, customer=2)), RULES)
        assert flags and flags[0].matches[0].percent == 100

    def test_the_same_customer_twice_is_not_copy_paste(self):
        records = spread(rec(GENUINE, customer=1), rec(GENUINE, customer=1))
        assert near_duplicates(records, RULES) == []

    def test_short_texts_are_left_to_the_filler_check(self):
        records = spread(rec("周六来看房", customer=1), rec("周六来看房", customer=2))
        assert near_duplicates(records, RULES) == []

    def test_the_project_threshold_decides(self):
        records = spread(rec(GENUINE, customer=1), rec(PASTED, customer=2))
        percent = near_duplicates(records, RULES)[0].matches[0].percent
        assert near_duplicates(records, SuspicionRules(similarity_percent=percent)) != []
        assert near_duplicates(records, SuspicionRules(similarity_percent=percent + 1)) == []

    def test_one_text_on_many_customers_is_one_flag(self):
        records = spread(*(rec(GENUINE.replace("王", n), customer=i)
                           for i, n in enumerate("王李张刘陈杨", start=1)))  # fmt: skip
        flags = english(near_duplicates, records, RULES)
        assert len(flags) == 1 and len(flags[0].record_ids) == 6
        assert flags[0].reason.startswith("6 records on 6 customers have nearly the same text")


class TestBursts:
    def test_seven_records_in_six_minutes(self):
        records = [
            rec(f"{GENUINE}第{i}次", customer=100 + i, entered=i, occurred=i * 90) for i in range(7)
        ]
        flags = english(bursts, records, RULES)
        assert len(flags) == 1
        assert flags[0].record_ids == tuple(sorted(r.id for r in records))
        assert flags[0].reason == (
            "7 records entered within 6 minutes; the contacts are dated over 9 hours."
        )

    def test_contacts_dated_minutes_apart_are_said_so(self):
        records = [rec(OTHER_GENUINE, customer=i, entered=i * 2) for i in range(5)]
        (flag,) = english(bursts, records, RULES)
        assert flag.reason == (
            "5 records entered within 8 minutes; the contacts are dated within 8 minutes of "
            "each other."
        )

    def test_one_short_of_the_count_is_no_burst(self):
        records = [rec(OTHER_GENUINE, customer=i, entered=i) for i in range(4)]
        assert bursts(records, RULES) == []

    def test_the_same_pace_over_a_morning_is_no_burst(self):
        records = [rec(OTHER_GENUINE, customer=i, entered=i * 3) for i in range(20)]
        assert bursts(records, RULES) == []

    def test_unanswered_calls_and_sms_do_not_count(self):
        records = [rec("未接通", customer=i, entered=i, reached=False) for i in range(6)]
        records += [rec("活动邀约短信", customer=i, entered=i, kind="sms") for i in range(6)]
        assert bursts(records, RULES) == []

    def test_two_authors_side_by_side_are_no_burst(self):
        records = [rec(OTHER_GENUINE, customer=i, author=1 + i % 2, entered=i) for i in range(8)]
        assert bursts(records, RULES) == []

    def test_two_separate_bursts_are_two_flags(self):
        records = [rec(OTHER_GENUINE, customer=i, entered=i) for i in range(5)]
        records += [rec(OTHER_GENUINE, customer=i, entered=120 + i) for i in range(5)]
        assert len(bursts(records, RULES)) == 2


class TestRules:
    def test_defaults(self):
        r = ProjectRules().suspicion
        assert (r.similarity_percent, r.burst_count, r.burst_minutes) == (85, 5, 10)

    @pytest.mark.parametrize(
        "overrides",
        [
            {"similarity_percent": 101},
            {"similarity_percent": 10},
            {"burst_count": 1},
            {"burst_minutes": 0},
            {"filler_min_distinct_percent": -1},
            {"unknown": 1},
        ],
    )
    def test_out_of_bounds_is_refused(self, overrides):
        with pytest.raises(ValidationError):
            ProjectRules.from_overrides({"suspicion": overrides})


# ------------------------------------------------------------------------ properties

# Texts built from a few phrases, so random records often nearly repeat one another.
PHRASES = ("王先生", "李女士", "来电问价", "三居室", "首付比例", "周六看房", "学区", "车位",
           "团购优惠", "下周答复", "已约到访", "嫌总价高")  # fmt: skip
texts = st.lists(st.sampled_from(PHRASES), min_size=3, max_size=9).map("，".join)
records_strategy = st.lists(
    st.tuples(
        st.integers(1, 6),  # customer
        st.integers(1, 3),  # author
        st.sampled_from(["phone", "visit", "wechat", "sms"]),
        st.booleans() | st.just(True),
        texts | st.sampled_from([GENUINE, PASTED, OTHER_GENUINE, FILLER_TEXT]),
        st.integers(0, 180),  # entered, minutes
        st.integers(0, 600),  # occurred, minutes
    ),
    max_size=25,
).map(
    lambda rows: [
        Record(i, c, a, k, reached, text, T0 + timedelta(minutes=o), T0 + timedelta(minutes=e))
        for i, (c, a, k, reached, text, e, o) in enumerate(rows, start=1)
    ]
)


def _eligible(r: Record) -> bool:
    return r.reached and r.kind != "sms" and len(normalize(r.content)) >= RULES.duplicate_min_chars


@given(records_strategy)
def test_duplicates_pair_different_customers_of_one_author_never_a_record_with_itself(records):
    by_id = {r.id: r for r in records}
    for flag in near_duplicates(records, RULES):
        assert len(set(flag.record_ids)) == len(flag.record_ids) >= 2
        assert {by_id[i].author_id for i in flag.record_ids} == {flag.author_id}
        for match in flag.matches:
            a, b = by_id[match.record_id], by_id[match.other_id]
            assert a.id != b.id and a.customer_id != b.customer_id
            assert match.similarity * 100 >= RULES.similarity_percent - 1e-9
            assert abs(similarity(a.content, b.content) - match.similarity) < 1e-9


@given(records_strategy, st.integers(50, 100))
def test_duplicate_groups_are_exactly_the_pairs_a_full_comparison_finds(records, percent):
    """The prefix filter only skips work: compare every pair by brute force and get the
    same groups, whatever the project's threshold."""
    rules = SuspicionRules(similarity_percent=percent)
    eligible = [r for r in records if _eligible(r)]
    parent = {r.id: r.id for r in eligible}

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in itertools.combinations(eligible, 2):
        alike = 100 * similarity(a.content, b.content) >= percent - 1e-9
        if alike and a.author_id == b.author_id and a.customer_id != b.customer_id:
            parent[find(a.id)] = find(b.id)
    groups = {}
    for r in eligible:
        groups.setdefault(find(r.id), []).append(r.id)
    expected = sorted(tuple(sorted(g)) for g in groups.values() if len(g) > 1)
    assert sorted(f.record_ids for f in near_duplicates(records, rules)) == expected


@given(records_strategy, st.integers(1, 6), st.integers(1, 6), st.integers(1, 3))
def test_identical_content_on_two_customers_by_one_author_is_always_flagged(
    records, c1, c2, author
):
    if c1 == c2:
        c2 = c1 % 6 + 1
    base = len(records) + 1
    a = Record(base, c1, author, "phone", True, OTHER_GENUINE, T0, T0)
    b = Record(base + 1, c2, author, "visit", True, OTHER_GENUINE, T0, T0 + timedelta(days=1))
    flags = near_duplicates([*records, a, b], RULES)
    assert any({a.id, b.id} <= set(f.record_ids) for f in flags)


@given(records_strategy)
def test_different_authors_never_pair(records):
    # Give every record its own author: nothing can be anyone's copy-paste or burst.
    alone = [
        Record(r.id, r.customer_id, r.id, r.kind, r.reached, r.content, r.occurred_at,
               r.entered_at)
        for r in records
    ]  # fmt: skip
    flags = find_flags(alone, RULES)
    assert all(f.kind == FILLER for f in flags)


@given(records_strategy, st.randoms(use_true_random=False))
def test_flags_are_deterministic_and_order_independent(records, rnd):
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert find_flags(shuffled, RULES) == find_flags(records, RULES)


@given(records_strategy)
def test_every_burst_member_lies_in_a_full_window(records):
    counted = [r for r in records if r.reached and r.kind != "sms"]
    window = timedelta(minutes=RULES.burst_minutes)
    in_full_window = set()
    for author in {r.author_id for r in counted}:
        mine = sorted((r for r in counted if r.author_id == author), key=lambda r: r.entered_at)
        for start in mine:
            members = [r for r in mine if start.entered_at <= r.entered_at <= start.entered_at
                       + window]  # fmt: skip
            if len(members) >= RULES.burst_count:
                in_full_window |= {r.id for r in members}
    flagged = {i for f in bursts(records, RULES) for i in f.record_ids}
    assert flagged == in_full_window


def test_a_consultants_month_is_checked_quickly():
    """700 records of one consultant (a busy month) with 50 pasted ones, well under a
    second on a laptop; the bound here is loose because the machine may be shared."""
    import time

    rnd = random.Random(4)
    alphabet = GENUINE + OTHER_GENUINE + THIRD_GENUINE
    records = [
        rec("".join(rnd.choices(alphabet, k=rnd.randint(30, 160))), customer=i, entered=i * 45)
        for i in range(650)
    ]
    records += [rec(GENUINE.replace("王", chr(0x4E00 + i)), customer=1000 + i,
                    entered=i * 45 + 7) for i in range(50)]  # fmt: skip
    start = time.perf_counter()
    flags = near_duplicates(records, RULES)
    assert time.perf_counter() - start < 5
    assert any(len(f.record_ids) >= 50 for f in flags)
