"""Input shapes for the customer pages. Business rules are in services; these only parse."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anchang.customers import choices as c
from anchang.customers.models import Customer, KeyDate, Medium, OwnershipConflict, Registration
from anchang.customers.phones import PHONE_INPUT_MAX, format_phone
from anchang.customers.profile import PROFILE_FIELDS
from anchang.customers.rules import OPTION_FIELDS, TRADE_INTAKE
from anchang.customers.services.phone_reveal import REASON_MAX
from anchang.customers.services.profile import REASSIGN_REASON_MAX
from anchang.form_renderer import IsoDateInput
from anchang.org.forms import RulesFormSection
from anchang.org.rules import DEFAULT_RULES, ProjectRules

# One limit per field: the model's column (the serializers read the same).
NAME_MAX = Customer._meta.get_field("name").max_length

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Every field any trade offers at registration (the API accepts these; the service refuses
# one the project's trade does not ask for).
FIRST_VISIT_FIELDS = list(
    dict.fromkeys(f for t in TRADE_INTAKE.values() for f in t["first_visit_fields"])
)
# The trade's words for its product: (the product list's label, the free-text detail's label).
PRODUCT_LABELS = {
    "unit_type": (_("Intended unit type"), _("Intended unit (building, number)")),
    "vehicle": (_("Intended model"), _("Model, trim and colour")),
    "renovation": (_("Renovation wanted"), _("Package or products of interest")),
}


def profile_formfield(name: str, rules: ProjectRules, keep: object = None) -> forms.Field:
    """A profile field as the project's trade offers it: its own products, its own words
    (`keep`: a value already on the card stays choosable)."""
    field = Customer._meta.get_field(name).formfield(required=False)
    if isinstance(field, forms.TypedChoiceField):
        offered = rules.intake.options.get(name)
        field.choices = [("", "—")] + [
            ch
            for ch in field.choices
            if ch[0] != "" and (offered is None or ch[0] in offered or ch[0] == keep)
        ]
    if name == "unit_type":
        field.label = PRODUCT_LABELS[rules.intake.product_term][0]
    return field


class RegistrationForm(forms.Form):
    project = forms.TypedChoiceField(label=_("Project"), coerce=int)
    kind = forms.ChoiceField(
        label=_("Call or visit"),
        choices=Registration.Kind.choices,
        widget=forms.RadioSelect,
        initial=Registration.Kind.VISIT,
    )
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=NAME_MAX,
        help_text=_("A surname is enough for a call: 王先生."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=c.Gender.choices, widget=forms.RadioSelect
    )
    phone = forms.CharField(
        label=_("Mobile"),
        max_length=PHONE_INPUT_MAX,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    medium = forms.TypedChoiceField(label=_("Heard of us through"), coerce=int)
    content = forms.CharField(
        label=_("What was discussed"),
        max_length=Registration._meta.get_field("content").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    occurred_at = forms.DateTimeField(label=_("Time of the call or arrival"), widget=DATETIME)
    left_at = forms.DateTimeField(label=_("Left at (visits)"), widget=DATETIME, required=False)
    companions = forms.IntegerField(
        label=_("Companions"), min_value=0, max_value=50, initial=0, required=False
    )
    intended_product = forms.CharField(
        label=_("Interested in"),
        max_length=Registration._meta.get_field("intended_product").max_length,
        required=False,
    )
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=Registration._meta.get_field("idempotency_key").max_length,
        required=False,
    )

    def __init__(self, *args, projects=(), media=(), project=None, rules=None, **kwargs):
        """The form of one project (`project`, default the first): its trade's fields,
        products and words come from its rules, never from the trade's name."""
        super().__init__(*args, **kwargs)
        projects = list(projects)
        project = project or (projects[0] if projects else None)
        rules = rules or DEFAULT_RULES
        self.fields["project"].choices = [(p.pk, p.name) for p in projects]
        if project is not None:
            self.fields["project"].initial = project.pk
        # The fields below are the chosen project's; another project is chosen by a link.
        self.fields["project"].widget = forms.HiddenInput()
        self.fields["medium"].choices = [("", "—")] + [
            (m.pk, m.name) for m in media if project is None or m.project_id == project.pk
        ]
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        self.fields["intended_product"].label = PRODUCT_LABELS[rules.intake.product_term][1]
        self.first_visit_fields = list(rules.intake.first_visit_fields)
        required = set(rules.intake.required.get("first_visit", []))
        for name in self.first_visit_fields:
            field = profile_formfield(name, rules)
            field.first_visit_required = name in required
            self.fields[name] = field

    def base_fields_bound(self):
        return [f for f in self.visible_fields() if f.name not in self.first_visit_fields]

    def first_visit_bound(self):
        return [f for f in self.visible_fields() if f.name in self.first_visit_fields]

    def is_visit(self) -> bool:
        return (self["kind"].value() or Registration.Kind.VISIT) == Registration.Kind.VISIT

    def profile(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.first_visit_fields
            if self.cleaned_data.get(name) not in (None, "")
        }


class CustomerProfileForm(forms.ModelForm):
    """The card's edit form. Phones appear only for viewers who may see them in full."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Customer
        fields = ["name", "phone", "phone2", "state", "medium", *PROFILE_FIELDS]
        widgets = {
            "birthday": IsoDateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "phone2": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, show_phones: bool, media=(), rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        rules = rules or DEFAULT_RULES
        asked = set(rules.completeness.weights) | {"notes", "loss_reason"}
        for name in PROFILE_FIELDS:
            # The trade's own fields and products; another trade's field only if filled.
            if name not in asked and getattr(self.instance, name) in (None, ""):
                del self.fields[name]
            elif name in rules.intake.options or name == "unit_type":
                field = profile_formfield(name, rules, keep=getattr(self.instance, name))
                field.widget.attrs.update(self.fields[name].widget.attrs)
                self.fields[name] = field
        if show_phones:
            # Shown as people write it; the service normalises whatever comes back.
            for name in ("phone", "phone2"):
                value = getattr(self.instance, name)
                self.initial[name] = format_phone(value) if value else ""
            self.fields["phone"].required = False  # an emptied number is refused by the service
            for name in ("phone", "phone2"):
                self.fields[name].max_length = 40
                self.fields[name].widget.attrs["maxlength"] = 40
        else:
            del self.fields["phone"]
            del self.fields["phone2"]
        self.fields["medium"].queryset = Medium.objects.filter(pk__in=[m.pk for m in media])
        # A workflow's state (lost, subscribed, owner) is shown, not offered to leave.
        settable = c.MANUAL_STATES if self.instance.state in c.MANUAL_STATES else set()
        self.fields["state"].choices = [
            (value, label)
            for value, label in c.State.choices
            if value in settable or value == self.instance.state
        ]
        self.fields["state"].required = False

    def _post_clean(self):
        # Uniqueness and model rules are the service's job, so errors speak one language.
        pass

    def changes(self) -> dict:
        """Fields the person changed. A field missing from the post is left alone, never
        blanked: a partial post (an old page, a script) cannot wipe the card."""
        data = {}
        for name in self.changed_data:
            if name == "version" or name not in self.data:
                continue
            if name == "state" and not self.cleaned_data.get(name):
                continue
            value = self.cleaned_data.get(name)
            data[name] = value.pk if name == "medium" and value is not None else value
        return data


class CustomerEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=NAME_MAX)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CustomerReassignForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("New owner"), coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASSIGN_REASON_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(u.pk, str(u)) for u in owners]


class KeyDateForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=KeyDate.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=IsoDateInput())
    note = forms.CharField(
        label=_("Note"), max_length=KeyDate._meta.get_field("note").max_length, required=False
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class MediumForm(forms.ModelForm):
    class Meta:
        model = Medium
        fields = ["name", "kind", "is_active"]

    def _post_clean(self):
        pass


class ConflictResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (OwnershipConflict.Status.KEPT, _("Keep the current owner")),
            (OwnershipConflict.Status.TRANSFERRED, _("Give the customer to the claimant")),
            (OwnershipConflict.Status.SPLIT, _("Keep the owner, split a deal's credit")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=OwnershipConflict._meta.get_field("note").max_length,
        required=False,
    )


def _field_label(name: str) -> str | None:
    """A customer column's label; None for a name that is not one."""
    try:
        return str(Customer._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - not a column: a product, a criterion, care dates
        return None


def _profile_field_label(name: str) -> str | None:
    """A profile field's label, care dates (not a column) included."""
    if name == "care_dates":
        return _field_label(name) or str(_("Key care dates"))
    return _field_label(name)


# This app's sections of the project-rules page (org.forms), registered in apps.py.
class IntakeRulesFormSection(RulesFormSection):
    key = "intake"
    title = _("Registration rules")
    labels = {
        "intake.working_day_end": _("End of the working day (later entries are late)"),
        "intake.required": _("Required fields by customer stage"),
        "intake.first_visit_fields": _("Profile fields asked when registering a visit"),
        "intake.options": _("Values offered for choice fields (intended products, payment)"),
        "intake.product_term": _("What the intended product is called"),
    }
    # Customer stages of the required-fields rule (customers.rules.STAGES).
    stage_labels = {
        "no_intent": _("No intent"),
        "call_in": _("Called in"),
        "first_visit": _("First visit"),
        "repeat_visitor": _("Repeat visitor"),
        "owner": pgettext_lazy("customer state", "Owner"),
    }
    product_terms = {
        "unit_type": _("Unit type (real estate)"),
        "vehicle": _("Vehicle model (dealership)"),
        "renovation": _("Renovation (home improvement)"),
    }

    def part_label(self, key: str, part: str) -> str:
        if key == "intake.required":
            return str(self.stage_labels.get(part, part.replace("_", " ")))
        if key == "intake.options":  # the same field has a weight too: say which setting
            field = _profile_field_label(part) or part.replace("_", " ")
            return _("%(field)s: values offered") % {"field": field}
        return super().part_label(key, part)

    def code_label(self, code: str) -> str | None:
        # A profile field, a value of a choice field a trade narrows, a product term.
        label = _field_label(code)
        for name in OPTION_FIELDS:
            label = label or dict(Customer._meta.get_field(name).choices).get(code)
        label = label or self.product_terms.get(code)
        return str(label) if label else None

    def item_label(self, item: str) -> str | None:
        return _profile_field_label(item)


class CompletenessRulesFormSection(RulesFormSection):
    key = "completeness"
    title = _("Profile completeness")
    labels = {
        "completeness.after_first_visit": _("Completeness target after the first visit (%)"),
        "completeness.after_third_visit_or_month": _(
            "Completeness target after three visits or a month (%)"
        ),
        "completeness.owner": _("Completeness target for buyers (owners) (%)"),
        "completeness.weights": _("Completeness weight of each profile field"),
    }
    part_bounds = {"completeness.weights": (0, 100)}

    def part_label(self, key: str, part: str) -> str:
        return _profile_field_label(part) or part.replace("_", " ")

    def clean(self, form, data) -> None:
        weights = form.parts.get("completeness.weights", [])
        values = [data.get(name) for _part, name in weights]
        if weights and all(v == 0 for v in values):
            form.add_error(weights[0][1], _("At least one field must weigh something."))


class PrivacyRulesFormSection(RulesFormSection):
    key = "privacy"
    title = _("Personal data")
    labels = {
        "privacy.reveals_per_hour": _("Phone reveals allowed per person per hour"),
        "privacy.reveals_per_day": _("Phone reveals allowed per person per day"),
        "privacy.phone_searches_per_hour": _("Searches by full phone number per person per hour"),
        "privacy.list_rows_per_day": _(
            "Customers a person without the export right may read through lists per day"
        ),
    }


RULES_FORM_SECTIONS = (
    IntakeRulesFormSection(),
    CompletenessRulesFormSection(),
    PrivacyRulesFormSection(),
)
