"""Put a DomainError onto a Django form, so the HTML door shows it beside the field, and the
form → service → error skeleton every HTML form view shares."""

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from anchang.errors import DomainError
from anchang.errors import PermissionDenied as DomainPermissionDenied

T = TypeVar("T")


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    placed = False
    for field, message in error.fields.items():
        if field in form.fields:
            form.add_error(field, str(message))
            placed = True
    # The summary goes on top too when it says more than "some fields are not valid":
    # on a long phone form the person starts reading at the top.
    if not placed or str(error.message) != str(type(error).default_message):
        form.add_error(None, str(error.message))


def form_error(form: forms.Form, error: DomainError) -> int:
    """Show a service's refusal on the form and return the page's status. A permission
    refusal becomes Django's 403 page, like a forbidden GET."""
    if isinstance(error, DomainPermissionDenied):
        raise PermissionDenied from error
    add_domain_error(form, error)
    return error.status if error.status in (400, 409, 429) else 400


class Submitted(NamedTuple):
    """What `submit_form` made of a POST: the redirect after a success (None when the view
    renders the page itself), the status to render with, and what the service returned
    (None unless it succeeded)."""

    response: HttpResponse | None
    status: int
    result: Any = None


def submit_form(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[dict[str, Any]], T],
    *,
    done: str | Callable[[T], str] | None = None,
    to: str | Callable[[T], str] | None = None,
) -> Submitted:
    """The HTML door's skeleton: a valid form calls one service with its cleaned data; a
    refusal goes beside the field (`form_error`: 400, 409 or 429, a permission refusal is
    the 403 page); a success flashes `done` and redirects to `to` (a path or URL name: give
    `next_from(request)` to honour a safe `next`). Either may be a function of what the
    service returned; without `to` the view renders the page itself from `result` (a token's
    secret shown once, a revealed phone)."""
    if not form.is_valid():
        return Submitted(None, 400)
    try:
        result = call(form.cleaned_data)
    except DomainError as error:
        return Submitted(None, form_error(form, error))
    if done is not None:
        messages.success(request, done(result) if callable(done) else done)
    if to is None:
        return Submitted(None, 200, result)
    return Submitted(redirect(to(result) if callable(to) else to), 200, result)
