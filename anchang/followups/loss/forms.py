"""Input shapes of the loss pages: the application, and a manager's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.followups.models import LossApplication


class LossApplyForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the customer lost?"),
        choices=LossApplication.Reason.choices,
        widget=forms.RadioSelect,
    )
    competitor = forms.CharField(label=_("Bought from (competitor)"), max_length=100,
                                 required=False)  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class LossDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: the customer is lost")),
                 ("reject", _("Reject: keep following up"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(label=_("Comment for the consultant"), max_length=500,
                              required=False)  # fmt: skip
