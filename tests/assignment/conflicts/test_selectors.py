"""Ownership conflicts (撞单) decided on evidence: the rule's proposal for each kind of case,
computed when the registration opens the conflict; deciding otherwise needs a note; a split
proposes the claimant as the deal's stand-in; both consultants are told the outcome without
each other's details."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.assignment import rules
from anchang.assignment.conflicts import selectors
from anchang.customers.models import Customer, OwnershipConflict, Registration
from anchang.customers.services import conflict_resolve
from anchang.errors import ValidationFailed
from anchang.followups.models import FollowUp
from anchang.followups.services import followup_record
from tests.deals.helpers import office


def _evidence(**kw):
    base = {"has_deal": False, "days_since_reached": None, "same_day": False,
            "claimant_visit": False, "via_second_phone": False}  # fmt: skip
    return rules.Evidence(**{**base, **kw})


@pytest.mark.parametrize(("facts", "outcome", "first"), [
    ({"has_deal": True, "days_since_reached": 400}, "kept", "deal"),
    ({"days_since_reached": 12}, "kept", "protected"),
    ({"days_since_reached": 30}, "kept", "protected"),
    ({"days_since_reached": 31}, "transferred", "lapsed"),
    ({}, "transferred", "never_reached"),
    ({"same_day": True, "days_since_reached": 0}, "split", "same_day"),
    ({"days_since_reached": 60, "claimant_visit": True}, "transferred", "lapsed"),
])  # fmt: skip
def test_the_rule_proposes_from_the_evidence(facts, outcome, first):
    proposed, reasons = rules.propose(_evidence(**facts), protection_days=30, same_day_split=True)
    assert proposed == outcome and reasons[0]["code"] == first
    assert all(rules.reason_text(r) for r in reasons)


def test_without_the_same_day_rule_the_protection_decides():
    proposed, _ = rules.propose(_evidence(same_day=True, days_since_reached=0),
                                protection_days=30, same_day_split=False)  # fmt: skip
    assert proposed == "kept"


def _conflict(world, o, *, reached_days_ago: int | None, kind: str = "call"):
    """The owner (o.consultant) registered a customer long ago, maybe reached them since;
    a colleague registers the same phone now. (The record is dated back afterwards: the
    registration and follow-up forms refuse dates over a month old.)"""
    first = world.register(o.consultant, o.project)
    Registration.objects.filter(pk=first.registration.pk).update(
        occurred_at=timezone.now() - timedelta(days=200)
    )
    customer = first.customer
    if reached_days_ago is not None:
        followup = followup_record(
            actor=o.consultant, customer=customer, kind="phone", reached=True,
            content="电话回访，客户说周末带家人再来看看样板间和户型，预算两百万左右",
        )  # fmt: skip
        FollowUp.objects.filter(pk=followup.pk).update(
            occurred_at=timezone.now() - timedelta(days=reached_days_ago)
        )
    world.register(o.colleague, o.project, kind=kind, phone=customer.phone)
    return OwnershipConflict.objects.get(customer=customer)


def test_a_conflict_opens_with_its_proposal(world):
    o = office(world)
    protected = _conflict(world, o, reached_days_ago=5)
    assert protected.proposed == "kept" and protected.proposal[0]["code"] == "protected"


def test_deciding_against_the_proposal_needs_a_note(world):
    o = office(world)
    c = _conflict(world, o, reached_days_ago=90)
    assert c.proposed == "transferred"
    with pytest.raises(ValidationFailed) as exc:
        conflict_resolve(actor=o.manager, conflict=c, decision="kept")
    assert exc.value.code == "override_needs_note"
    assert OwnershipConflict.objects.get(pk=c.pk).status == "open"
    conflict_resolve(actor=o.manager, conflict=c, decision="kept", note="客户明确要求原顾问")
    assert OwnershipConflict.objects.get(pk=c.pk).status == "kept"


def test_a_transfer_as_proposed_needs_no_note_and_moves_the_customer(world):
    o = office(world)
    c = _conflict(world, o, reached_days_ago=None)
    conflict_resolve(actor=o.manager, conflict=c, decision="transferred")
    assert Customer.objects.get(pk=c.customer_id).owner_id == o.colleague.pk


def test_both_are_told_the_outcome_without_each_others_details(world):
    o = office(world)
    c = _conflict(world, o, reached_days_ago=3)
    conflict_resolve(actor=o.manager, conflict=c, decision="split", note="两人都接待过")
    today = timezone.localdate()
    claimant = selectors.my_day_conflicts(o.colleague, today)["conflict_outcomes"][0]
    owner = selectors.my_day_conflicts(o.consultant, today)["conflict_outcomes"][0]
    assert claimant["customer"] is None and "****" in claimant["phone"]
    assert owner["customer"] == c.customer_id
    for told, other in ((claimant, o.consultant), (owner, o.colleague)):
        assert str(other) not in str(told) and other.username not in str(told)
