"""The menu is kept by what it depends on, and a page masks its CSRF token once
(anchang/context_processors.py)."""

from __future__ import annotations

import re

from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from anchang import context_processors
from anchang.demo.build import build_demo
from anchang.org.models import Membership, Role, User
from tests.conftest import make_user


def _plain(menu: dict) -> tuple:
    """The menu as the text a page prints (lazy labels made strings)."""
    with translation.override("zh-hans"):
        items = tuple((str(i["label"]), i["url"], i["key"]) for i in menu["nav_items"])
        roles = tuple(str(r) for r in menu["nav_roles"])
    return items, roles, menu["nav_admin_site"], bool(menu["nav_revisit_plans"])


def test_users_who_share_a_menu_key_are_shown_the_same_menu(db):
    """The key holds everything the menu is read from: over every demo user, users with the
    same key get the same menu built afresh."""
    build_demo(seed=2026, customers_per_consultant=1)
    menus: dict[tuple, set] = {}
    for user in User.objects.all():
        key = context_processors._menu_key(user)
        menus.setdefault(key, set()).add(_plain(context_processors._menu(user)))
    assert len(menus) > 5
    assert all(len(found) == 1 for found in menus.values()), menus


def test_the_menu_follows_a_change_of_role(world, client):
    user = make_user("changer")
    membership = world.grant(user, Role.CONSULTANT) and Membership.objects.get(user=user)
    client.force_login(user)
    conflicts = reverse("customers:conflicts")  # a manager's item
    assert conflicts not in client.get(reverse("home")).content.decode()
    Membership.objects.filter(pk=membership.pk).update(role=Role.MANAGER)
    assert conflicts in client.get(reverse("home")).content.decode()
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    page = client.get(reverse("home")).content.decode()
    assert conflicts not in page and reverse("customers:list") not in page


def test_a_menu_is_built_once_per_key(world, monkeypatch):
    context_processors._MENUS.clear()
    built = []
    real = context_processors._menu
    monkeypatch.setattr(context_processors, "_menu", lambda user: built.append(user) or real(user))
    request = RequestFactory().get("/")
    request.user = world.consultants["p1"][0]
    first = context_processors.navigation(request)
    request.user = User.objects.get(pk=request.user.pk)  # a new request's user object
    assert context_processors.navigation(request) == first
    assert len(built) == 1


def test_a_page_with_several_forms_masks_its_token_once(world, client):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "表单")
    client.force_login(owner)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) >= 3 and len(set(tokens)) == 1
    # The token still does its work: a form posted with it is accepted, one without is not.
    client.handler.enforce_csrf_checks = True
    url = reverse("customers:key-date-add", args=[customer.pk])
    data = {"kind": "anniversary", "date": "2020-05-01"}
    assert client.post(url, data).status_code == 403
    assert client.post(url, {**data, "csrfmiddlewaretoken": tokens[0]}).status_code < 400
