"""Customer-level permission checks, read from the permission matrix."""

from anchang.customers.models import Customer
from anchang.customers.selectors import actor_may, customers_q
from anchang.errors import PermissionDenied
from anchang.org.models import User


def can_edit_customer(*, actor: User, customer: Customer) -> bool:
    return actor_may(actor, "edit", customer)


def ensure_can_edit_customer(*, actor: User, customer: Customer) -> None:
    if not can_edit_customer(actor=actor, customer=customer):
        raise PermissionDenied()


def can_reassign_customer(*, actor: User, customer: Customer) -> bool:
    return actor_may(actor, "reassign", customer)


def ensure_can_reassign_customer(*, actor: User, customer: Customer) -> None:
    if not can_reassign_customer(actor=actor, customer=customer):
        raise PermissionDenied()


def can_export_customers(*, actor: User) -> bool:
    return customers_q(actor, "export") is not None


def ensure_can_export_customers(*, actor: User) -> None:
    if not can_export_customers(actor=actor):
        raise PermissionDenied()


def can_see_full_phone(*, actor: User, customer: Customer) -> bool:
    # The reveal workflow (a POST with a reason, audited, capped) arrives with intake;
    # until then only the owner sees the number in full.
    return customer.owner_id == actor.pk
