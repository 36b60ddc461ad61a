"""API tokens do not outlive the password they were made under, nor the account.

Every door that changes or resets a password or disables a user is driven below (the
product's password page, the Django admin's change and password pages, the services), and
after each the user's tokens are gone, no longer authenticate, and the revocation is in
the audit log. A source scan lists the places that can change a password or disable a
user, so a new door must be added here. Administrators list and revoke staff tokens on a
page of their own, within their company."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from anchang.audit.models import AuditEntry
from anchang.org.models import ApiToken, Company, Region, Role
from anchang.org.services import (
    membership_grant,
    staff_create,
    token_create,
    user_password_set,
    user_set_active,
)
from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "a-new-Passw0rd-2026"


@pytest.fixture
def setup(world):
    user = world.consultants["p1"][0]
    secrets = [token_create(actor=user, name=f"设备{i}")[1] for i in (1, 2)]
    root = staff_create(username="root", name="管理员", password=PASSWORD)
    root.is_staff = root.is_superuser = True
    root.save()
    return world, user, secrets, root


def _product_password_page(setup, client):
    _w, user, _s, _root = setup
    client.force_login(user)
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(reverse("password_change"), data).status_code == 302


def _admin_password_page(setup, client):
    _w, user, _s, root = setup
    client.force_login(root)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.post(url, data).status_code == 302


def _admin_change_page_disables(setup, client):
    _w, user, _s, root = setup
    client.force_login(root)
    url = reverse("admin:org_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "password" or value is None:
            continue
        if name == "date_joined":
            local = value.astimezone()
            data |= {"date_joined_0": local.date().isoformat(), "date_joined_1": "09:00:00"}
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple) or hasattr(value, "all"):
            items = value.all() if hasattr(value, "all") else value
            data[name] = [getattr(v, "pk", v) for v in items]
        else:
            data[name] = value
    data.pop("is_active", None)  # unticked: disable
    memberships = user.memberships.all()
    data |= {
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        data |= {
            f"memberships-{i}-id": m.pk,
            f"memberships-{i}-user": user.pk,
            f"memberships-{i}-role": m.role,
            f"memberships-{i}-company": m.company_id,
            f"memberships-{i}-project": m.project_id or "",
            f"memberships-{i}-region": m.region_id or "",
            f"memberships-{i}-team": m.team_id or "",
            f"memberships-{i}-is_active": "on" if m.is_active else "",
        }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active


def _service_disable(setup, client):
    _w, user, _s, root = setup
    user_set_active(actor=root, user=user, is_active=False)


def _service_password_reset(setup, client):
    _w, user, _s, root = setup
    user_password_set(actor=root, user=user, password=NEW_PASSWORD)


def _service_password_unusable(setup, client):
    _w, user, _s, root = setup
    user_password_set(actor=root, user=user, password=None)


DOORS = {
    "product password page": _product_password_page,
    "admin password page": _admin_password_page,
    "admin change page (is_active unticked)": _admin_change_page_disables,
    "service user_set_active": _service_disable,
    "service user_password_set": _service_password_reset,
    "service user_password_set (unusable)": _service_password_unusable,
}


@pytest.mark.parametrize("door", sorted(DOORS))
def test_each_door_revokes_every_token(setup, client, api_client, door):
    _w, user, secrets, _root = setup
    for secret in secrets:  # they work before
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert api_client.get(reverse("api:me")).status_code == 200
    DOORS[door](setup, client)
    assert not ApiToken.objects.filter(user=user).exists()
    for secret in secrets:
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert api_client.get(reverse("api:me")).status_code == 401
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED).latest("pk")
    assert entry.object_id == str(user.pk) and len(entry.details["tokens"]) == 2


# Code that can change a password or an account's active flag. Each file here is a door
# driven above; a new file matching means a new door to add to DOORS (and to revoke in).
DOOR_CODE = re.compile(
    r"\.set_password\(|set_unusable_password\(|Password(Change|Reset)|SetPassword|UserAdmin"
    r"|user\.is_active\s*="
)
KNOWN = {
    "anchang/org/services.py",  # staff_create (a new user: no tokens yet), user_password_set,
    # user_set_active
    "anchang/org/views.py",  # the product's password page
    "anchang/org/admin.py",  # the admin's change and password pages
    "anchang/urls.py",  # routes the password page
}


def test_every_door_to_a_password_or_disabling_is_known():
    root = Path(__file__).resolve().parents[2]
    found = {
        str(path.relative_to(root))
        for path in (root / "anchang").rglob("*.py")
        if "migrations" not in path.parts and DOOR_CODE.search(path.read_text("utf-8"))
    }
    assert found == KNOWN


# --- the administrators' page -----------------------------------------------------------


@pytest.fixture
def admins(setup):
    world, user, _secrets, _root = setup
    admin = world.grant(make_user("tk-admin", "系统管理员"), "admin")
    other_company = Company.objects.create(name="别的集团", code="other")
    outsider = make_user("tk-out", "外人")
    membership_grant(
        user=outsider,
        role=Role.CONSULTANT,
        company=other_company,
        region=Region.objects.create(company=other_company, name="西", code="w"),
    )
    token_create(actor=outsider, name="外人的设备")
    return world, user, admin, outsider


def test_admin_lists_and_revokes_a_staff_token(admins, client):
    world, user, admin, outsider = admins
    client.force_login(admin)
    page = client.get(reverse("org:staff-tokens")).content.decode()
    assert "设备1" in page and "设备2" in page and "外人的设备" not in page
    token = ApiToken.objects.filter(user=user, name="设备1").get()
    response = client.post(reverse("org:staff-token-revoke", args=[token.token_key]))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert ApiToken.objects.filter(user=user).count() == 1
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED).latest("pk")
    assert entry.actor == admin and entry.object_id == str(user.pk)
    assert entry.details == {"tokens": [token.token_key], "reason": "by_admin"}
    filtered = client.get(reverse("org:staff-tokens"), {"user": user.username}).content.decode()
    assert "设备2" in filtered


def test_admin_cannot_revoke_outside_their_company(admins, client):
    _world, _user, admin, outsider = admins
    client.force_login(admin)
    theirs = ApiToken.objects.get(user=outsider)
    client.post(reverse("org:staff-token-revoke", args=[theirs.token_key]))
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("value", ["", "ｒｏｏｔ", "x" * 5000, "\x00", "' OR 1=1 --", "１２３"])
def test_hostile_filters_and_keys(admins, client, value):
    _world, _user, admin, _outsider = admins
    client.force_login(admin)
    assert client.get(reverse("org:staff-tokens"), {"user": value}).status_code == 200
    key = value.strip("\x00/") or "none"
    response = client.post(reverse("org:staff-token-revoke", args=[key[:100]]))
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["consultant", "manager", "clerk", "auditor"])
def test_other_roles_are_refused(admins, client, role):
    world, user, _admin, _outsider = admins
    visitor = world.grant(make_user(f"tk-{role}"), role)
    client.force_login(visitor)
    assert client.get(reverse("org:staff-tokens")).status_code == 403
    token = ApiToken.objects.filter(user=user).first()
    assert client.post(reverse("org:staff-token-revoke", args=[token.token_key])).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()
