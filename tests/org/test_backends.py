"""The log-in backend (anchang/org/backends.py): the signed-in user read with their memberships
in one statement, refused when inactive, and sessions made by Django's own backend still valid."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.test import Client

from anchang.org.services import user_set_active
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_a_signed_in_user_is_read_on_every_request_and_refused_once_inactive(world):
    admin = world.grant(make_user("admin-b"), "admin")
    user = world.grant(make_user("consultant-b"), "consultant")
    client = _signed_in(user.username)
    assert client.session[BACKEND_SESSION_KEY] == "anchang.org.backends.ModelBackend"
    assert client.get("/").status_code == 200
    user_set_active(actor=admin, user=user, is_active=False)
    assert client.get("/").status_code == 302  # to the log-in page


def test_a_session_made_by_djangos_own_backend_stays_signed_in(world):
    user = world.grant(make_user("consultant-c"), "consultant")
    client = Client()
    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.save()
    client.cookies["sessionid"] = session.session_key
    assert client.get("/").status_code == 200
