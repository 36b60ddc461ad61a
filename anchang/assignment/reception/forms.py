"""Input shapes of the reception desk and the roster (the services validate the rest)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.assignment import rules
from anchang.assignment.models import DutyEntry, TurnEntry
from anchang.customers.phones import PHONE_INPUT_MAX
from anchang.validators import max_length_of


class WalkInForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile (if given)"), max_length=PHONE_INPUT_MAX, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    visitor = forms.CharField(
        label=_("Who came"), max_length=max_length_of(TurnEntry, "visitor"), required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Mr Wang, 2 people")}),
    )  # fmt: skip
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"idempotency_key": uuid.uuid4().hex})
        super().__init__(*args, **kwargs)


class SignInForm(forms.Form):
    consultant = forms.TypedChoiceField(label=_("Consultant"), coerce=int, choices=())
    slot_start = forms.TimeField(label=_("Slot from"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}))  # fmt: skip
    slot_end = forms.TimeField(label=_("Slot until"), required=False,
                               widget=forms.TimeInput(attrs={"type": "time"}))  # fmt: skip

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].choices = [(u.pk, str(u)) for u in people]


class DutySetForm(forms.Form):
    status = forms.ChoiceField(choices=DutyEntry.Status.choices)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                 widget=forms.HiddenInput)  # fmt: skip


class SkipForm(forms.Form):
    consultant = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=list(rules.SKIP_REASONS.items()), initial="no_answer")
