"""Pure intake rules: completeness, its targets, stages, late entry, search keys."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from anchang.customers import rules
from anchang.customers.search import classify_query, name_keys, prefix_bounds

W = rules.DEFAULT_WEIGHTS
FIELDS = sorted(W)
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)

profiles = st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(["x", 1, None, "", True]))


@given(profiles)
def test_completeness_is_a_percentage_and_names_what_is_missing(profile):
    result = rules.completeness(profile, W)
    assert 0 <= result.percent <= 100
    assert set(result.missing) == {f for f in FIELDS if not rules.is_filled(profile.get(f))}
    weights = [W[f] for f in result.missing]
    assert weights == sorted(weights, reverse=True)  # heaviest first


@given(profiles, st.sampled_from(FIELDS))
def test_filling_a_field_never_lowers_completeness(profile, field):
    before = rules.completeness(profile, W).percent
    after = rules.completeness({**profile, field: "filled"}, W).percent
    assert after >= before


def test_completeness_edges():
    assert rules.completeness({}, W).percent == 0
    assert rules.completeness(dict.fromkeys(FIELDS, "x"), W).percent == 100
    almost = dict.fromkeys(FIELDS, "x") | {"cars": ""}
    assert rules.completeness(almost, W).percent < 100  # floored: never rounded up to 100
    assert rules.is_filled(0) and rules.is_filled(False) and not rules.is_filled("  ")


T = rules.Targets()


def target(state="prospect", visits=0, days=0):
    return rules.completeness_target(
        state=state, visits=visits, registered_at=NOW - timedelta(days=days), now=NOW, targets=T
    )


def test_targets_follow_the_playbook():
    assert target(visits=0) is None  # a caller who never came has no target
    assert target(visits=1) == 30
    assert target(visits=2, days=29) == 30
    assert target(visits=3) == 70
    assert target(visits=1, days=30) == 70
    assert target(visits=0, days=31) == 70  # a month after registration
    assert target(state="owner") == target(state="subscribed") == 100
    assert target(state="lost", visits=5) is None


def test_stages():
    def stage(**kw):
        kw.setdefault("state", "prospect")
        return rules.stage_of(registered_at=NOW - timedelta(days=kw.pop("days", 0)), now=NOW, **kw)

    assert stage(visits=0) == "call_in"
    assert stage(visits=1) == "first_visit"
    assert stage(visits=3) == "repeat_visitor"
    assert stage(visits=1, days=31) == "repeat_visitor"
    assert stage(visits=0, state="owner") == "owner"
    assert stage(visits=2, state="no_intent") == "no_intent"


def late(occurred, entered, end=time(21, 0)):
    return rules.is_late(occurred_at=occurred, entered_at=entered, day_end=end, tz=SH)


def test_same_day_entry_rules():
    ten_am = datetime(2026, 11, 22, 10, 0, tzinfo=SH)
    assert not late(ten_am, ten_am + timedelta(hours=10))  # 20:00 same day
    assert late(ten_am, ten_am + timedelta(hours=11, minutes=1))  # 21:01
    assert late(ten_am, ten_am + timedelta(days=1))
    night_call = datetime(2026, 11, 22, 21, 30, tzinfo=SH)
    assert not late(night_call, night_call + timedelta(minutes=20))  # entered before midnight
    assert late(night_call, night_call + timedelta(hours=3))
    # the project's time zone decides "same day", not UTC
    utc_evening = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert late(datetime(2026, 11, 22, 9, 0, tzinfo=SH), utc_evening)


def test_name_keys():
    assert name_keys("张三") == ("zhangsan", "zs")
    assert name_keys("单田芳") == ("shantianfang", "stf")  # surname reading
    assert name_keys("曾小贤")[0].startswith("zeng")
    assert name_keys("欧阳娜娜") == ("ouyangnana", "oynn")
    assert name_keys("Tom 张") == ("tomzhang", "tz")
    assert name_keys("🏠") == ("", "")


@given(st.text(max_size=12))
def test_prefix_bounds_hold_exactly_the_prefixed_strings(prefix):
    low, high = prefix_bounds(prefix)
    assert low <= prefix + "abc" < high
    assert not (low <= prefix[:-1] < high) or prefix == ""


def test_query_kinds():
    assert classify_query("zs") == ("pinyin", "zs")
    assert classify_query("Zhang San") == ("pinyin", "zhangsan")
    assert classify_query("1234") == ("last4", "1234")
    assert classify_query("138 0013 8000") == ("phone", "13800138000")
    assert classify_query("+86-138-0013-8000")[0] == "phone"
    assert classify_query("张") == ("name", "张")
