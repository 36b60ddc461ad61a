"""Navigation by role, and one CSRF token per page. Features that land later are listed
plainly and link nowhere."""

from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from anchang.customers.selectors import customers_q, registers_anywhere
from anchang.org import policies
from anchang.org.models import Role
from anchang.org.selectors import actor_grants, actor_roles
from anchang.templatetags.row_urls import fixed_url

# (label, the page in permissions.yaml whose roles see the item) while it links nowhere
LATER = [
    (_("Reports"), "reports"),
]


# The menu by what it depends on: the grants, the admin flags and the script prefix. A few
# dozen combinations at most (roles × scopes); building one took ~0.1 ms of every page.
_MENUS: dict[tuple, dict] = {}
_MENUS_MAX = 1000


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    key = _menu_key(user)
    menu = _MENUS.get(key)
    if menu is None:
        if len(_MENUS) >= _MENUS_MAX:
            _MENUS.clear()
        menu = _MENUS[key] = _menu(user)
    return {**menu, "nav_section": _section(request)}


def _menu_key(user) -> tuple:
    return (actor_grants(user), user.is_superuser, user.is_active, get_script_prefix())


def _menu(user) -> dict:
    """The items, roles and flags for `user`: read from its grants alone (the labels are
    lazy, translated when a page prints them)."""
    roles = actor_roles(user)
    items = [{"label": _("Home"), "url": fixed_url("home"), "key": "home"}]
    if registers_anywhere(user):
        items.append(_item(_("Register call / visit"), "customers:register", "register"))
    if policies.can_open_page(actor=user, page="reception"):
        items.append(_item(_("Reception"), "assignment:reception", "reception"))
    if customers_q(user, "list") is not None:
        items.append(_item(_("Customers"), "customers:list", "list"))
    if policies.can_open_page(actor=user, page="channel"):
        items.append(_item(_("Report a customer"), "assignment:channel-report", "channel-report"))
    if policies.can_open_page(actor=user, page="channel_reports"):
        items.append(_item(_("Channel reports"), "assignment:channel-reports", "channel-reports"))
    if policies.can_open_page(actor=user, page="assignment"):
        items.append(_item(_("Assignment"), "assignment:queue", "assign"))
    if policies.can_open_page(actor=user, page="imports"):
        items.append(_item(_("Imports"), "assignment:imports", "imports"))
    if customers_q(user, "reassign") is not None:
        items.append(_item(_("Conflicts"), "customers:conflicts", "conflicts"))
        items.append(_item(_("Loss applications"), "followups:loss-queue", "loss"))
    if policies.can_open_page(actor=user, page="pool"):
        items.append(_item(_("Shared pool"), "pool:list", "pool"))
    if policies.can_open_page(actor=user, page="reviews"):
        items.append(_item(_("Follow-up review"), "followups:reviews", "reviews"))
    plans = policies.can_open_page(actor=user, page="revisit_plans")
    if plans:
        items.append(_item(_("Revisit plans"), "followups:revisit-plans", "revisits"))
    if policies.can_open_page(actor=user, page="media"):
        items.append(_item(_("Media"), "customers:media", "media"))
    if policies.can_open_page(actor=user, page="deals"):
        items.append(_item(_("Sales control"), "deals:board", "board"))
        items.append(_item(_("Deals"), "deals:list", "deals"))
    if policies.can_open_page(actor=user, page="care_batches"):
        items.append(_item(_("Batches"), "care:batches", "batches"))
    for label, page in LATER:
        if policies.can_open_page(actor=user, page=page):
            items.append({"label": label, "url": None, "key": None})
    if policies.can_open_page(actor=user, page="audit_log"):
        items.append(_item(_("Audit log"), "audit:list", "audit"))
    if policies.can_open_page(actor=user, page="project_settings"):
        items.append(_item(_("Project rules"), "org:projects", "org"))
    if policies.can_open_page(actor=user, page="staff_tokens"):
        items.append(_item(_("Staff API tokens"), "org:staff-tokens", "staff-tokens"))
    role_labels = [Role(r).label for r in sorted(roles)]
    return {
        "nav_items": items,
        "nav_roles": role_labels,
        "nav_admin_site": policies.can_use_admin_site(user),
        "nav_revisit_plans": plans,  # the customer list offers "plan a revisit" from its filter
    }


def _item(label, url_name: str, key: str) -> dict:
    return {"label": label, "url": fixed_url(url_name), "key": key}


def _section(request) -> str:
    """Which menu item the page belongs to, for the highlight."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.app_name == "customers":
        if match.url_name in ("register", "conflicts"):
            return match.url_name
        return "media" if match.url_name.startswith("medi") else "list"
    if match.app_name == "followups" and match.url_name == "loss-queue":
        return "loss"
    if match.app_name == "followups" and match.url_name in ("reviews", "review-counts",
                                                            "suspicious"):  # fmt: skip
        return "reviews"
    if match.app_name == "followups" and match.url_name.startswith("revisit"):
        return "revisits"
    if match.app_name == "assignment":
        if match.url_name.startswith("channel"):
            return "channel-report" if match.url_name == "channel-report" else "channel-reports"
        if match.url_name.startswith("import"):
            return "imports"
        return "assign" if match.url_name in ("queue", "lapsed", "handover") else "reception"
    if match.app_name == "deals":
        board = match.url_name.startswith(("board", "unit")) or match.url_name == "catalogue"
        return "board" if board else "deals"
    if match.view_name.startswith("care:batch"):
        return "batches"
    if match.app_name == "org" and match.url_name.startswith("staff-token"):
        return "staff-tokens"
    return match.app_name or match.url_name


def csrf_once(request) -> dict:
    """`csrf_input` and `csrf_token` masked once per page. Django's Jinja2 backend gives
    lazy ones that mask the token afresh each time a page prints them (32 reads of the
    system's random source each): a card with three forms masked it three times. Django's
    own template engine masks once per render too."""
    token = SimpleLazyObject(lambda: get_token(request))
    return {
        "csrf_token": token,
        "csrf_input": SimpleLazyObject(
            lambda: format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', str(token)
            )
        ),
    }
