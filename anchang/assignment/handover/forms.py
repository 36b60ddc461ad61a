"""Input shapes of the assignment pages: the colleagues, the rule, the reasons."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anchang.assignment import rules


class SpreadForm(forms.Form):
    """Give the chosen customers (or a leaver's) to colleagues by a rule."""

    to = forms.TypedMultipleChoiceField(
        label=pgettext_lazy("give to", "To"), coerce=int, choices=(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    how = forms.ChoiceField(label=_("How"), choices=list(rules.SPREAD_LABELS.items()),
                            initial="least_loaded")  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=200)
    over_cap = forms.CharField(
        label=_("Over the hold cap, because (leave empty to respect it)"), max_length=200,
        required=False,
    )  # fmt: skip

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(c.user.pk, c.label) for c in people]


class AssignForm(SpreadForm):
    customers = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False,
                                               widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customers"].choices = [(c.pk, c.pk) for c in rows]


class HandoverForm(SpreadForm):
    leaver = forms.TypedChoiceField(label=_("Leaving colleague"), coerce=int, choices=())
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, leavers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaver"].choices = [("", "—")] + [(u.pk, str(u)) for u in leavers]
