"""Forms for log-in, tokens and project rules (input shape only)."""

from datetime import time

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from anchang.org.rules import ProjectRules, flatten

# Human labels for the rule keys; a key without one shows its dotted name.
RULE_LABELS = {
    "timezone": _("Time zone"),
    "intake.working_day_end": _("End of the working day (later entries are late)"),
    "grading.scale": _("Grade scale"),
    "grading.cadence_days": _("Follow-up cadence by grade (days)"),
    "grading.backdate_flag_days": _("Flag follow-ups entered more than this many days late"),
    "completeness.after_first_visit": _("Completeness target after the first visit (%)"),
    "completeness.after_third_visit_or_month": _(
        "Completeness target after three visits or a month (%)"
    ),
    "completeness.owner": _("Completeness target for buyers (owners) (%)"),
    "completeness.weights": _("Completeness weight of each profile field"),
    "intake.required": _("Required fields by customer stage"),
    "pool.reclaim_after_days_without_contact": _(
        "Days without a reached contact before reclaim to the pool"
    ),
    "pool.reclaim_after_days_without_subscription": _(
        "Days from registration without a subscription before reclaim"
    ),
    "pool.warn_days_before": _("Days before reclaim to warn the consultant"),
    "pool.daily_claim_limit": _("Pool claims per consultant per day"),
    "pool.max_active_customers": _("Maximum active customers per consultant"),
    "pool.reclaim_cooldown_days": _("Days before the previous consultant may claim back"),
    "privacy.reveals_per_hour": _("Phone reveals allowed per person per hour"),
    "privacy.reveals_per_day": _("Phone reveals allowed per person per day"),
    "suspicion.similarity_percent": _(
        "Suspicious records: texts at least this alike on two customers are copy-paste (%)"
    ),
    "suspicion.duplicate_min_chars": _(
        "Suspicious records: shorter texts are not compared for copy-paste (characters)"
    ),
    "suspicion.burst_count": _("Suspicious records: a burst is at least this many records"),
    "suspicion.burst_minutes": _(
        "Suspicious records: ... entered within this many minutes of each other"
    ),
    "suspicion.filler_repeat_run": _(
        "Suspicious records: a character repeated this many times in a row is padding"
    ),
    "suspicion.filler_min_letters_percent": _(
        "Suspicious records: content with a smaller share of letters is filler (%)"
    ),
    "suspicion.filler_min_distinct_percent": _(
        "Suspicious records: content with fewer different characters is filler (%)"
    ),
    "review.comment_presets": _("Review: common comments, one-tap on the review queue (a list)"),
}


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=64,
        help_text=_("For example the device or the program that will use it."),
    )


class ProjectRulesForm(forms.Form):
    """One field per rule, typed from the defaults; the service validates the whole."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, rules: ProjectRules, **kwargs):
        super().__init__(*args, **kwargs)
        for key, value in flatten(rules).items():
            label = RULE_LABELS.get(key, key)
            if isinstance(value, bool):
                field = forms.BooleanField(label=label, required=False, initial=value)
            elif isinstance(value, int):
                field = forms.IntegerField(label=label, initial=value)
            elif isinstance(value, dict):
                field = forms.JSONField(
                    label=label,
                    initial=value,
                    widget=forms.Textarea(attrs={"rows": 2 if len(str(value)) < 80 else 6}),
                )
            elif isinstance(value, list):  # e.g. review.comment_presets: a JSON list
                field = forms.JSONField(
                    label=label, initial=value, widget=forms.Textarea(attrs={"rows": 4})
                )
            elif key.endswith("working_day_end"):
                field = forms.TimeField(label=label, initial=time.fromisoformat(value))
            else:
                field = forms.CharField(label=label, initial=value, max_length=64)
            self.fields[key] = field

    def rule_values(self) -> dict:
        values = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for key, value in values.items():
            if isinstance(value, time):
                values[key] = value.strftime("%H:%M:%S")
        return values
