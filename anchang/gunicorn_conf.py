"""Server hooks for `anchang serve` (gunicorn loads this as python:anchang.gunicorn_conf)."""

import gc


def post_worker_init(worker) -> None:
    """Once a worker has loaded Django, freeze what it imported (modules, models, URL
    patterns, templates: alive for the whole process) so the garbage collector stops
    re-scanning it, and let the youngest generation grow larger between collections.
    A page allocates tens of thousands of short-lived objects; with the defaults the
    collector ran several times per request, walking the whole heap each full pass."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
