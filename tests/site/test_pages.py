"""Home pages by role, customer pages, headers, language: what each user sees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import make_user


def test_consultant_home_is_my_day(world, client):
    consultant = world.consultants["p1"][0]
    world.customer(world.p1, consultant, "我的客户甲")
    world.customer(world.p1, world.consultants["p1"][1], "别人的客户乙")
    client.force_login(consultant)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="my-day"' in page and 'data-testid="project-overview"' not in page
    assert "我的客户甲" in page and "别人的客户乙" not in page
    assert 'data-testid="my-total">1<' in page


def test_manager_home_is_the_project_overview(world, client):
    manager = world.grant(make_user("mgr"), "manager")
    for i in range(3):
        world.customer(world.p1, world.consultants["p1"][i % 2], f"客户{i}")
    world.customer(world.p2, world.consultants["p2"][0], "别的项目")
    client.force_login(manager)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert 'data-testid="project-overview"' in page and 'data-testid="my-day"' not in page
    assert world.p1.name in page and world.p2.name not in page
    overview = response.context["overview"][0]
    assert overview["figures"]["total"] == 3
    assert sorted(row["total"] for row in overview["owners"]) == [1, 2]


def test_user_without_role_is_told_so(db, client):
    client.force_login(make_user("newcomer"))
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="welcome"' in page and "alert-warning" in page


@pytest.mark.parametrize("rows", [5, 60])
def test_list_and_home_queries_do_not_grow_with_rows(
    world, client, rows, django_assert_max_num_queries
):
    manager = world.grant(make_user("mgr"), "manager")
    for i in range(rows):
        world.customer(world.p1, world.consultants["p1"][i % 2], f"客户{i}")
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("customers:list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("home")).status_code == 200
    customer = world.customer(world.p1, world.consultants["p1"][0], "详情")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200


def test_navigation_by_role(world, client):
    client.force_login(world.consultants["p1"][0])
    page = client.get(reverse("home")).content.decode()
    assert reverse("customers:list") in page
    assert reverse("audit:list") not in page and reverse("org:projects") not in page
    assert reverse("deals:board") in page and reverse("deals:list") in page
    manager = world.grant(make_user("mgr-nav"), "manager")
    client.force_login(manager)
    page = client.get(reverse("home")).content.decode()
    assert 'class="nav-link disabled later"' in page  # later features (reports) link nowhere
    admin = world.grant(make_user("adm"), "admin")
    client.force_login(admin)
    page = client.get(reverse("home")).content.decode()
    assert reverse("audit:list") in page and reverse("org:projects") in page


class TestCustomerForms:
    def test_edit_with_stale_version_says_so(self, world, client):
        owner = world.consultants["p1"][0]
        customer = world.customer(world.p1, owner, "冯先生")
        client.force_login(owner)
        url = reverse("customers:edit", args=[customer.pk])
        assert client.post(url, {"name": "冯总", "version": 1}).status_code == 302
        response = client.post(url, {"name": "冯老板", "version": 1})
        assert response.status_code == 409
        assert b"form-error" in response.content
        customer.refresh_from_db()
        assert customer.name == "冯总"

    @pytest.mark.parametrize(
        "data",
        [
            {"name": "", "version": 1},
            {"name": "x" * 201, "version": 1},
            {"name": "a"},
            {"name": "a", "version": "x"},
            {},
        ],
    )
    def test_edit_bad_input_shows_errors(self, world, client, data):
        owner = world.consultants["p1"][0]
        customer = world.customer(world.p1, owner, "褚女士")
        client.force_login(owner)
        response = client.post(reverse("customers:edit", args=[customer.pk]), data)
        assert response.status_code == 400
        assert b"invalid-feedback" in response.content or b"form-error" in response.content
        customer.refresh_from_db()
        assert customer.name == "褚女士"

    def test_name_too_long_after_trimming(self, world, client):
        owner = world.consultants["p1"][0]
        customer = world.customer(world.p1, owner, "卫先生")
        client.force_login(owner)
        response = client.post(
            reverse("customers:edit", args=[customer.pk]), {"name": "长" * 51, "version": 1}
        )
        assert response.status_code == 400
        assert b'data-field-error="name"' in response.content

    def test_reassign_bad_owner(self, world, client):
        manager = world.grant(make_user("mgr"), "manager")
        customer = world.customer(world.p1, world.consultants["p1"][0], "蒋先生")
        client.force_login(manager)
        response = client.post(
            reverse("customers:reassign", args=[customer.pk]),
            {"owner": world.consultants["p3"][0].pk, "reason": "x", "version": 1},
        )
        assert response.status_code == 400
        customer.refresh_from_db()
        assert customer.owner == world.consultants["p1"][0]

    def test_non_numeric_id_is_404(self, world, client):
        client.force_login(world.consultants["p1"][0])
        assert client.get("/customers/abc/").status_code == 404
        assert client.get("/customers/99999999999999999999/").status_code == 404


def test_security_headers(world, client):
    client.force_login(world.consultants["p1"][0])
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_inline_scripts_in_pages(world, client):
    # The CSP forbids inline scripts; a page that relies on one would silently break.
    client.force_login(world.grant(make_user("adm"), "admin"))
    for name in ("home", "customers:list", "audit:list", "org:tokens", "org:projects"):
        page = client.get(reverse(name)).content.decode()
        assert "<script>" not in page and "onclick=" not in page, name


def test_language_switch(world, client):
    client.force_login(world.consultants["p1"][0])
    assert 'lang="zh-CN"' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("home")).content.decode()


def test_oversized_form_post_is_refused_and_writes_nothing(world, client):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "韩先生")
    client.force_login(owner)
    response = client.post(
        reverse("customers:edit", args=[customer.pk]),
        {"name": "x" * (10 * 1024 * 1024), "version": 1},
    )
    assert response.status_code == 413
    customer.refresh_from_db()
    assert customer.name == "韩先生"
