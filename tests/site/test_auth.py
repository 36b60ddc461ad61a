"""Log-in, log-out, sessions, throttling, CSRF and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anchang.audit.models import AuditEntry
from anchang.org.models import ApiToken, Role
from anchang.org.services import token_create
from tests.conftest import PASSWORD, make_user


@pytest.fixture
def consultant(world):
    return world.consultants["p1"][0]


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


class TestLogin:
    def test_right_password_logs_in_and_is_audited(self, client, consultant):
        response = login(client, consultant.username)
        assert response.status_code == 302 and response["Location"] == reverse("home")
        assert AuditEntry.objects.filter(action="login", actor=consultant).count() == 1

    def test_wrong_password_says_so_and_writes_nothing_but_the_failure(self, client, consultant):
        response = login(client, consultant.username, "wrong-password")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert b'data-testid="form-error"' in response.content
        entry = AuditEntry.objects.get(action="login_failed")
        assert entry.actor_label == consultant.username
        assert "password" not in str(entry.details)

    def test_unknown_user_gets_the_same_answer_as_a_wrong_password(self, client, consultant):
        unknown = login(client, "no-such-user", "whatever-123")
        wrong = login(Client(), consultant.username, "whatever-123")
        assert unknown.status_code == wrong.status_code == 200
        assert b"form-error" in unknown.content and b"form-error" in wrong.content

    def test_repeated_failures_lock_the_account_and_are_logged(self, client, consultant):
        for _ in range(5):
            login(client, consultant.username, "wrong-password")
        locked = login(client, consultant.username, PASSWORD)  # even the right one now
        assert locked.status_code == 429
        assert b"locked-out" in locked.content
        assert "_auth_user_id" not in client.session
        assert AuditEntry.objects.filter(action="login_locked").exists()

    def test_login_rotates_the_session_key(self, client, consultant):
        session = client.session  # an anonymous session, as a visitor would have
        session["probe"] = 1
        session.save()
        before = client.cookies["sessionid"].value
        login(client, consultant.username)
        after = client.cookies["sessionid"].value
        assert before != after
        assert client.session.get("probe") == 1  # rotated, not lost

    def test_logout_kills_the_session_on_the_server(self, client, consultant):
        login(client, consultant.username)
        stolen = client.cookies["sessionid"].value
        client.post(reverse("logout"))
        thief = Client()
        thief.cookies["sessionid"] = stolen
        response = thief.get(reverse("home"))
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_logout_by_get_is_refused(self, client, consultant):
        login(client, consultant.username)
        assert client.get(reverse("logout")).status_code == 405
        assert client.get(reverse("home")).status_code == 200

    def test_expired_session_goes_back_to_login(self, client, consultant, settings):
        login(client, consultant.username)
        session = client.session
        session.set_expiry(-1)
        session.save()
        response = client.get(reverse("customers:list"))
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_disabled_user_is_out_at_the_next_request(self, client, consultant):
        login(client, consultant.username)
        consultant.is_active = False
        consultant.save()
        response = client.get(reverse("home"))
        assert response.status_code == 302

    def test_pages_need_login(self, client, db):
        for name in ("home", "customers:list", "audit:list", "org:tokens"):
            response = client.get(reverse(name))
            assert response.status_code == 302, name
            assert reverse("login") in response["Location"]

    def test_overlong_username_is_refused_cleanly(self, client, db):
        response = login(client, "x" * 5000, "y")
        assert response.status_code == 200
        assert b"form-error" in response.content or b"data-field-error" in response.content


class TestCsrf:
    def test_form_post_without_token_is_refused_with_a_clear_page(self, consultant):
        client = Client(enforce_csrf_checks=True)
        client.force_login(consultant)
        response = client.post(reverse("org:tokens"), {"name": "phone"})
        assert response.status_code == 403
        assert b"error-message" in response.content
        assert not ApiToken.objects.exists()

    def test_api_session_write_without_token_is_refused_in_the_error_format(self, consultant):
        client = Client(enforce_csrf_checks=True)
        client.force_login(consultant)
        response = client.post(
            reverse("api:tokens"), {"name": "x"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert set(response.json()) == {"code", "message", "fields"}
        assert not ApiToken.objects.exists()


class TestTokens:
    def test_token_works_and_is_shown_once(self, client, consultant, api_client):
        client.force_login(consultant)
        response = client.post(reverse("org:tokens"), {"name": "我的手机"})
        secret = response.context["created_secret"]
        assert secret and secret in response.content.decode()
        assert secret not in client.get(reverse("org:tokens")).content.decode()
        token = ApiToken.objects.get(user=consultant)
        assert secret not in (token.digest, token.token_key)  # only a hash is stored
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert api_client.get(reverse("api:me")).json()["username"] == consultant.username

    def test_revoked_token_stops_working(self, consultant, api_client):
        token, secret = token_create(actor=consultant, name="script")
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert api_client.get(reverse("api:me")).status_code == 200
        api_client.delete(reverse("api:token", args=[token.token_key]))
        response = api_client.get(reverse("api:me"))
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
        assert AuditEntry.objects.filter(action="token_revoked").count() == 1

    def test_last_use_is_noted_at_most_hourly(self, client, consultant, api_client):
        token, secret = token_create(actor=consultant, name="script")
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert api_client.get(reverse("api:me")).status_code == 200
        first = ApiToken.objects.get(pk=token.pk).last_used_at
        assert first is not None
        listed = api_client.get(reverse("api:tokens")).json()
        assert [t["last_used_at"] for t in listed] != [None]
        client.force_login(consultant)
        page = client.get(reverse("org:tokens")).content.decode()
        assert 'data-label="最近使用">—<' not in page and 'data-label="最近使用">20' in page
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(reverse("api:me")).status_code == 200
        token_sql = [q["sql"] for q in queries if "org_apitoken" in q["sql"]]
        # One read of the presented token: no write within the hour, and no sweep of the
        # user's other tokens (knox's, for expiry; ours do not expire).
        assert len(token_sql) == 1 and token_sql[0].startswith("SELECT")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(hours=2))
        api_client.get(reverse("api:me"))
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first

    def test_disabled_users_token_stops_working(self, consultant, api_client):
        _token, secret = token_create(actor=consultant, name="script")
        consultant.is_active = False
        consultant.save()
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert api_client.get(reverse("api:me")).status_code == 401

    def test_no_token_answers_401_in_the_error_format(self, api_client, db):
        response = api_client.get(reverse("api:customers"))
        assert response.status_code == 401
        assert response.json() == {
            "code": "not_authenticated",
            "message": response.json()["message"],
            "fields": {},
        }

    def test_garbage_token_answers_401(self, api_client, db):
        api_client.credentials(HTTP_AUTHORIZATION="Token " + "z" * 64)
        assert api_client.get(reverse("api:me")).status_code == 401

    def test_cannot_revoke_someone_elses_token(self, world, consultant, api_client):
        other = world.consultants["p1"][1]
        token, _secret = token_create(actor=other, name="other")
        api_client.force_authenticate(consultant)
        response = api_client.delete(reverse("api:token", args=[token.token_key]))
        assert response.status_code == 404
        assert ApiToken.objects.filter(pk=token.pk).exists()

    @pytest.mark.parametrize("name", ["", "   ", "x" * 65])
    def test_bad_token_names_are_refused(self, consultant, api_client, name):
        api_client.force_authenticate(consultant)
        response = api_client.post(reverse("api:tokens"), {"name": name}, format="json")
        assert response.status_code == 400
        assert "name" in response.json()["fields"]
        assert not ApiToken.objects.exists()


def test_password_change_is_audited(client, consultant):
    client.force_login(consultant)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Brand-new-pass-77",
            "new_password2": "Brand-new-pass-77",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="password_changed", actor=consultant).exists()


def test_admin_site_is_for_admins_only(world, client):
    consultant = world.consultants["p1"][0]
    consultant.is_staff = True  # is_staff alone must not open the admin site
    consultant.save()
    client.force_login(consultant)
    assert client.get("/admin/").status_code == 302
    admin = world.grant(make_user("boss"), Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
