"""Forms for log-in, tokens and project rules (input shape only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from anchang.org.rules import (
    ProjectRules,
    RuleSection,
    flatten,
    free_text_settings,
    register_section,
    sections,
    setting_choices,
)


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


class RulesFormSection:
    """Not a Django form: how one section of the project rules reads on the rules page and in
    the audit log, and what the page checks across its fields. The app whose section it is
    subclasses it beside its other forms and registers an instance from its AppConfig.ready()
    (register_rules), with the section itself (org.rules.RuleSection)."""

    key: str = ""  # the section's key in the rules
    title: str | None = None  # the group's heading; without one the group shows its key
    labels: Mapping[str, str] = {}  # dotted setting key → label
    # Bounds of the values inside mapping settings (the rules validate them too); a mapping
    # not named here takes 0 and up.
    part_bounds: Mapping[str, tuple[int | None, int | None]] = {}

    def part_label(self, key: str, part: str) -> str:
        """An entry of a mapping setting (`key.part`: one grade's cadence, one field's weight)."""
        return part.replace("_", " ")

    def code_label(self, code: str) -> str | None:
        """A code this section's settings offer as a choice, in words; None if not its code."""
        return None

    def item_label(self, item: str) -> str | None:
        """An entry of a list setting's value as the audit log words it; None if not known."""
        return None

    def value_text(self, key: str, value: Any) -> str | None:
        """A setting's value as an admin reads it, when it is not the value as it stands."""
        return None

    def clean(self, form: ProjectRulesForm, data: dict[str, Any]) -> None:
        """Checks across the section's fields, in the admin's language."""


_form_sections: dict[str, RulesFormSection] = {}


def register_rules(
    rule_sections: Iterable[RuleSection], form_sections: Iterable[RulesFormSection]
) -> None:
    """An app's sections of the project rules and of their page; from its AppConfig.ready()."""
    for section in rule_sections:
        register_section(section)
    for form_section in form_sections:
        if form_section.key in _form_sections:
            raise ValueError(f"rules form section {form_section.key!r} is registered twice")
        _form_sections[form_section.key] = form_section


def _form_sections_in_order() -> list[RulesFormSection]:
    """The registered form sections in the rules' order (org.rules.sections)."""
    return [_form_sections[s.key] for s in sections() if s.key in _form_sections]


def _form_section(key: str) -> RulesFormSection:
    """The form section of a dotted setting key; the plain base for a general setting."""
    return _form_sections.get(key.partition(".")[0]) or RulesFormSection()


# The general settings (org's own); each app's come from its RulesFormSection.
GENERAL_TITLE = _("General")
GENERAL_LABELS = {"timezone": _("Time zone")}


def _section_title(section: str) -> str:
    if not section:
        return str(GENERAL_TITLE)
    title = _form_section(section).title
    # A section without a title shows under its key until it gets one.
    return str(title) if title else section.replace("_", " ")


def _setting_label(key: str) -> str | None:
    label = GENERAL_LABELS.get(key) or _form_section(key).labels.get(key)
    return str(label) if label else None


def _code_label(code: str) -> str:
    """A code a setting offers (a profile field, a product, a criterion, a signal), in words:
    the codes are one vocabulary, so the first section in the rules' order that knows it says
    it (a criterion named like a profile field, decision_maker, reads as the field)."""
    for section in _form_sections_in_order():
        label = section.code_label(code)
        if label:
            return label
    return code.replace("_", " ")


def _item_label(item: str) -> str:
    for section in _form_sections_in_order():
        label = section.item_label(item)
        if label:
            return label
    return item.replace("_", " ")


def _part_label(key: str, part: str) -> str:
    return _form_section(key).part_label(key, part)


def rule_label(key: str) -> str:
    """A rule's dotted key as an admin reads it, e.g. "grading.cadence_days.A" →
    "Follow-up cadence by grade (days) · Grade A"."""
    label = _setting_label(key)
    if label:
        return label
    parent, _dot, part = key.rpartition(".")
    parent_label = _setting_label(parent) if parent else None
    if parent_label:
        return f"{parent_label} · {_part_label(parent, part)}"
    return key.replace("_", " ").replace(".", " · ")


def rule_value_text(key: str, value: Any) -> str:
    """A rule's value as an admin reads it: field names by their labels, scales by name."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return "、".join(_item_label(str(v)) for v in value) or "—"
    text = _form_section(key).value_text(key, value)
    return text if text is not None else str(value)


def _setting(rules: ProjectRules, key: str) -> Any:
    """A setting's value as the rules hold it (a time, not its JSON text)."""
    value: Any = rules
    for name in key.split("."):
        value = getattr(value, name)
    return value


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
                low, high = _form_section(key).part_bounds.get(key, (0, None))
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
            label = _setting_label(key) or key.replace("_", " ")
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
            elif key in free_text_settings():  # free texts (common comments): one a line
                field = LinesField(label=label, initial=value)
            elif setting_choices(key):
                field = forms.ChoiceField(
                    label=label, initial=value,
                    choices=[(c, _code_label(c)) for c in setting_choices(key)],
                )  # fmt: skip
            elif isinstance(_setting(rules, key), time):  # the end of the working day
                field = forms.TimeField(label=label, initial=time.fromisoformat(value))
            else:
                # blank may be a value (care.sms_signature: the project's name); the rules
                # refuse a blank where it is not
                field = forms.CharField(label=label, initial=value, max_length=64, required=False)
            self.fields[key] = field
            names.append(key)

    def fieldsets(self) -> list[tuple[str, list[tuple[str, bool, list]]]]:
        """(group title, blocks) in the rules' order. A block is (subtitle, folded, bound
        fields): plain rules share one untitled block; a mapping is its own block, folded
        when long (weights per profile field)."""
        out = []
        for section, names in self.groups.items():
            title = _section_title(section)
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
        for section in _form_sections_in_order():
            section.clean(self, data)
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
