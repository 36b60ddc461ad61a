"""Forms for log-in, tokens and project rules (input shape only)."""

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.apps import apps
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anchang.org.rules import (
    FREE_TEXT_SETTINGS,
    GRADE_SCALES,
    ProjectRules,
    flatten,
    setting_choices,
)

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
    "intake.first_visit_fields": _("Profile fields asked when registering a visit"),
    "intake.options": _("Values offered for choice fields (intended products, payment)"),
    "intake.product_term": _("What the intended product is called"),
    "grading.method": _("Grading method"),
    "grading.criteria": _("Grading criteria asked on the grade page"),
    "grading.deal_breakers": _("Criteria that, rejected, give the lowest grade"),
    "grading.core": _("Criteria that, all met, give the second grade"),
    "grading.base": _("Criteria that, all met, give the third grade"),
    "grading.signals": _("Buying signals offered at a follow-up"),
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
    "privacy.phone_searches_per_hour": _("Searches by full phone number per person per hour"),
    "privacy.list_rows_per_day": _(
        "Customers a person without the export right may read through lists per day"
    ),
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


# Rule groups (ProjectRules' sections) as admins read them; a new section without a label
# shows under its key until it gets one (the raw-code page test says so).
SECTION_LABELS = {
    "": _("General"),
    "intake": _("Registration rules"),
    "grading": _("Intent grades and follow-up cadence"),
    "completeness": _("Profile completeness"),
    "pool": _("Shared pool"),
    "privacy": _("Personal data"),
    "suspicion": _("Suspicious records"),
}
# Customer stages of the required-fields rule (customers.rules.STAGES).
STAGE_LABELS = {
    "no_intent": _("No intent"),
    "call_in": _("Called in"),
    "first_visit": _("First visit"),
    "repeat_visitor": _("Repeat visitor"),
    "owner": pgettext_lazy("customer state", "Owner"),
}
SCALE_LABELS = {"ABCD": _("A/B/C/D (real estate)"), "HABC": _("H/A/B/C (dealership)")}
# Bounds of the values inside mapping settings (the rules validate them too).
PART_BOUNDS = {"grading.cadence_days": (0, 366), "completeness.weights": (0, 100)}


def _profile_field_label(name: str) -> str:
    # Looked up through the registry: org sits below the customers app.
    try:
        field = apps.get_model("customers", "Customer")._meta.get_field(name)
    except LookupError:
        return name.replace("_", " ")
    except Exception:  # noqa: BLE001 - care dates and other non-column parts of a profile
        return str(_("Key care dates")) if name == "care_dates" else name.replace("_", " ")
    return str(field.verbose_name)


def _code_label(code: str) -> str:
    """A code a list setting holds (a profile field, a product, a criterion, a signal), in
    words."""
    customer = apps.get_model("customers", "Customer")
    try:
        return str(customer._meta.get_field(code).verbose_name)
    except Exception:  # noqa: BLE001, S110 - not a field: a product, criterion or signal
        pass
    for name in ("unit_type", "payment_method"):
        label = dict(customer._meta.get_field(name).choices).get(code)
        if label:
            return str(label)
    # Grading's words live with grading (followups), above org: read them when needed.
    from anchang.followups.forms import CRITERIA_LABELS, SIGNAL_LABELS

    label = SIGNAL_LABELS.get(code) or CRITERIA_LABELS.get(code) or CODE_LABELS.get(code)
    return str(label) if label else code.replace("_", " ")


# Single-choice settings' values.
CODE_LABELS = {
    "checklist": _("By the criteria checklist"),
    "horizon": _("By purchase horizon"),
    "unit_type": _("Unit type (real estate)"),
    "vehicle": _("Vehicle model (dealership)"),
    "renovation": _("Renovation (home improvement)"),
}


def _part_label(key: str, part: str) -> str:
    if key.endswith("cadence_days"):
        return _("Grade %(g)s") % {"g": part}
    if key.endswith("required"):
        return str(STAGE_LABELS.get(part, part.replace("_", " ")))
    if key.endswith("options"):  # the same field has a weight too: say which setting this is
        return _("%(field)s: values offered") % {"field": _profile_field_label(part)}
    return _profile_field_label(part)


def rule_label(key: str) -> str:
    """A rule's dotted key as an admin reads it, e.g. "grading.cadence_days.A" →
    "Follow-up cadence by grade (days) · Grade A"."""
    if key in RULE_LABELS:
        return str(RULE_LABELS[key])
    parent, _dot, part = key.rpartition(".")
    if parent in RULE_LABELS:
        return f"{RULE_LABELS[parent]} · {_part_label(parent, part)}"
    return key.replace("_", " ").replace(".", " · ")


def rule_value_text(key: str, value: Any) -> str:
    """A rule's value as an admin reads it: field names by their labels, scales by name."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return "、".join(_profile_field_label(str(v)) for v in value) or "—"
    if key == "grading.scale":
        return str(SCALE_LABELS.get(value, value))
    return str(value)


def _bounds(rules: ProjectRules, key: str) -> tuple[int | None, int | None]:
    """ge/le of a plain integer rule, read from the rules' own field constraints."""
    section, _dot, name = key.rpartition(".")
    model = getattr(rules, section) if section else rules
    info = type(model).model_fields.get(name)
    low = high = None
    for meta in getattr(info, "metadata", []):
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    return low, high


class LinesField(forms.CharField):
    """A list of short texts, one a line (blank lines dropped)."""

    widget = forms.Textarea(attrs={"rows": 5})

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=4000, **kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class ProjectRulesForm(forms.Form):
    """One labelled, typed field per rule, grouped as the rules are; a mapping (cadence per
    grade, weight per field, required fields per stage) becomes one field per entry. The
    service validates the whole; its messages land beside the fields."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, rules: ProjectRules, trade: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.trade = trade
        self.groups: dict[str, list[str]] = {}
        self.parts: dict[str, list[tuple[str, str]]] = {}  # mapping rule → (entry, field)
        for key, value in flatten(rules).items():
            section = key.rpartition(".")[0]
            names = self.groups.setdefault(section, [])
            if isinstance(value, dict):
                low, high = PART_BOUNDS.get(key, (0, None))
                self.parts[key] = []
                for part, item in value.items():
                    name = f"{key}.{part}"
                    label = _part_label(key, part)
                    if isinstance(item, list):
                        codes = setting_choices(name) or setting_choices(key) or tuple(item)
                        field = forms.MultipleChoiceField(
                            label=label, required=False, initial=item,
                            choices=[(c, _code_label(c)) for c in codes],
                            widget=forms.CheckboxSelectMultiple,
                        )  # fmt: skip
                    else:
                        field = forms.IntegerField(
                            label=label, initial=item, min_value=low, max_value=high
                        )
                    self.fields[name] = field
                    self.parts[key].append((part, name))
                    names.append(name)
                continue
            label = RULE_LABELS.get(key, key.replace("_", " "))
            if isinstance(value, bool):
                field = forms.BooleanField(label=label, required=False, initial=value)
            elif isinstance(value, int):
                low, high = _bounds(rules, key)
                field = forms.IntegerField(
                    label=label, initial=value, min_value=low, max_value=high
                )
            elif isinstance(value, list) and setting_choices(key):
                field = forms.MultipleChoiceField(
                    label=label, required=False, initial=value,
                    choices=[(c, _code_label(c)) for c in setting_choices(key)],
                    widget=forms.CheckboxSelectMultiple,
                )  # fmt: skip
            elif key in FREE_TEXT_SETTINGS:  # free texts (common comments): one a line
                field = LinesField(label=label, initial=value)
            elif setting_choices(key):
                field = forms.ChoiceField(
                    label=label, initial=value,
                    choices=[(c, _code_label(c)) for c in setting_choices(key)],
                )  # fmt: skip
            elif key.endswith("working_day_end"):
                field = forms.TimeField(label=label, initial=time.fromisoformat(value))
            elif key == "grading.scale":
                choices = [(s, SCALE_LABELS.get(s, s)) for s in GRADE_SCALES]
                field = forms.ChoiceField(label=label, initial=value, choices=choices)
            else:
                field = forms.CharField(label=label, initial=value, max_length=64)
            self.fields[key] = field
            names.append(key)

    def fieldsets(self) -> list[tuple[str, list[tuple[str, bool, list]]]]:
        """(group title, blocks) in the rules' order. A block is (subtitle, folded, bound
        fields): plain rules share one untitled block; a mapping is its own block, folded
        when long (weights per profile field)."""
        out = []
        for section, names in self.groups.items():
            title = str(SECTION_LABELS.get(section, section.replace("_", " ")))
            blocks: list[tuple[str, bool, list]] = []
            plain: list = []
            for name in names:
                parent = name.rpartition(".")[0]
                if parent in self.parts:
                    if not blocks or blocks[-1][0] != rule_label(parent):
                        # Long mappings start folded: 43 weights, 5 stages of tick boxes.
                        long = len(self.parts[parent]) > 8 or isinstance(
                            self.fields[name], forms.MultipleChoiceField
                        )
                        blocks.append((rule_label(parent), long, []))
                    blocks[-1][2].append(self[name])
                else:
                    plain.append(self[name])
            out.append((title, ([("", False, plain)] if plain else []) + blocks))
        return out

    def clean(self):
        # The rules validate these too, in English; say it here in the admin's language.
        data = super().clean()
        zone = data.get("timezone")
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                self.add_error("timezone", _("Unknown time zone; for example Asia/Shanghai."))
        weights = self.parts.get("completeness.weights", [])
        values = [data.get(name) for _part, name in weights]
        if weights and all(v == 0 for v in values):
            self.add_error(weights[0][1], _("At least one field must weigh something."))
        return data

    def rule_values(self) -> dict:
        values = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        defaults = flatten(ProjectRules.from_overrides({}, self.trade))
        for key, value in values.items():
            # The same codes ticked in another order are the default, not an override.
            default = defaults.get(key)
            if isinstance(value, list) and isinstance(default, list) and set(value) == set(default):
                values[key] = list(default)
        for key, parts in self.parts.items():
            values[key] = {part: values.pop(name) for part, name in parts}
            for part, chosen in values[key].items():
                default = defaults.get(key, {}).get(part)
                # The same fields ticked in another order are the default, not an override.
                if isinstance(chosen, list) and isinstance(default, list):
                    same = set(chosen) == set(default)
                    values[key][part] = list(default) if same else list(chosen)
        for key, value in values.items():
            if isinstance(value, time):
                values[key] = value.strftime("%H:%M:%S")
        return values

    def place_error(self, field: str, message: str) -> None:
        """A message about a whole mapping goes beside its first entry."""
        if field in self.fields:
            self.add_error(field, message)
        elif field in self.parts and self.parts[field]:
            self.add_error(self.parts[field][0][1], message)
        else:
            self.add_error(None, f"{rule_label(field)}: {message}")
