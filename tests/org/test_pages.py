"""org: the pages (the HTML door).

Project rules: docs/domain.md#project-settings, validated overrides, edited by admins only."""

from __future__ import annotations

from django.urls import reverse

from anchang.org.selectors import project_rules
from tests.rules_form import rules_form_data


class TestPage:
    def url(self, world):
        return reverse("org:project-rules", args=[world.p1.pk])

    def form_data(self, **changes):
        return rules_form_data(**changes)

    def test_admin_edits_through_the_page(self, world, admin, client):
        client.force_login(admin)
        assert client.get(self.url(world)).status_code == 200
        response = client.post(self.url(world), self.form_data(**{"pool.daily_claim_limit": 6}))
        assert response.status_code == 302
        world.p1.refresh_from_db()
        assert project_rules(world.p1).pool.daily_claim_limit == 6

    def test_bad_value_shown_beside_the_field(self, world, admin, client):
        client.force_login(admin)
        response = client.post(self.url(world), self.form_data(**{"timezone": "Nowhere/Land"}))
        assert response.status_code == 400
        assert b'data-field-error="timezone"' in response.content

    def test_garbage_cadence(self, world, admin, client):
        client.force_login(admin)
        data = self.form_data(**{"grading.cadence_days.A": "{oops"})
        assert client.post(self.url(world), data).status_code == 400

    def test_consultant_gets_403(self, world, client):
        client.force_login(world.consultants["p1"][0])
        assert client.get(self.url(world)).status_code == 403
        assert client.get(reverse("org:projects")).status_code == 403
