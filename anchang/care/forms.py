"""Forms of owner care (input shape only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.care import rules
from anchang.care.models import MessageTemplate, Purpose
from anchang.care.services.batches import COMMENT_MAX, TITLE_MAX
from anchang.care.services.consent import NOTE_MAX, STAFF_SOURCES
from anchang.care.services.messages import BUILT_IN
from anchang.org.forms import RulesFormSection

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MessageForm(forms.Form):
    """An SMS to one customer: a template of the project, a value for each of its own
    variables (the built-in ones fill themselves), and an optional time to send it."""

    # chosen above the form (its variables depend on it), carried along hidden
    template = forms.TypedChoiceField(label=_("Template"), coerce=int, widget=forms.HiddenInput)
    send_at = forms.DateTimeField(label=_("Send at (empty: now)"), widget=DATETIME,
                                  required=False)  # fmt: skip

    def __init__(self, *args, templates: list[MessageTemplate], chosen: MessageTemplate | None,
                 **kwargs) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            (t.pk, f"{t.name} · {t.get_purpose_display()}") for t in templates
        ]
        if chosen is not None:
            self.fields["template"].initial = chosen.pk
            for name in rules.template_variables(chosen.body):
                if name not in BUILT_IN:
                    self.fields[f"var_{name}"] = forms.CharField(
                        label=f"{{{name}}}", max_length=rules.VALUE_MAX
                    )

    def params(self) -> dict[str, str]:
        return {
            key[4:]: value for key, value in self.cleaned_data.items() if key.startswith("var_")
        }


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    granted = forms.TypedChoiceField(
        label=_("Answer"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Agrees")), ("no", _("Refuses"))],
    )  # fmt: skip
    source = forms.ChoiceField(
        label=_("Where the answer came from"),
        choices=[(source.value, source.label) for source in STAFF_SOURCES],
    )
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)


# This app's section of the project-rules page (org.forms), registered in apps.py.
class CareRulesFormSection(RulesFormSection):
    key = "care"
    title = _("Owner care")
    labels = {
        "care.quiet_from_hour": _("Marketing messages stop at (hour)"),
        "care.quiet_until_hour": _("Marketing messages start again at (hour)"),
        "care.marketing_per_week": _("Marketing messages per customer per week"),
        "care.batch_approval_over": _("A batch to more recipients than this needs approval"),
        "care.sms_signature": _("SMS signature (empty: the project's name)"),
    }


RULES_FORM_SECTIONS = (CareRulesFormSection(),)


class BatchForm(forms.Form):
    """群发: the template (chosen above, carried hidden), who (the customer list's filters),
    the template's own variables, when."""

    template = forms.TypedChoiceField(label=_("Template"), coerce=int, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    state = forms.ChoiceField(label=_("State"), required=False)
    grade = forms.ChoiceField(label=_("Intent grade"), required=False)
    owner = forms.ChoiceField(label=_("Consultant"), required=False)
    overdue = forms.BooleanField(label=_("Follow-up overdue"), required=False)
    send_at = forms.DateTimeField(label=_("Send at (empty: now)"), widget=DATETIME,
                                  required=False)  # fmt: skip

    def __init__(self, *args, templates: list[MessageTemplate], chosen: MessageTemplate | None,
                 states, grades, owners, **kwargs) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, t.name) for t in templates]
        if chosen is not None:
            self.fields["template"].initial = chosen.pk
        everyone = [("", _("All"))]
        self.fields["state"].choices = everyone + list(states)
        self.fields["grade"].choices = everyone + list(grades)
        self.fields["owner"].choices = everyone + [(str(u.pk), str(u)) for u in owners]
        for name in rules.template_variables(chosen.body) if chosen else []:
            if name not in BUILT_IN:
                self.fields[f"var_{name}"] = forms.CharField(
                    label=f"{{{name}}}", max_length=rules.VALUE_MAX
                )

    def params(self) -> dict[str, str]:
        return {k[4:]: v for k, v in self.cleaned_data.items() if k.startswith("var_")}

    def audience(self) -> dict[str, str]:
        data = self.cleaned_data
        chosen = {k: data[k] for k in ("state", "grade", "owner") if data.get(k)}
        if data.get("overdue"):
            chosen["overdue"] = "true"
        return chosen


class BatchDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("approve", _("Approve: send it")), ("reject", _("Reject"))],
    )  # fmt: skip
    comment = forms.CharField(label=_("Comment"), max_length=COMMENT_MAX, required=False)
