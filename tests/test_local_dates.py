"""The page date formats (|ymd_hm |ymd |md_hm |md) print what Django's date filter prints,
in the local time zone, and nothing for an empty or odd value."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

FORMATS = {"ymd_hm": "Y-m-d H:i", "ymd": "Y-m-d", "md_hm": "m-d H:i", "md": "m-d"}
# 17:30 UTC on 22 November is 01:30 on the 23rd in Shanghai: the local day must win.
LATE_UTC = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)


def render(source: str, value) -> str:
    return Template(source).render(Context({"v": value}))


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("value", [LATE_UTC, datetime(2026, 2, 28, 23, 59, tzinfo=UTC)])
def test_same_as_the_date_filter_in_local_time(name, value):
    with timezone.override("Asia/Shanghai"):
        ours = render("{{ v|" + name + " }}", value)
        django = render('{{ v|date:"' + FORMATS[name] + '" }}', value)
    assert ours == django


def test_the_local_day_not_the_utc_one():
    with timezone.override("Asia/Shanghai"):
        assert render("{{ v|ymd_hm }}", LATE_UTC) == "2026-11-23 01:30"


def test_dates_and_empty_values():
    assert render("{{ v|ymd }}", date(2026, 3, 1)) == "2026-03-01"
    assert render("{{ v|md }}", date(2026, 3, 1)) == "03-01"
    for empty in (None, "", "2026-03-01", 42):
        assert render('{{ v|ymd_hm|default:"—" }}', empty) == "—"
