"""A 500's log lines mask personal data everywhere they are written: the message, the
exception's text and the whole traceback; in anchang.log, the console (the server log)
and gunicorn's own error log."""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from anchang.api.pagination import KeysetPagination
from anchang.gunicorn_conf import MaskingLogger
from anchang.logging_filters import MaskingFormatter, MaskPersonalData, mask_text
from tests.pii_scan import scan_text

MOBILE = "13800138000"
ID_NUMBER = "11010519491231002X"  # GB 11643's example, a valid check character


class LeakyError(Exception):
    """An error whose text carries personal data, as a decoded cursor or a query would."""


def _leak(*args, **kwargs):
    local_phone = MOBILE  # noqa: F841 - a local in the frame, as a traceback could show it
    raise LeakyError(f"cursor decoded to phone={MOBILE} id={ID_NUMBER}")


def _assert_masked(text: str, where: str) -> None:
    assert "LeakyError" in text and "Traceback" in text, f"{where}: no traceback written"
    assert MOBILE not in text and ID_NUMBER not in text, where
    assert scan_text(text) == [], where
    assert "138****8000" in text and "[ID]" in text, where  # masked, not dropped


@pytest.fixture
def console():
    """The console handler (the server log under gunicorn) written into a buffer."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
    ]
    assert handlers, "the root logger has a console handler"
    buffer = io.StringIO()
    previous = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def test_a_500_logs_the_exception_masked(world, monkeypatch, console):
    log = Path(settings.LOG_DIR) / "anchang.log"
    start = log.stat().st_size if log.exists() else 0
    monkeypatch.setattr(KeysetPagination, "paginate_queryset", _leak)
    client = Client(raise_request_exception=False)
    client.force_login(world.consultants["p1"][0])
    assert client.get(reverse("api:customers")).status_code == 500
    for handler in logging.getLogger().handlers:
        handler.flush()
    with log.open("rb") as f:
        f.seek(start)
        _assert_masked(f.read().decode("utf-8"), "anchang.log")
    _assert_masked(console.getvalue(), "console")


def test_every_root_handler_masks_a_record_with_an_exception():
    """Whatever handler is configured, the line it writes is masked (filter or formatter)."""
    try:
        _leak()
    except LeakyError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "failed for %s", (MOBILE,), exc_info
    )
    ours = [h for h in logging.getLogger().handlers if not type(h).__module__.startswith("_pytest")]
    assert len(ours) >= 2  # the console and anchang.log
    for handler in ours:
        copy = logging.makeLogRecord(record.__dict__)
        assert handler.filter(copy)
        _assert_masked(handler.format(copy), type(handler).__name__)


def test_mask_pieces_alone():
    """The filter alone (a handler with its own formatter) and the formatter alone (a
    handler without the filter) each mask the traceback."""
    try:
        _leak()
    except LeakyError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, exc_info)
    assert MaskPersonalData().filter(record)
    _assert_masked(logging.Formatter().format(record), "filter alone")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, exc_info)
    _assert_masked(MaskingFormatter().format(record), "formatter alone")


def test_gunicorn_error_log_is_masked():
    from gunicorn.config import Config

    logger = MaskingLogger(Config())
    buffer = io.StringIO()
    for handler in logger.error_log.handlers:
        handler.setStream(buffer)
    try:
        _leak()
    except LeakyError:
        logger.exception("Error handling request /api/v1/customers/?q=%s", MOBILE)
    _assert_masked(buffer.getvalue(), "gunicorn error log")


def _access_line(logger_class, access_format: str, path: str) -> str:
    """One request's access-log line as a logger of the class writes it."""
    import datetime
    from types import SimpleNamespace

    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", access_format)
    logger = logger_class(config)
    buffer = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(buffer)
    environ = {
        "REMOTE_ADDR": "10.0.0.7", "REQUEST_METHOD": "GET", "PATH_INFO": path,
        "RAW_URI": path + "?q=1", "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": "q=1",
        "HTTP_USER_AGENT": 'Mozilla "5.0"', "HTTP_REFERER": "/", "HTTP_COOKIE": "s=1",
    }  # fmt: skip
    request = SimpleNamespace(headers=[("USER-AGENT", 'Mozilla "5.0"'), ("COOKIE", "s=1")])
    response = SimpleNamespace(status="200 OK", sent=30905, headers=[("Content-Type", "text/html")])
    logger.access(response, request, environ, datetime.timedelta(seconds=1, microseconds=7_400))
    return buffer.getvalue()


@pytest.mark.parametrize("path", ["/customers/4521/", f"/customers/{MOBILE}/", '/a"b/'])
@pytest.mark.parametrize(
    "access_format",
    ['%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',  # anchang serve's: the few atoms
     '%(h)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({cookie}i)s'],  # another: all of them
)  # fmt: skip
def test_the_access_log_reads_as_gunicorns(path, access_format):
    """The access log builds only the atoms its format reads, and writes the line gunicorn's
    own logger writes (masked, as every log line is)."""
    from gunicorn.glogging import Logger

    ours = _access_line(MaskingLogger, access_format, path)
    theirs = _access_line(Logger, access_format, path)
    if "%(t)s" in access_format:  # the date, to the second: the two lines may straddle one
        ours, theirs = (re.sub(r"\[[^]]+\]", "[t]", line) for line in (ours, theirs))
    assert ours == mask_text(theirs) and ours
    assert MOBILE not in ours


def test_anchang_serves_with_the_few_atoms():
    """`anchang serve`'s format is the one the short path covers."""
    import inspect

    from gunicorn.config import Config

    from anchang.management.commands import serve

    access_format = re.search(r"'(%\(h\)s[^']*)'", inspect.getsource(serve)).group(1)
    config = Config()
    config.set("access_log_format", access_format)
    assert MaskingLogger(config)._few_atoms
