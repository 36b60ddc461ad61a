"""The assignment pages: the queue ticked and assigned, lapsed customers, a handover's preview
then its confirmation; errors beside the fields with what was typed kept; consultants kept
out; hostile query values."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.customers.models import Customer
from tests.assignment.handover.test_services import _office, _owned, _owners, _unowned


def test_the_manager_assigns_the_ticked_customers_from_the_queue(world, client):
    project, manager, (a, b, _c, _d) = _office(world)
    waiting = _unowned(world, project, 3)
    client.force_login(manager)
    page = client.get(reverse("assignment:queue"), {"project": project.pk})
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="assign-row"') == 3
    assert waiting[0].phone[-4:] in html and waiting[0].phone[3:] not in html  # masked
    response = client.post(reverse("assignment:queue"), {
        "project": project.pk, "customers": [waiting[0].pk, waiting[1].pk],
        "to": [a.pk, b.pk], "how": "round_robin", "reason": "线上线索",
    })  # fmt: skip
    assert response.status_code == 302
    assert {Customer.objects.get(pk=c.pk).owner_id for c in waiting[:2]} == {a.pk, b.pk}
    assert Customer.objects.get(pk=waiting[2].pk).owner_id is None


def test_no_reason_is_said_beside_the_field_and_the_ticks_are_kept(world, client):
    project, manager, (a, *_rest) = _office(world)
    waiting = _unowned(world, project, 2)
    client.force_login(manager)
    before = _owners()
    response = client.post(reverse("assignment:queue"), {
        "project": project.pk, "customers": [waiting[0].pk], "to": [a.pk], "reason": "",
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 400 and 'data-field-error="reason"' in html
    assert f'value="{waiting[0].pk}" aria-label="{waiting[0].name}" checked' in html
    assert _owners() == before


def test_a_handover_is_previewed_then_confirmed(world, client):
    project, manager, (a, b, c, leaver) = _office(world)
    _owned(world, project, leaver, 12)
    client.force_login(manager)
    body = {"project": project.pk, "leaver": leaver.pk, "to": [a.pk, b.pk, c.pk],
            "how": "least_loaded", "reason": "离职交接"}  # fmt: skip
    preview = client.post(reverse("assignment:handover"), body)
    html = preview.content.decode()
    assert preview.status_code == 200 and html.count('data-testid="preview-row"') == 3
    assert Customer.objects.filter(owner=leaver).count() == 12
    # a confirmation of something else than the preview is previewed again, not carried out
    changed = client.post(
        reverse("assignment:handover"),
        {
            **body,
            "to": [a.pk],
            "confirm": "1",
            "previewed": f"{leaver.pk}:{a.pk},{b.pk},{c.pk}:least_loaded",
        },
    )
    assert (
        changed.status_code == 200 and 'data-testid="handover-preview"' in changed.content.decode()
    )
    assert Customer.objects.filter(owner=leaver).count() == 12
    signature = f"{leaver.pk}:{','.join(map(str, sorted([a.pk, b.pk, c.pk])))}:least_loaded"
    done = client.post(
        reverse("assignment:handover"), {**body, "confirm": "1", "previewed": signature}
    )
    assert done.status_code == 302
    assert not Customer.objects.filter(owner=leaver).exists()


def test_consultants_are_kept_out(world, client):
    project, _manager, (a, *_rest) = _office(world)
    client.force_login(a)
    for name in ("assignment:queue", "assignment:lapsed", "assignment:handover"):
        assert client.get(reverse(name), {"project": project.pk}).status_code == 403


@pytest.mark.parametrize("value", ["abc", "-1", "²", "9" * 30, "1.5", "", "𐩀"])
def test_hostile_query_values_are_not_a_500(world, client, value):
    project, manager, _people = _office(world)
    client.force_login(manager)
    for name in ("assignment:queue", "assignment:lapsed", "assignment:handover"):
        for key in ("project", "days", "owner"):
            params = {"project": project.pk, key: value}
            response = client.get(reverse(name), params)
            assert response.status_code in (200, 400, 404), (name, key, value)
