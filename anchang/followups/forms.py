"""Input shapes for recording follow-ups and setting grades."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.customers.choices import PurchaseHorizon
from anchang.followups import rules
from anchang.followups.models import FollowUp
from anchang.form_renderer import IsoDateInput
from anchang.org.forms import RulesFormSection

DATE = IsoDateInput()
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

CRITERIA_LABELS = {
    # real estate
    "accepts_product": _("Accepts the product (brand, location, layout…)"),
    "accepts_price": _("Accepts the price"),
    "purchasing_power": _("Can afford it and the payment schedule"),
    "unit_chosen": _("Has chosen a unit, or a clear intent"),
    "attention": _("Came or called 2–3 times or more"),
    "decision_maker": _("The decision maker has visited and agrees"),
    # dealership
    "test_drive": _("Has taken a test drive"),
    "trade_in": _("Wants to trade in a car"),
    "financing_asked": _("Asked about financing"),
    "trim_chosen": _("Has chosen trim and colour"),
    # home improvement
    "house_ready": _("The house is handed over (or will be within three months)"),
    "budget_confirmed": _("Has a budget that fits"),
    "style_settled": _("Has settled on a style"),
    "measured": _("The house has been measured"),
    "accepts_quote": _("Accepts the quote"),
}
SIGNAL_LABELS = {
    "deep_questions": _("Asked deep questions (fees, handover, materials)"),
    "narrowed_units": _("Narrowed down to 2–3 units"),
    "returned_within_3_days": _("Came back within 3 days"),
    "bargaining": _("Bargained"),
    "asked_payment": _("Asked about payment or loans"),
    "test_drive": _("Took a test drive"),
    "trade_in": _("Asked about trading in a car"),
    "financing_asked": _("Asked about car loans or instalments"),
    "trim_chosen": _("Chose trim or colour"),
    "measuring_booked": _("Booked a measuring visit"),
    "asked_materials": _("Asked about materials and brands"),
    "compared_quotes": _("Compared quotes"),
}
# The suggestion's reasons as people read them (never the codes: issue 13, item 23).
REASON_WORDS = {
    "all_criteria": _("meets every criterion"),
    "not_enough_known": _("not enough is known yet"),
    "no_horizon": _("not yet known when they plan to buy"),
}
REASON_PREFIXES = {
    "rejects": _("No: %(what)s"),
    "meets": _("Yes: %(what)s"),
    "signal": _("Buying signal: %(what)s"),
    "horizon": _("Plans to buy: %(what)s"),
}


def reason_words(reasons) -> list[str]:
    """The suggestion's reason codes in words; an unknown code reads as a generic phrase,
    never as the code."""
    horizons = dict(PurchaseHorizon.choices)
    out = []
    for code in reasons:
        if code in REASON_WORDS:
            out.append(str(REASON_WORDS[code]))
            continue
        prefix, _sep, what = code.partition(":")
        label = (
            horizons.get(what)
            if prefix == "horizon"
            else SIGNAL_LABELS.get(what, CRITERIA_LABELS.get(what))
            if prefix == "signal"
            else CRITERIA_LABELS.get(what)
        )
        if prefix in REASON_PREFIXES and label:
            out.append(str(REASON_PREFIXES[prefix]) % {"what": label})
        else:
            out.append(str(_("other reason")))
    return out


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

    def __init__(self, *args, scale=("A", "B", "C", "D"), signals=rules.SIGNALS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("Unchanged"))] + [(g, g) for g in scale]
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        self.fields["signals"].choices = [(s, SIGNAL_LABELS[s]) for s in signals]


class GradeForm(forms.Form):
    """The grade page: the project's criteria (and, where the trade grades by it, the
    purchase horizon), then the grade given and why."""

    def __init__(self, *args, spec: rules.GradingSpec | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        spec = spec or rules.spec_for_trade("real_estate")
        self.criteria = spec.criteria
        self.uses_horizon = spec.method == "horizon"
        if self.uses_horizon:
            self.fields["horizon"] = forms.ChoiceField(
                label=_("When do they plan to buy?"),
                choices=[("", _("Not known"))] + list(PurchaseHorizon.choices),
                required=False,
            )
        for criterion in spec.criteria:
            self.fields[criterion] = forms.ChoiceField(
                label=CRITERIA_LABELS[criterion], choices=TRISTATE, required=False
            )
        self.fields["grade"] = forms.ChoiceField(
            label=_("Grade"), widget=forms.RadioSelect, choices=[(g, g) for g in spec.scale]
        )
        self.fields["reason"] = forms.CharField(label=_("Why"), max_length=200, required=False)

    def checks(self) -> dict[str, bool | None]:
        values = {"yes": True, "no": False}
        return {c: values.get(self.cleaned_data.get(c) or "") for c in self.criteria}

    def horizon(self) -> str | None:
        return self.cleaned_data.get("horizon", "") if self.uses_horizon else None


# This app's sections of the project-rules page (org.forms), registered in apps.py.
class GradingRulesFormSection(RulesFormSection):
    key = "grading"
    title = _("Intent grades and follow-up cadence")
    labels = {
        "grading.scale": _("Grade scale"),
        "grading.cadence_days": _("Follow-up cadence by grade (days)"),
        "grading.backdate_flag_days": _("Flag follow-ups entered more than this many days late"),
        "grading.method": _("Grading method"),
        "grading.criteria": _("Grading criteria asked on the grade page"),
        "grading.deal_breakers": _("Criteria that, rejected, give the lowest grade"),
        "grading.core": _("Criteria that, all met, give the second grade"),
        "grading.base": _("Criteria that, all met, give the third grade"),
        "grading.signals": _("Buying signals offered at a follow-up"),
    }
    part_bounds = {"grading.cadence_days": (0, 366)}
    scale_labels = {"ABCD": _("A/B/C/D (real estate)"), "HABC": _("H/A/B/C (dealership)")}
    method_labels = {
        "checklist": _("By the criteria checklist"),
        "horizon": _("By purchase horizon"),
    }

    def part_label(self, key: str, part: str) -> str:
        if key == "grading.cadence_days":
            return _("Grade %(g)s") % {"g": part}
        return super().part_label(key, part)

    def code_label(self, code: str) -> str | None:
        label = (
            SIGNAL_LABELS.get(code)
            or CRITERIA_LABELS.get(code)
            or self.method_labels.get(code)
            or self.scale_labels.get(code)
        )
        return str(label) if label else None

    def value_text(self, key: str, value) -> str | None:
        if key == "grading.scale":
            return str(self.scale_labels.get(value, value))
        return None


class SuspicionRulesFormSection(RulesFormSection):
    key = "suspicion"
    title = _("Suspicious records")
    labels = {
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
    }


class ReviewRulesFormSection(RulesFormSection):
    key = "review"  # no title yet: the group shows under its key
    labels = {
        "review.comment_presets": _(
            "Review: common comments, one-tap on the review queue (a list)"
        ),
    }


RULES_FORM_SECTIONS = (
    GradingRulesFormSection(),
    SuspicionRulesFormSection(),
    ReviewRulesFormSection(),
)
