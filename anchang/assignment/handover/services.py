"""Assignment and handover: customers given to colleagues in bulk by a rule (least loaded or
in turn), under the pool's hold cap unless the manager goes over it with a reason. The queue
of unowned customers, customers whose follow-up lapsed and a leaver's whole book all move
the same way: each customer through `customers.services.customer_reassign`, the one
ownership service (its history, its audit entry, the events that move open revisit and
milestone tasks along), in one transaction: all move or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from anchang.assignment import policies, rules
from anchang.assignment.errors import Code
from anchang.assignment.handover import selectors
from anchang.customers.models import Customer
from anchang.customers.services import customer_reassign
from anchang.errors import ValidationFailed
from anchang.org.models import Project, User
from anchang.pool.rules import POOL_STATES
from anchang.validators import fold_spaces

TAKERS_MAX = 50


@dataclass(frozen=True)
class Plan:
    """Who would get how many, before anything moves (a handover's preview)."""

    customers: list[Customer]
    takers: list[selectors.Colleague]
    to: dict[int, list[int]]  # taker → customer ids
    left: tuple[int, ...]  # customers nobody could take under the cap

    def count(self, user_id: int) -> int:
        return len(self.to.get(user_id, ()))


def _takers(project: Project, to: Sequence[User], *, exclude: int | None = None):
    """The colleagues chosen, as the spread reads them; refused if any is not an active
    colleague of the project who holds customers."""
    if not to:
        raise ValidationFailed(fields={"to": _("Choose at least one colleague.")})
    if len(to) > TAKERS_MAX:
        raise ValidationFailed(
            fields={"to": _("At most %(n)d colleagues at once.") % {"n": TAKERS_MAX}}
        )
    wanted = list(dict.fromkeys(u.pk for u in to))
    if exclude in wanted:
        raise ValidationFailed(fields={"to": _("Hand them to someone else than the leaver.")})
    known = {c.user.pk: c for c in selectors.colleagues(project)}
    if any(pk not in known for pk in wanted):
        # an unknown id, an inactive user and another project's alike
        raise ValidationFailed(
            fields={"to": _("Choose active colleagues of this project who hold customers.")},
            code=Code.NOT_A_RECEIVER,
        )
    return [known[pk] for pk in wanted]


def plan(
    *, actor: User, project: Project, customers: Sequence[Customer], to: Sequence[User],
    how: str = "least_loaded", over_cap: bool = False, exclude: int | None = None,
) -> Plan:  # fmt: skip
    """Who would get which customer (nothing moves)."""
    policies.ensure_can_assign(actor=actor, project=project)
    if how not in rules.SPREADS:
        raise ValidationFailed(fields={"how": _("Choose least loaded or in turn.")})
    takers = _takers(project, to, exclude=exclude)
    spread = rules.spread(
        [(c.pk, c.state in POOL_STATES) for c in customers],
        [
            rules.Taker(t.user.pk, t.held, None if over_cap else max(t.cap - t.held, 0))
            for t in takers
        ],
        how=how,
    )
    return Plan(customers=list(customers), takers=takers, to=spread.to, left=spread.left)


def _reason(text: str, field: str, required: bool) -> str:
    text = fold_spaces(text)
    if required and not text:
        raise ValidationFailed(fields={field: _("Give a reason.")})
    if len(text) > 200:
        raise ValidationFailed(fields={field: _("At most %(n)d characters.") % {"n": 200}})
    return text


@transaction.atomic
def customers_spread(
    *, actor: User, project: Project, customers: Sequence[Customer], to: Sequence[User],
    how: str = "least_loaded", reason: str, over_cap: str = "", exclude: int | None = None,
) -> Plan:  # fmt: skip
    """Give `customers` to the colleagues `to`: all of them, or none with the reason."""
    reason = _reason(reason, "reason", required=True)
    over_cap = _reason(over_cap, "over_cap", required=False)
    if not customers:
        raise ValidationFailed(
            fields={"customers": _("Choose the customers to assign.")},
            code=Code.NOTHING_TO_HAND_OVER,
        )
    if len(customers) > selectors.LIST_MAX * 10:
        raise ValidationFailed(fields={"customers": _("Too many at once.")})
    chosen = plan(actor=actor, project=project, customers=customers, to=to, how=how,
                  over_cap=bool(over_cap), exclude=exclude)  # fmt: skip
    if chosen.left:
        room = sum(max(t.cap - t.held, 0) for t in chosen.takers)
        raise ValidationFailed(
            fields={"to": _(
                "The colleagues chosen can take %(room)d more customers in play under the "
                "hold cap; %(left)d would be left. Choose more colleagues, or go over the cap "
                "with a reason."
            ) % {"room": room, "left": len(chosen.left)}},
            code=Code.HOLD_CAP,
        )  # fmt: skip
    by_id = {c.pk: c for c in customers}
    people = {t.user.pk: t.user for t in chosen.takers}
    for user_id, ids in chosen.to.items():
        for customer_id in ids:
            customer_reassign(
                actor=actor, customer=by_id[customer_id], new_owner_id=user_id, reason=reason,
                over_cap=over_cap, new_owner=people[user_id],
            )  # fmt: skip
    return chosen


def handover(
    *, actor: User, project: Project, leaver: User, to: Sequence[User],
    how: str = "least_loaded", reason: str, over_cap: str = "",
) -> Plan:  # fmt: skip
    """离职交接: every customer the leaver holds in the project, balanced over `to`, with their
    history; open revisit and milestone tasks follow each customer to the new owner."""
    policies.ensure_can_assign(actor=actor, project=project)
    customers = list(selectors.held_by(actor, project, leaver.pk)[: selectors.LIST_MAX * 10])
    if not customers:
        raise ValidationFailed(
            fields={"leaver": _("This colleague holds no customers here.")},
            code=Code.NOTHING_TO_HAND_OVER,
        )
    return customers_spread(
        actor=actor, project=project, customers=customers, to=to, how=how, reason=reason,
        over_cap=over_cap, exclude=leaver.pk,
    )  # fmt: skip
