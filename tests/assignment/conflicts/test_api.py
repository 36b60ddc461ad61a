"""A conflict's evidence and decision through the API."""

from __future__ import annotations

from django.urls import reverse

from anchang.customers.models import OwnershipConflict
from tests.assignment.conflicts.test_selectors import _conflict
from tests.deals.helpers import office
from tests.deals.test_api import _error


def test_the_evidence_and_a_decision_against_it(world, api_client):
    o = office(world)
    c = _conflict(world, o, reached_days_ago=None)
    api_client.force_authenticate(o.manager)
    case = api_client.get(reverse("api:conflict-evidence", args=[c.pk])).json()
    assert case["proposed"] == "transferred" and case["reasons"]
    assert {line["side"] for line in case["timeline"]} == {"owner", "claimant"}
    url = reverse("api:conflict-decide", args=[c.pk])
    _error(api_client.post(url, {"decision": "kept"}, format="json"), 400, "override_needs_note")
    answer = api_client.post(url, {"decision": "split", "note": "同日到访"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "split"
    assert answer.json()["proposed"] == "transferred"
    assert OwnershipConflict.objects.get(pk=c.pk).status == "split"


def test_the_evidence_is_not_found_for_a_consultant(world, api_client):
    o = office(world)
    c = _conflict(world, o, reached_days_ago=None)
    api_client.force_authenticate(o.colleague)
    _error(api_client.get(reverse("api:conflict-evidence", args=[c.pk])), (403, 404))
