"""`anchang check --deploy` refuses unsafe production settings and accepts safe ones.

Settings are read once per process, so each case runs the real command in a subprocess with
its own environment and data folder.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(sys.executable).with_name("anchang")
ANCHANG = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "anchang.cli"]
ALL_IDS = ["anchang.E001", "anchang.E002", "anchang.E003", "anchang.E004"]


def safe_env() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 random characters
        "ANCHANG_HTTPS": "1",
        "ANCHANG_ALLOWED_HOSTS": "crm.example.com",
    }


def check_deploy(data_dir: Path, settings: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only the settings under test: nothing inherited from the shell that runs pytest.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SECRET_KEY"} and not key.startswith("ANCHANG_")
    }
    env.update(ANCHANG_DATA_DIR=str(data_dir), **settings)
    return subprocess.run(
        [*ANCHANG, "check", "--deploy"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )


def reported_ids(result: subprocess.CompletedProcess[str]) -> set[str]:
    return set(re.findall(r"anchang\.E\d{3}", result.stdout + result.stderr))


@pytest.mark.slow
def test_unsafe_settings_are_refused_with_every_problem_named(tmp_path: Path) -> None:
    result = check_deploy(
        tmp_path,
        {"ANCHANG_DEBUG": "1", "SECRET_KEY": "short", "ANCHANG_ALLOWED_HOSTS": "*"},
    )
    assert result.returncode != 0
    assert reported_ids(result) == set(ALL_IDS)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"ANCHANG_DEBUG": "1"}, "anchang.E001"),
        ({"SECRET_KEY": "short"}, "anchang.E002"),
        ({"SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, "anchang.E002"),
        ({"SECRET_KEY": "ab" * 40}, "anchang.E002"),  # long but only two distinct characters
        ({"ANCHANG_HTTPS": "0"}, "anchang.E003"),
        ({"ANCHANG_ALLOWED_HOSTS": "*"}, "anchang.E004"),
        ({"ANCHANG_ALLOWED_HOSTS": "crm.example.com,*"}, "anchang.E004"),
        ({"ANCHANG_ALLOWED_HOSTS": ""}, "anchang.E004"),
        ({"SMS_BACKEND": "aliyun-sms"}, "anchang.E006"),
        ({"WECOM_BACKEND": "wechat"}, "anchang.E006"),
        ({"SMS_BACKEND": "tencent"}, "anchang.E007"),
        ({"SMS_BACKEND": "aliyun", "SMS_CALLBACK_TOKEN": "a" * 40}, "anchang.E007"),
    ],
    ids=[
        "debug",
        "short-key",
        "django-insecure-key",
        "repetitive-key",
        "no-https",
        "wildcard-host",
        "wildcard-among-hosts",
        "no-hosts",
        "unknown-sms-backend",
        "unknown-wecom-backend",
        "sms-without-callback-token",
        "sms-with-a-guessable-token",
    ],
)
@pytest.mark.slow
def test_each_unsafe_setting_alone_is_refused(
    tmp_path: Path, change: dict[str, str], problem: str
) -> None:
    result = check_deploy(tmp_path, {**safe_env(), **change})
    assert result.returncode != 0
    assert reported_ids(result) == {problem}


@pytest.mark.slow
def test_an_sms_provider_with_a_random_callback_token_passes(tmp_path: Path) -> None:
    settings = {**safe_env(), "SMS_BACKEND": "aliyun", "SMS_CALLBACK_TOKEN": secrets.token_hex(20)}
    result = check_deploy(tmp_path, settings)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_safe_settings_pass(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, safe_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert reported_ids(result) == set()
    # Django's own deploy warnings (e.g. security.W021, HSTS preload) do not fail the check.
    assert "ERRORS:" not in result.stdout + result.stderr


@pytest.mark.slow
def test_generated_embedded_key_is_accepted(tmp_path: Path) -> None:
    settings = safe_env()
    del settings["SECRET_KEY"]
    result = check_deploy(tmp_path, settings)
    assert result.returncode == 0, result.stdout + result.stderr
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0  # only the service user reads the key
