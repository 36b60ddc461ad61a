"""Where a page may send the browser after it acts: a `next` the client chose is followed
only when it stays on this site; anything else falls back to the page's own default."""

from __future__ import annotations

import unicodedata

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request: HttpRequest, url: str | None) -> bool:
    """True for a path on this site (`/customers/7/?tab=x`), never for another host, a
    scheme such as `javascript:`, a protocol-relative `//host`, a backslash trick or a
    control character. Only site-relative paths pass: a bare word would be taken for a URL
    name by `redirect()`, and nothing in the product needs an absolute URL back."""
    if not url or not isinstance(url, str) or len(url) > 2000:
        return False
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(unicodedata.category(ch)[0] in {"C", "Z"} and ch != " " for ch in url):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, url: str | None, default: str = "home", **kwargs) -> str:
    """`url` when it is safe, else the default (a URL name with its kwargs, or a path)."""
    if is_safe_next(request, url):
        return url
    return resolve_url(default, **kwargs)


def next_from(request: HttpRequest, default: str = "home", **kwargs) -> str:
    """The request's `next` (POST first, then the query string), checked."""
    url = request.POST.get("next") or request.GET.get("next")
    return safe_next(request, url, default, **kwargs)


def next_or_empty(request: HttpRequest) -> str:
    """The request's `next` to carry into a form's hidden field: '' when it is not safe."""
    url = request.POST.get("next") or request.GET.get("next")
    return url if is_safe_next(request, url) else ""
