"""Server hooks for `anchang serve` (gunicorn loads this as python:anchang.gunicorn_conf)."""

import gc
import re

from gunicorn.glogging import Logger

from anchang.logging_filters import MaskingFormatter, MaskPersonalData


class MaskingLogger(Logger):
    """gunicorn's own error and access logs (an exception that escapes Django, a worker's
    crash) are masked like ours: the server log is a log too."""

    # The atoms `anchang serve`'s access-log format reads (h "m U" s b Ms): gunicorn builds
    # every atom for every request (each request and response header, each environ entry,
    # the date) and escapes them all, ~1 % of a worker's CPU under the load test.
    _FEW = frozenset({"h", "m", "U", "s", "b", "M"})

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self._few_atoms = set(re.findall(r"%\((.*?)\)s", cfg.access_log_format)) <= self._FEW
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(MaskPersonalData())
                if handler.formatter is not None:
                    formatter = MaskingFormatter(handler.formatter._fmt, handler.formatter.datefmt)
                    handler.setFormatter(formatter)

    def atoms(self, resp, req, environ, request_time) -> dict:
        if not self._few_atoms:  # another format (GUNICORN_CMD_ARGS): all of them
            return super().atoms(resp, req, environ, request_time)
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "m": environ.get("REQUEST_METHOD"),
            "U": environ.get("PATH_INFO"),
            "s": status,
            "b": sent is not None and str(sent) or "-",
            "M": request_time.seconds * 1000 + int(request_time.microseconds / 1000),
        }


logger_class = MaskingLogger


def settle_heap() -> None:
    """Once a process has loaded Django, freeze what it imported (modules, models, URL
    patterns, templates, pypinyin's dictionaries: alive for the whole process) so the
    garbage collector stops re-scanning it, and let the youngest generation grow larger
    between collections. A page allocates tens of thousands of short-lived objects; with
    the defaults the collector ran several times per request, and every tenth or so a full
    pass walked the whole heap (~100-180 ms). The bench and scripts/page_cpu.py call it
    too, so they time what a server runs."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def post_worker_init(worker) -> None:
    settle_heap()
