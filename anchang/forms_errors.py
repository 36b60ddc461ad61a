"""Put a DomainError onto a Django form, so the HTML door shows it beside the field."""

from django import forms

from anchang.errors import DomainError


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
