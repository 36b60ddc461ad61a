"""Input shapes of the revisit-plan pages (回访计划)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.followups.revisits import services as revisits
from anchang.form_renderer import IsoDateInput

# ISO dates: a type="date" input shows nothing for a localised value.
DATE = IsoDateInput()


class RevisitPlanForm(forms.Form):
    project = forms.TypedChoiceField(label=_("Project"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=revisits.TITLE_MAX)
    purpose = forms.CharField(
        label=_("Purpose"), max_length=revisits.PURPOSE_MAX,
        help_text=_("Why these customers, and what the round should achieve."),
    )  # fmt: skip
    talking_points = forms.CharField(
        label=_("Talking points"), max_length=revisits.TALKING_POINTS_MAX, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    due_on = forms.DateField(label=_("Due by"), widget=DATE)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.pk, p.name) for p in projects]


class PlanReportForm(forms.Form):
    report = forms.CharField(
        label=_("Report"), max_length=revisits.REPORT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was learned, who is ready to come back, what to do next."),
    )  # fmt: skip


class PlanReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Manager's comment"), max_length=revisits.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
