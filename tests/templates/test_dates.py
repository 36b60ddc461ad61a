"""The page date formats (|ymd_hm |ymd |md_hm |md, filters of the Jinja2 environment pages
render with) print what Django's date filter prints, in the local time zone, and nothing for
an empty or odd value."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template, engines
from django.utils import timezone

FORMATS = {"ymd_hm": "Y-m-d H:i", "ymd": "Y-m-d", "md_hm": "m-d H:i", "md": "m-d"}
# 17:30 UTC on 22 November is 01:30 on the 23rd in Shanghai: the local day must win.
LATE_UTC = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)


def render(source: str, value) -> str:
    """A page's template (Jinja2)."""
    return engines["jinja2"].from_string(source).render({"v": value})


def django_date(value, fmt: str) -> str:
    return Template('{{ v|date:"' + fmt + '" }}').render(Context({"v": value}))


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("value", [LATE_UTC, datetime(2026, 2, 28, 23, 59, tzinfo=UTC)])
def test_same_as_the_date_filter_in_local_time(name, value):
    with timezone.override("Asia/Shanghai"):
        ours = render("{{ v|" + name + " }}", value)
        django = django_date(value, FORMATS[name])
    assert ours == django


def test_the_local_day_not_the_utc_one():
    with timezone.override("Asia/Shanghai"):
        assert render("{{ v|ymd_hm }}", LATE_UTC) == "2026-11-23 01:30"


def test_dates_and_empty_values():
    assert render("{{ v|ymd }}", date(2026, 3, 1)) == "2026-03-01"
    assert render("{{ v|md }}", date(2026, 3, 1)) == "03-01"
    for empty in (None, "", "2026-03-01", 42):
        assert render('{{ v|ymd_hm or "—" }}', empty) == "—"
