"""Navigation by role. Features that land later are listed plainly and link nowhere."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anchang.customers.selectors import customers_q
from anchang.org import policies
from anchang.org.models import Role
from anchang.org.selectors import actor_roles

SALES_ROLES = {Role.CONSULTANT, Role.MANAGER}

# (label, url name or None while the feature is not built yet, who sees the item)
LATER = [
    (_("Register call / visit"), SALES_ROLES | {Role.ADMIN}),
    (_("Follow-ups"), SALES_ROLES | {Role.ADMIN}),
    (_("Shared pool"), SALES_ROLES | {Role.ADMIN}),
    (_("Deals"), SALES_ROLES | {Role.CLERK, Role.ADMIN}),
    (_("Reports"), {Role.MANAGER, Role.MARKETING, Role.PLANNER, Role.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = actor_roles(user)
    items = [{"label": _("Home"), "url": reverse("home"), "key": "home"}]
    if customers_q(user, "list") is not None:
        items.append(
            {"label": _("Customers"), "url": reverse("customers:list"), "key": "customers"}
        )
    for label, who in LATER:
        if roles & who:
            items.append({"label": label, "url": None, "key": None})
    if policies.can_open_page(actor=user, page="audit_log"):
        items.append({"label": _("Audit log"), "url": reverse("audit:list"), "key": "audit"})
    if policies.can_open_page(actor=user, page="project_settings"):
        items.append({"label": _("Project rules"), "url": reverse("org:projects"), "key": "org"})
    section = (
        (request.resolver_match.app_name or request.resolver_match.url_name)
        if getattr(request, "resolver_match", None)
        else ""
    )
    role_labels = [Role(r).label for r in sorted(roles)]
    return {
        "nav_items": items,
        "nav_section": section,
        "nav_roles": role_labels,
        "nav_admin_site": policies.can_use_admin_site(user),
    }
