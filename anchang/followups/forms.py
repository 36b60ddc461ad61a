"""Input shapes for recording follow-ups and setting grades."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.followups import rules
from anchang.followups.models import FollowUp, LossApplication

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

CRITERIA_LABELS = {
    "accepts_product": _("Accepts the product (brand, location, layout…)"),
    "accepts_price": _("Accepts the price"),
    "purchasing_power": _("Can afford it and the payment schedule"),
    "unit_chosen": _("Has chosen a unit, or a clear intent"),
    "attention": _("Came or called 2–3 times or more"),
    "decision_maker": _("The decision maker has visited and agrees"),
}
SIGNAL_LABELS = {
    "deep_questions": _("Asked deep questions (fees, handover, materials)"),
    "narrowed_units": _("Narrowed down to 2–3 units"),
    "returned_within_3_days": _("Came back within 3 days"),
    "bargaining": _("Bargained"),
    "asked_payment": _("Asked about payment or loans"),
}
TRISTATE = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("How"), choices=FollowUp.Kind.choices, widget=forms.RadioSelect, initial="phone"
    )
    reached = forms.TypedChoiceField(
        label=_("Reached the customer (or a direct relative)?"),
        choices=[("yes", _("Yes")), ("no", _("No answer / switched off"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    content = forms.CharField(
        label=_("What was said"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )  # fmt: skip
    grade = forms.ChoiceField(label=_("Grade at this contact"), required=False)
    signals = forms.MultipleChoiceField(
        label=_("Buying signals"),
        choices=list(SIGNAL_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    impression = forms.CharField(label=_("Impression"), max_length=200, required=False)
    bottleneck = forms.CharField(label=_("Bottleneck"), max_length=200, required=False)
    plan = forms.CharField(label=_("Plan"), max_length=200, required=False)
    next_on = forms.DateField(label=_("Next follow-up (empty: by cadence)"), widget=DATE,
                              required=False)  # fmt: skip
    occurred_at = forms.DateTimeField(label=_("When (empty: now)"), widget=DATETIME,
                                      required=False)  # fmt: skip
    # A new key per rendered form: a double tap or a resubmit of this form is one follow-up.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, scale=("A", "B", "C", "D"), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("Unchanged"))] + [(g, g) for g in scale]
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why"), max_length=200, required=False)

    def __init__(self, *args, scale=("A", "B", "C", "D"), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g) for g in scale]
        for criterion in rules.CRITERIA:
            self.fields[criterion] = forms.ChoiceField(
                label=CRITERIA_LABELS[criterion], choices=TRISTATE, required=False
            )

    def checks(self) -> dict[str, bool | None]:
        values = {"yes": True, "no": False}
        return {c: values.get(self.cleaned_data.get(c) or "") for c in rules.CRITERIA}


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
