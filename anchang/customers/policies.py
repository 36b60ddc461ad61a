"""Customer-level permission checks, read from the permission matrix."""

from anchang import permissions
from anchang.customers.models import Customer
from anchang.customers.scope import actor_may, customer_relation, customers_q
from anchang.errors import PermissionDenied
from anchang.org.models import Project, User
from anchang.org.selectors import project_ids_where


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
    """Shown without asking to the relations the matrix names (`fields.phone_full`: the
    owner). Others with `reveal` must ask (audited)."""
    return customer_relation(actor, customer) in permissions.phone_full_relations()


def can_see_sensitive(*, actor: User, customer: Customer) -> bool:
    """Income, assets and family (`fields.sensitive`), for the relations the role's
    `sensitive` entry names."""
    return actor_may(actor, permissions.SENSITIVE, customer)


def hidden_fields(*, actor: User, customer: Customer) -> frozenset[str]:
    """The customer's fields this actor may not read (empty when they may read all)."""
    if can_see_sensitive(actor=actor, customer=customer):
        return frozenset()
    return frozenset(permissions.sensitive_fields())


def can_reveal_phone(*, actor: User, customer: Customer) -> bool:
    return actor_may(actor, "reveal", customer)


def ensure_can_reveal_phone(*, actor: User, customer: Customer) -> None:
    if not can_reveal_phone(actor=actor, customer=customer):
        raise PermissionDenied()


def can_edit_media(*, actor: User, project: Project) -> bool:
    roles = permissions.page_roles("media")
    return project.pk in project_ids_where(actor, set(roles))


def ensure_can_edit_media(*, actor: User, project: Project) -> None:
    if not can_edit_media(actor=actor, project=project):
        raise PermissionDenied()
