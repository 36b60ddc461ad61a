from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.org.forms import RulesFormSection
from anchang.pool.services import HAND_OUT_MAX


class HandOutForm(forms.Form):
    customers = forms.TypedMultipleChoiceField(
        label=_("Customers"), coerce=int, choices=(), error_messages={
            "required": _("Choose at least one customer."),
            "invalid_choice": _("Some of these customers are no longer in the pool; reload."),
        },
    )  # fmt: skip
    owner = forms.TypedChoiceField(
        label=_("Give to"), coerce=int, choices=(),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("Choose a consultant of this project.")},
    )  # fmt: skip

    def __init__(self, *args, customers=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customers"].choices = [(c.pk, c.name) for c in customers]
        self.fields["owner"].choices = [("", "—")] + [(u.pk, str(u)) for u in owners]

    def clean_customers(self):
        chosen = self.cleaned_data["customers"]
        if len(chosen) > HAND_OUT_MAX:
            raise forms.ValidationError(_("At most %(n)d at a time.") % {"n": HAND_OUT_MAX})
        return chosen


# This app's section of the project-rules page (org.forms), registered in apps.py.
class PoolRulesFormSection(RulesFormSection):
    key = "pool"
    title = _("Shared pool")
    labels = {
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
    }


RULES_FORM_SECTIONS = (PoolRulesFormSection(),)
