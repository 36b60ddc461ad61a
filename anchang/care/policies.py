"""Who may do what in owner care, read from permissions.yaml: the duties `sends_messages` and
`records_consent`, in the projects where the role is held; a message or a consent of one
customer needs that customer visible too (the customers matrix decides: a consultant's own,
a manager's project)."""

from __future__ import annotations

from anchang import permissions
from anchang.errors import PermissionDenied
from anchang.org.models import User
from anchang.org.selectors import project_ids_where


def duty_project_ids(actor: User, duty: str) -> frozenset[int]:
    return project_ids_where(actor, set(permissions.duty_roles(duty)))


def can(actor: User, duty: str, project_id: int) -> bool:
    return project_id in duty_project_ids(actor, duty)


def ensure_can(actor: User, duty: str, project_id: int) -> None:
    if not can(actor, duty, project_id):
        raise PermissionDenied()


def can_message_customer(actor: User, customer) -> bool:
    """An SMS to one customer: who may read the customer and sends messages there."""
    from anchang.customers.scope import actor_may

    return can(actor, "sends_messages", customer.project_id) and actor_may(actor, "view", customer)


def can_record_consent(actor: User, customer) -> bool:
    from anchang.customers.scope import actor_may

    return can(actor, "records_consent", customer.project_id) and actor_may(actor, "view", customer)


def ensure_visible(actor: User, customer) -> None:
    """A customer the actor may not read is not there (404), whatever else they may do."""
    from anchang.customers.scope import actor_may
    from anchang.errors import NotFound

    if not actor_may(actor, "view", customer):
        raise NotFound()
