"""ops: the fixtures the tests of the commands and the real server share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import built_once


def _collect_static(folder: Path) -> None:
    from django.test import override_settings

    from anchang.management.commands.serve import _collect_static

    storages = {
        **settings.STORAGES,  # production's static storage, as `anchang serve` has
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=folder, STORAGES=storages):
        _collect_static()


@pytest.fixture(scope="session")
def static_env(tmp_path_factory) -> dict[str, str]:
    """The real servers these tests start share static files collected once for the run, as
    `anchang serve` collects them (half a minute of both cores each time otherwise); each
    server finds them current and skips, as on a restart. (The collecting itself, and its
    skipping, is test_serve_collects_static_files_only_when_they_changed.)"""
    root = built_once(tmp_path_factory, "static", _collect_static)
    return {**os.environ, "ANCHANG_STATIC_ROOT": str(root)}
