"""Personal data stays out of logs; audit entries name the real client address."""

from __future__ import annotations

import logging

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from anchang.audit.models import AuditEntry
from anchang.middleware import ProxyClientAddressMiddleware


def test_log_file_masks_phones_and_id_numbers():
    logger = logging.getLogger("anchang.test")
    logger.warning("caller %s with id %s", "13912345678", "110101199003077777")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (settings.LOG_DIR / "anchang.log").read_text(encoding="utf-8")
    assert "139****5678" in text
    assert "13912345678" not in text and "110101199003077777" not in text


def test_behind_proxy_audit_names_the_client(world, client):
    consultant = world.consultants["p1"][0]
    with override_settings(BEHIND_PROXY=True):
        # The middleware reads the flag when the handler is built, as at start-up.
        assert ProxyClientAddressMiddleware(lambda r: r).enabled
        client.handler.load_middleware()
        client.post(
            reverse("login"),
            {"username": consultant.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
            REMOTE_ADDR="127.0.0.1",
        )
    client.handler.load_middleware()
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.ip == "203.0.113.9"  # the hop the proxy added, not the client's claim


def test_without_proxy_forwarded_for_is_ignored(world, client):
    consultant = world.consultants["p1"][0]
    client.post(
        reverse("login"),
        {"username": consultant.username, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="6.6.6.6",
        REMOTE_ADDR="198.51.100.7",
    )
    assert AuditEntry.objects.get(action="login_failed").ip == "198.51.100.7"
