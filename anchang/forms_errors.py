"""Put a DomainError onto a Django form, so the HTML door shows it beside the field."""

from django import forms
from django.core.exceptions import PermissionDenied

from anchang.errors import DomainError
from anchang.errors import PermissionDenied as DomainPermissionDenied


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
