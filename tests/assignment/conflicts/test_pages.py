"""The conflict page: both sides' timeline and the proposal; a decision against it without a
note is refused beside the field; a split proposes the claimant as the deal's stand-in."""

from __future__ import annotations

from django.urls import reverse

from anchang.customers.models import OwnershipConflict
from anchang.deals.models import Unit
from tests.assignment.conflicts.test_selectors import _conflict
from tests.deals.helpers import building, office


def test_the_manager_reads_both_sides_and_decides_as_proposed(world, client):
    o = office(world)
    c = _conflict(world, o, reached_days_ago=5)
    client.force_login(o.manager)
    page = client.get(reverse("assignment:conflict", args=[c.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="side-owner"' in html and 'data-testid="side-claimant"' in html
    assert 'data-testid="proposal-outcome"' in html
    refused = client.post(reverse("assignment:conflict", args=[c.pk]), {"decision": "transferred"})
    assert refused.status_code == 400 and 'data-field-error="note"' in refused.content.decode()
    assert OwnershipConflict.objects.get(pk=c.pk).status == "open"
    done = client.post(reverse("assignment:conflict", args=[c.pk]), {"decision": "kept"})
    assert done.status_code == 302
    assert OwnershipConflict.objects.get(pk=c.pk).status == "kept"
    # Decided, the page still opens (a link on My day or in the log leads here): the decision
    # instead of the form; deciding again is refused with a message, never a 500.
    decided = client.get(reverse("assignment:conflict", args=[c.pk]))
    assert decided.status_code == 200 and 'data-testid="decided-outcome"' in decided.text
    assert 'data-testid="decide-form"' not in decided.text
    again = client.post(reverse("assignment:conflict", args=[c.pk]), {"decision": "transferred",
                                                                      "note": "改判"})  # fmt: skip
    assert again.status_code in (400, 409)
    assert OwnershipConflict.objects.get(pk=c.pk).status == "kept"


def test_a_split_proposes_the_claimant_as_the_deals_stand_in(world, client):
    o = office(world)
    c = _conflict(world, o, reached_days_ago=5)
    client.force_login(o.manager)
    client.post(reverse("assignment:conflict", args=[c.pk]),
                {"decision": "split", "note": "两人都出了力"})  # fmt: skip
    unit = Unit.objects.get(building=building(o), floor=1, position=1)
    client.force_login(o.consultant)
    form = client.get(reverse("deals:new"), {"unit": unit.pk, "customer": c.customer_id})
    assert f'<option value="{o.colleague.pk}" selected' in form.content.decode()


def test_someone_who_may_not_decide_gets_404(world, client):
    o = office(world)
    c = _conflict(world, o, reached_days_ago=5)
    for user in (o.consultant, o.colleague, world.consultants["p3"][0]):
        client.force_login(user)
        response = client.get(reverse("assignment:conflict", args=[c.pk]))
        assert response.status_code in (403, 404)
    client.force_login(o.manager)
    for bad in ("0", "99999999", "-1"):
        assert client.get(f"/assignment/conflicts/{bad}/").status_code == 404
