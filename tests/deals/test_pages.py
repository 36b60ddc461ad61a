"""The deals pages (the HTML door): the board, a unit, subscribing, the card, the lists, each
trade's words, and the query counts that must not grow with rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang.deals import services
from anchang.deals.models import Deal, Unit
from tests.deals.helpers import building, office, subscribe, vehicle


def test_the_board_shows_the_grid_coloured_by_status(world, client):
    o = office(world)
    b = building(o, floors=4, per_floor=3)
    unit = Unit.objects.get(building=b, floor=2, position=1)
    subscribe(world, o, unit, method="full")
    client.force_login(o.consultant)
    page = client.get(reverse("deals:board"), {"project": o.project.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="unit-1-201"' in html and "st-subscribed" in html
    grid = client.get(reverse("deals:board-grid"), {"project": o.project.pk, "building": b.pk})
    assert grid.status_code == 200 and "<html" not in grid.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "²", "9" * 30, "1.5", ""])
def test_hostile_board_parameters_are_not_a_500(world, client, value):
    o = office(world)
    building(o)
    client.force_login(o.consultant)
    for name in ("project", "building", "status"):
        response = client.get(reverse("deals:board"), {name: value})
        assert response.status_code in (200, 400, 404), (name, value)


def test_a_consultant_holds_and_subscribes_from_the_unit_page(world, client):
    o = office(world)
    unit = Unit.objects.get(building=building(o), floor=1, position=1)
    customer = world.customer(o.project, o.consultant, "王先生")
    client.force_login(o.consultant)
    page = client.get(reverse("deals:unit", args=[unit.pk]))
    assert page.status_code == 200 and "hold-form" in page.content.decode()
    response = client.post(reverse("deals:unit-hold", args=[unit.pk]), {"customer": customer.pk})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == "held" and unit.held_for_id == customer.pk
    form = client.get(reverse("deals:new"), {"unit": unit.pk})
    assert form.status_code == 200
    response = client.post(reverse("deals:new"), {
        "unit": unit.pk, "customer": customer.pk, "deal_price": str(unit.standard_price / 100),
        "payment_method": "full", "deposit": "50000", "idempotency_key": "k-1",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    deal = Deal.objects.get(unit=unit)
    assert response["Location"] == reverse("deals:detail", args=[deal.pk])
    card = client.get(response["Location"])
    assert card.status_code == 200 and "恭喜" not in card.content.decode()[:0]


def test_a_bad_subscription_says_why_beside_the_field(world, client):
    o = office(world)
    unit = Unit.objects.get(building=building(o), floor=1, position=1)
    customer = world.customer(o.project, o.consultant, "王先生")
    client.force_login(o.consultant)
    response = client.post(reverse("deals:new"), {
        "unit": unit.pk, "customer": customer.pk, "deal_price": "-5",
        "payment_method": "mortgage", "idempotency_key": "k-2",
    })  # fmt: skip
    assert response.status_code == 400
    assert 'data-field-error="deal_price"' in response.content.decode()
    assert not Deal.objects.exists()


def test_a_taken_unit_is_a_409_on_the_page(world, client):
    o = office(world)
    unit = Unit.objects.get(building=building(o), floor=1, position=1)
    subscribe(world, o, unit, method="full")
    theirs = world.customer(o.project, o.colleague, "李女士")
    client.force_login(o.colleague)
    response = client.post(reverse("deals:new"), {
        "unit": unit.pk, "customer": theirs.pk, "deal_price": "100",
        "payment_method": "full", "idempotency_key": "k-3",
    })  # fmt: skip
    assert response.status_code == 409
    assert Deal.objects.filter(unit=unit).count() == 1


def test_the_card_moves_and_records(world, client):
    o = office(world)
    deal = subscribe(world, o, Unit.objects.get(building=building(o), floor=1, position=1),
                     method="full")  # fmt: skip
    client.force_login(o.consultant)
    response = client.post(reverse("deals:move", args=[deal.pk]), {"to": "signing"})
    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).stage == "signing"
    response = client.post(reverse("deals:move", args=[deal.pk]), {"to": "handover"})
    assert response.status_code == 400
    client.force_login(o.clerk)
    response = client.post(reverse("deals:receipt", args=[deal.pk]), {
        "amount": "50000", "method": "pos", "voucher": "POS-1", "idempotency_key": "r1"
    })  # fmt: skip
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.received_total == 5_000_000
    response = client.post(reverse("deals:receipt", args=[deal.pk]), {
        "amount": "9999999999", "method": "pos", "voucher": "POS-2", "idempotency_key": "r2"
    })  # fmt: skip
    assert response.status_code == 400


def test_a_colleagues_deal_is_not_found(world, client):
    o = office(world)
    deal = subscribe(world, o, Unit.objects.get(building=building(o), floor=1, position=1),
                     method="full")  # fmt: skip
    client.force_login(o.colleague)
    for name in ("deals:detail", "deals:move", "deals:receipt", "deals:plan"):
        method = client.get if name in ("deals:detail", "deals:plan") else client.post
        assert method(reverse(name, args=[deal.pk])).status_code == 404, name


@pytest.mark.parametrize("code", ["p1", "p2", "p3"])
def test_every_page_opens_in_each_trade(world, client, code):
    o = office(world, code)
    unit = None
    if code == "p1":
        unit = Unit.objects.get(building=building(o), floor=1, position=1)
    elif code == "p3":
        unit = vehicle(o)
    deal = subscribe(world, o, unit, method="full", deposit="1000")
    for user in (o.consultant, o.manager, o.clerk):
        client.force_login(user)
        for name, args in [("deals:board", []), ("deals:list", []), ("deals:detail", [deal.pk]),
                           ("deals:collections", []), ("deals:new", [])]:  # fmt: skip
            response = client.get(reverse(name, args=args), {"project": o.project.pk})
            expected = (200, 403) if name == "deals:new" else (200,)
            assert response.status_code in expected, (user, name, response.status_code)
    client.force_login(o.manager)
    assert client.get(reverse("deals:approvals")).status_code == 200
    assert client.get(reverse("deals:catalogue"), {"project": o.project.pk}).status_code == 200


def test_the_manager_approves_a_discount_on_the_approvals_page(world, client):
    o = office(world)
    unit = Unit.objects.get(building=building(o), floor=1, position=1)
    deal = subscribe(world, o, unit, price=str(unit.standard_price * 0.95 / 100), method="full")
    client.force_login(o.manager)
    page = client.get(reverse("deals:approvals"))
    assert deal.buyer_name in page.content.decode()
    approval = deal.approvals.get()
    response = client.post(reverse("deals:approval-decide", args=[approval.pk]),
                           {"decision": "approve"})  # fmt: skip
    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).discount_approved


def test_the_list_reads_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    o = office(world)
    b = building(o, floors=5, per_floor=4)
    for unit in Unit.objects.filter(building=b)[:12]:
        subscribe(world, o, unit, method="full")
    client.force_login(o.manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("deals:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("deals:board"), {"project": o.project.pk}).status_code == 200


def test_the_catalogue_builds_a_building_from_the_page(world, client):
    o = office(world)
    client.force_login(o.manager)
    response = client.post(reverse("deals:catalogue") + f"?project={o.project.pk}", {
        "what": "building", "name": "5", "floors": "18", "units_per_floor": "4",
        "pattern": "{building}-{floor}{unit:02d}", "skip_floors": "4,13", "layout": "3室",
        "gross_area": "120", "price_per_m2": "18000",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:1500]
    assert Unit.objects.filter(building__name="5").count() == 16 * 4
    client.force_login(o.consultant)
    assert client.get(reverse("deals:catalogue"), {"project": o.project.pk}).status_code == 403
    assert services  # the page calls the same service


def test_a_consultant_subscribes_any_of_their_customers_not_only_the_first(world, client):
    """The form offers every customer the consultant may sell to; the one chosen is the one
    subscribed, wherever it stands in the list (a lookup that consumed its key on the first
    row answered 500 for every other)."""
    o = office(world)
    b = building(o)
    mine = [world.customer(o.project, o.consultant, f"客户{i}") for i in range(3)]
    client.force_login(o.consultant)
    for i, customer in enumerate(mine):
        unit = Unit.objects.get(building=b, floor=1 + i, position=1)
        response = client.post(reverse("deals:new"), {
            "unit": unit.pk, "customer": customer.pk, "deal_price": str(unit.standard_price / 100),
            "payment_method": "full", "idempotency_key": f"any-{i}",
        })  # fmt: skip
        assert response.status_code == 302, (i, response.status_code)
        assert Deal.objects.get(unit=unit).customer == customer


def test_the_clerk_edits_the_payment_plan_on_its_page(world, client):
    o = office(world)
    deal = subscribe(world, o, Unit.objects.get(building=building(o), floor=1, position=1),
                     method="full", deposit="50000")  # fmt: skip
    client.force_login(o.clerk)
    page = client.get(reverse("deals:plan", args=[deal.pk]))
    assert page.status_code == 200
    today = timezone.localdate()
    data = {
        "line-TOTAL_FORMS": "3", "line-INITIAL_FORMS": "1", "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "60",
        "line-0-kind": "deposit", "line-0-due_on": today.isoformat(), "line-0-amount": "50000.00",
        "line-1-kind": "instalment", "line-1-due_on": (today + timedelta(7)).isoformat(),
        "line-1-amount": "300000",
        "line-2-kind": "", "line-2-due_on": "", "line-2-amount": "",
    }  # fmt: skip
    response = client.post(reverse("deals:plan", args=[deal.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    deal.refresh_from_db()
    assert deal.planned_total == 35_000_000


def test_a_stand_in_at_reception_is_proposed_on_the_subscription_with_half_the_credit(
    world, client
):
    """义务接待: the owner was out, a colleague received their customer at the desk; when the
    owner subscribes the customer, that colleague is proposed as the stand-in, and the deal
    splits the credit by the project's rule (50 % by default)."""
    from tests.assignment.helpers import reception

    r = reception(world)
    owner, colleague, _third = r.consultants
    customer = world.customer(r.project, owner, "老客户")
    r.sign_in(colleague)
    taken = r.walk_in(phone=customer.phone)
    assert (taken.entry.kind, taken.entry.consultant_id) == ("stand_in", colleague.pk)
    unit = Unit.objects.get(building=building(office(world)), floor=1, position=1)
    client.force_login(owner)
    form = client.get(reverse("deals:new"), {"unit": unit.pk, "customer": customer.pk})
    html = form.content.decode()
    assert f'<option value="{colleague.pk}" selected' in html
    response = client.post(reverse("deals:new"), {
        "unit": unit.pk, "customer": customer.pk, "deal_price": str(unit.standard_price / 100),
        "payment_method": "full", "deposit": "50000", "idempotency_key": "k-s",
        "stand_in": colleague.pk,
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:1500]
    deal = Deal.objects.get(unit=unit)
    assert (deal.stand_in_id, deal.stand_in_share) == (colleague.pk, 50)
