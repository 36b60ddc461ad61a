"""Project-wide views: error pages that answer JSON under /api/ and HTML elsewhere."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import i18n

from anchang.api.errors import json_error
from anchang.redirects import is_safe_next


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def csrf_failure(request, reason: str = ""):
    message = _("Your form expired or came from another site. Reload the page and try again.")
    if _is_api(request):
        return json_error("csrf_failed", message, 403)
    return render(request, "errors/error.html", {"status": 403, "message": message}, status=403)


def page_not_found(request, exception=None):
    message = _("This page does not exist, or you do not have access to it.")
    if _is_api(request):
        return json_error("not_found", message, 404)
    return render(request, "errors/error.html", {"status": 404, "message": message}, status=404)


def permission_denied(request, exception=None):
    message = _("You do not have permission to do this.")
    if _is_api(request):
        return json_error("permission_denied", message, 403)
    return render(request, "errors/error.html", {"status": 403, "message": message}, status=403)


def bad_request(request, exception=None):
    message = _("The request could not be understood.")
    if _is_api(request):
        return json_error("bad_request", message, 400)
    return render(request, "errors/error.html", {"status": 400, "message": message}, status=400)


def server_error(request):
    message = _("Something went wrong on our side. It has been logged; please try again.")
    if _is_api(request):
        return json_error("server_error", message, 500)
    return render(request, "errors/error.html", {"status": 500, "message": message}, status=500)


def set_language(request):
    """Django's language switch, whose return URL (`next`, else the Referer) must also pass
    the product's one rule: a path on this site, or the home page."""
    response = i18n.set_language(request)
    if response.has_header("Location") and not is_safe_next(request, response["Location"]):
        response["Location"] = "/"
    return response
