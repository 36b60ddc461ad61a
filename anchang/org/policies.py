"""Who may open which page; customer-level rules live in customers.policies."""

from anchang import permissions
from anchang.errors import PermissionDenied
from anchang.org.models import User
from anchang.org.selectors import actor_roles


def can_open_page(*, actor: User, page: str) -> bool:
    return bool(actor_roles(actor) & permissions.page_roles(page))


def ensure_can_open_page(*, actor: User, page: str) -> None:
    if not can_open_page(actor=actor, page=page):
        raise PermissionDenied()


def can_use_admin_site(actor: User) -> bool:
    return actor.is_active and (actor.is_superuser or can_open_page(actor=actor, page="admin_site"))
