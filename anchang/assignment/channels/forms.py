"""Input shapes of the channel pages."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.assignment.models import ChannelCompany, ChannelReport
from anchang.customers.phones import PHONE_INPUT_MAX
from anchang.validators import max_length_of


class ReportForm(forms.Form):
    name = forms.CharField(label=_("Customer's name"),
                           max_length=max_length_of(ChannelReport, "name"))  # fmt: skip
    phone = forms.CharField(
        label=_("Mobile"), max_length=PHONE_INPUT_MAX,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"idempotency_key": uuid.uuid4().hex})
        super().__init__(*args, **kwargs)


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Company"), max_length=max_length_of(ChannelCompany, "name"))
    contact = forms.CharField(label=_("Contact"), required=False,
                              max_length=max_length_of(ChannelCompany, "contact"))  # fmt: skip


class AgentForm(forms.Form):
    company = forms.TypedChoiceField(label=_("Company"), coerce=int, choices=())
    user = forms.TypedChoiceField(label=_("Agent"), coerce=int, choices=())

    def __init__(self, *args, companies=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]
        self.fields["user"].choices = [(u.pk, str(u)) for u in people]


class ChannelDecideForm(forms.Form):
    credit = forms.TypedChoiceField(
        label=_("Whose visit"), coerce=lambda v: v == "1",
        choices=[("1", _("The channel's")), ("0", _("The visitor's own"))],
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
