"""派单: the rules propose the next designer (pure, tests/deals/test_rules.py has the edges);
a manager confirms or overrides with a reason; the cap holds on every path; a refusal
pauses the designer and proposes the next."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from anchang.deals import services
from anchang.deals.models import Deal, DesignerProfile, Dispatch
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.conftest import make_user
from tests.deals.helpers import office, subscribe


def _designers(world, o, n=3):
    users = [o.designer]
    for i in range(1, n):
        user = make_user(f"designer{i}", f"设计师{i}")
        membership_grant(user=user, role=Role.DESIGNER, company=world.company, project=o.project)
        users.append(user)
    for i, user in enumerate(users):
        services.designer_profile_set(actor=o.manager, project=o.project, user=user,
                                      priority=10 * (i + 1), styles=["modern"] if i else [],
                                      senior=i == 0)  # fmt: skip
    return users


def _order(world, o, price="100000", style=""):
    customer = world.customer(o.project, o.consultant, "装修客户")
    if style:
        Customer = customer.__class__
        Customer.objects.filter(pk=customer.pk).update(decor_style=style)
        customer.refresh_from_db()
    return subscribe(world, o, None, price=price, method="full", deposit="2000",
                     customer=customer)  # fmt: skip


def test_a_deposit_gets_a_proposal_by_priority_and_style(world):
    o = office(world, "p2")
    first, second, third = _designers(world, o)
    plain = _order(world, o)
    assert Dispatch.objects.get(deal=plain).proposed == first  # priority
    modern = _order(world, o, style="modern")
    proposal = Dispatch.objects.get(deal=modern)
    assert proposal.proposed == second and "style_fit" in proposal.reasons


def test_a_large_order_goes_to_a_senior_designer(world):
    o = office(world, "p2")
    first, *_rest = _designers(world, o)
    big = _order(world, o, price="300000", style="modern")
    assert Dispatch.objects.get(deal=big).proposed == first


def test_the_manager_confirms_and_the_cap_holds_on_every_path(world):
    o = office(world, "p2")
    first, second, third = _designers(world, o)
    deals = [_order(world, o) for _ in range(4)]
    for deal in deals[:3]:
        dispatch = Dispatch.objects.get(deal=deal, status="proposed")
        services.dispatch_decide(actor=o.manager, dispatch=dispatch, designer=first,
                                 note="客户指定")  # fmt: skip
    assert Deal.objects.filter(designer=first).count() == 3
    # the fourth order was proposed before the others were given: confirming it, or giving
    # it to the designer at the cap by hand, is refused
    fourth = Dispatch.objects.get(deal=deals[3], status="proposed")
    for chosen in (None, first):
        note = "指定" if chosen and fourth.proposed != first else ""
        with pytest.raises(Conflict) as exc:
            services.dispatch_decide(actor=o.manager, dispatch=fourth, designer=chosen, note=note)
        assert exc.value.code == "dispatch_cap"
    assert Deal.objects.get(pk=deals[3].pk).designer is None
    # a new order is proposed to someone under the cap
    fifth = _order(world, o)
    assert Dispatch.objects.get(deal=fifth, status="proposed").proposed != first


def test_an_override_needs_a_reason(world):
    o = office(world, "p2")
    first, second, _third = _designers(world, o)
    deal = _order(world, o)
    dispatch = Dispatch.objects.get(deal=deal, status="proposed")
    with pytest.raises(ValidationFailed) as exc:
        services.dispatch_decide(actor=o.manager, dispatch=dispatch, designer=second)
    assert "note" in exc.value.fields
    services.dispatch_decide(actor=o.manager, dispatch=dispatch, designer=second, note="老客户")
    dispatch.refresh_from_db()
    assert dispatch.status == "overridden" and dispatch.designer == second


def test_a_consultant_does_not_dispatch(world):
    o = office(world, "p2")
    _designers(world, o)
    deal = _order(world, o)
    dispatch = Dispatch.objects.get(deal=deal, status="proposed")
    with pytest.raises(PermissionDenied):
        services.dispatch_decide(actor=o.consultant, dispatch=dispatch)


def test_a_refusal_is_logged_pauses_the_designer_and_proposes_the_next(world):
    o = office(world, "p2")
    first, second, _third = _designers(world, o)
    deal = _order(world, o)
    services.dispatch_decide(actor=o.manager, dispatch=Dispatch.objects.get(deal=deal))
    deal.refresh_from_db()
    assert deal.designer == first
    services.dispatch_refuse(actor=first, deal=deal, note="档期已满")
    deal.refresh_from_db()
    assert deal.designer is None
    profile = DesignerProfile.objects.get(user=first)
    assert profile.paused_until is not None
    assert Dispatch.objects.filter(deal=deal, status="refused", designer=first).exists()
    assert Dispatch.objects.get(deal=deal, status="proposed").proposed == second
    with pytest.raises(PermissionDenied):
        services.dispatch_refuse(actor=second, deal=deal, note="不是我的")


def test_the_designer_works_the_order_to_completion(world, client):
    o = office(world, "p2")
    first, *_rest = _designers(world, o)
    deal = _order(world, o)
    client.force_login(o.manager)
    dispatch = Dispatch.objects.get(deal=deal)
    response = client.post(reverse("deals:dispatch-decide", args=[dispatch.pk]), {"assign_to": ""})
    assert response.status_code == 302
    client.force_login(first)
    assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 200
    for stage in ("measuring", "design_fee", "quote", "contract", "started", "completed"):
        response = client.post(reverse("deals:move", args=[deal.pk]), {"to": stage})
        assert response.status_code == 302, (stage, response.status_code)
    assert Deal.objects.get(pk=deal.pk).stage == "completed"
    assert Deal.objects.get(pk=deal.pk).customer.state == "owner"


def test_the_dispatch_pages_open(world, client):
    o = office(world, "p2")
    _designers(world, o)
    _order(world, o)
    client.force_login(o.manager)
    assert client.get(reverse("deals:dispatch")).status_code == 200
    page = client.get(reverse("deals:designers"), {"project": o.project.pk})
    assert page.status_code == 200
    client.force_login(o.consultant)
    assert client.get(reverse("deals:dispatch")).status_code == 403


def test_not_converting_designers_are_skipped():
    from datetime import date

    from anchang.deals import rules

    conf = rules.DealRules()
    today = date(2026, 12, 1)
    weak = rules.Candidate(1, 1, (), False, 0, None, quotes=6, contracts=1)
    fine = rules.Candidate(2, 9, (), False, 2, None, quotes=6, contracts=2)
    paused = rules.Candidate(3, 0, (), False, 0, today + timedelta(days=1), 0, 0)
    proposal = rules.propose_designer([weak, fine, paused], style="", amount_fen=1, today=today,
                                      conf=conf)  # fmt: skip
    assert proposal.user_id == 2
