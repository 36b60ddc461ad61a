"""Security headers and request-size limits applied to every response."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from anchang.audit.context import AuditContext, audit_context

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ProxyClientAddressMiddleware:
    """Behind one trusted reverse proxy (ANCHANG_BEHIND_PROXY=1), take the client address
    from the last X-Forwarded-For hop, the one the proxy itself appended; earlier hops are
    whatever the client claimed. Audit entries and log-in lock-outs then name the client,
    not the proxy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.BEHIND_PROXY

    def __call__(self, request):
        if self.enabled:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            last_hop = forwarded.split(",")[-1].strip()
            if last_hop:
                request.META["REMOTE_ADDR"] = last_hop
        return self.get_response(request)


class AuditContextMiddleware:
    """Hands the audit log the client's address for the length of the request, so services
    take plain values and no HttpRequest. After ProxyClientAddressMiddleware, which sets
    the address. The actor is not taken here: services name it (an API token's user is
    known only once DRF has authenticated, inside the view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(AuditContext.of(request)):
            return self.get_response(request)


class SecurityHeadersMiddleware:
    """CSP and a few headers Django 5.2 does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/docs/"):
            # Swagger UI needs inline styles and its own bootstrap script.
            response.headers.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ).replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
            )
        else:
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        # Set, not defaulted: Swagger UI's view asks for unsafe-none (for OAuth2 pop-ups,
        # which Anchang does not use).
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


def body_limit(view, limit_setting: str = "ANCHANG_MAX_FILE_BYTES"):
    """Mark a view that takes a file: its requests may be as large as the setting says."""
    view.body_limit_setting = limit_setting
    return view


class BodySizeLimitMiddleware:
    """Refuse oversized bodies before anything reads them (DRF's parsers read the stream
    directly and would otherwise bypass DATA_UPLOAD_MAX_MEMORY_SIZE). Checked when the view
    is known, before the CSRF check reads the form: a view taking a file (`body_limit`) has
    a larger limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = getattr(
            settings, getattr(view_func, "body_limit_setting", "ANCHANG_MAX_BODY_BYTES")
        )
        if length > limit:
            limit_kb = limit // 1024
            message = _("The request is too large (limit %(kb)s KB).") % {"kb": limit_kb}
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "too_large", "message": message, "fields": {}}, status=413
                )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return None
