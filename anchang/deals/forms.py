"""Input shapes of the deals pages, and the deals section of the project-rules page."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.customers.choices import DecorStyle
from anchang.deals import rules
from anchang.deals.models import (
    Approval,
    Building,
    ContractFormMove,
    Deal,
    Dispatch,
    PaymentLine,
    Receipt,
    StageChange,
    Unit,
)
from anchang.form_renderer import IsoDateInput
from anchang.org.forms import RulesFormSection
from anchang.validators import max_length_of

# --- page forms (input shape only; the services validate money and dates) ----------------


def _amount(label, required=True, help_text=""):
    return forms.CharField(
        label=label, required=required, max_length=rules.AMOUNT_CHARS, help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip


class CustomerChoiceForm(forms.Form):
    """Hold a unit for one of the customers the consultant may sell to."""

    customer = forms.TypedChoiceField(label=_("For customer"), coerce=int, choices=())

    def __init__(self, *args, customers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", "—")] + [(c.pk, c.name) for c in customers]


class SubscribeForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int, choices=())
    deal_price = _amount(_("Deal price (yuan)"))
    standard_price = _amount(_("Standard price (yuan)"), required=False)
    payment_method = forms.ChoiceField(
        label=_("Payment method"), choices=Deal.PaymentMethod.choices
    )
    bank = forms.CharField(label=_("Bank"), max_length=max_length_of(Deal, "bank"), required=False)
    loan_amount = _amount(_("Loan amount (yuan)"), required=False)
    loan_years = forms.IntegerField(label=_("Loan years"), min_value=0, max_value=30,
                                    required=False)  # fmt: skip
    deposit = _amount(_("Deposit (yuan)"), required=False)
    due_on = forms.DateField(label=_("Due signing date"), required=False,
                             widget=IsoDateInput())  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=rules.NOTE_MAX, required=False)
    stand_in = forms.TypedChoiceField(
        label=_("Received by a stand-in (义务接待)"), coerce=int, choices=(), required=False,
        help_text=_("The colleague who received them shares the credit by the project's rule."),
    )  # fmt: skip
    idempotency_key = forms.CharField(
        required=False, max_length=max_length_of(Deal, "idempotency_key"), widget=forms.HiddenInput
    )

    def __init__(self, *args, customers=(), unitless=False, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", "—")] + [(c.pk, c.name) for c in customers]
        self.fields["stand_in"].choices = [("", "—")] + [(u.pk, str(u)) for u in colleagues]
        if not unitless:
            del self.fields["standard_price"]


class MoveForm(forms.Form):
    to = forms.CharField(max_length=max_length_of(StageChange, "stage"))
    note = forms.CharField(
        label=_("Note"), max_length=max_length_of(StageChange, "note"), required=False
    )


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Ask for"), choices=())
    reason = forms.CharField(label=_("Reason"), max_length=max_length_of(Approval, "reason"))
    unit = forms.CharField(
        label=_("New unit number"), max_length=max_length_of(Unit, "code"), required=False
    )
    buyer_name = forms.CharField(
        label=_("New buyer's name"), max_length=max_length_of(Deal, "buyer_name"), required=False
    )
    due_on = forms.DateField(label=_("New signing date"), required=False,
                             widget=IsoDateInput())  # fmt: skip
    deal_price = _amount(_("New deal price (yuan)"), required=False)

    def __init__(self, *args, table: rules.StageTable | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        table = table or rules.STAGE_TABLES["real_estate"]
        # the trade's own words: 退房 / 取消订单 / 跑单, and only its side moves
        self.fields["kind"].choices = [("cancel", rules.CANCEL_LABELS[table.cancel_kind])] + [
            (kind, rules.SIDE_MOVE_LABELS[kind]) for kind in table.side_moves
        ]


class ReceiptForm(forms.Form):
    amount = _amount(_("Amount (yuan)"))
    method = forms.ChoiceField(label=_("Method"), choices=Receipt.Method.choices)
    voucher = forms.CharField(
        label=_("Voucher number"), max_length=max_length_of(Receipt, "voucher")
    )
    received_on = forms.DateField(label=_("Received on"), required=False,
                                  widget=IsoDateInput())  # fmt: skip
    idempotency_key = forms.CharField(
        required=False, max_length=max_length_of(Receipt, "idempotency_key"),
        widget=forms.HiddenInput,
    )  # fmt: skip


class PlanLineForm(forms.Form):
    # a blank first choice: an untouched empty row of the page is left out, not refused
    kind = forms.ChoiceField(label=_("Payment"), choices=[("", "—"), *PaymentLine.Kind.choices])
    due_on = forms.DateField(label=_("Due on"), widget=IsoDateInput())
    amount = _amount(_("Amount (yuan)"))


PlanFormSet = forms.formset_factory(PlanLineForm, extra=2, max_num=60, absolute_max=60,
                                    validate_max=True, can_delete=True)  # fmt: skip


class RefundForm(forms.Form):
    amount = _amount(_("Refund (yuan)"))
    reason = forms.CharField(label=_("Reason"), max_length=max_length_of(Approval, "reason"))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Refuse"))]
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=max_length_of(Approval, "comment"), required=False
    )


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("Building"), max_length=max_length_of(Building, "name"))
    floors = forms.IntegerField(label=_("Floors"), min_value=1, max_value=120)
    units_per_floor = forms.IntegerField(label=_("Units per floor"), min_value=1, max_value=40)
    pattern = forms.CharField(
        label=_("Naming rule"),
        max_length=max_length_of(Building, "pattern"),
        initial="{building}-{floor}{unit:02d}",
        help_text=_("{building}, {floor}, {unit}; :02d pads with a zero (1802)."),
    )
    skip_floors = forms.CharField(
        label=_("Floors left out"),
        max_length=rules.SKIP_FLOORS_CHARS,
        required=False,
        help_text=_("e.g. 4,13,14"),
    )
    layout = forms.CharField(
        label=_("Layout"), max_length=max_length_of(Unit, "layout"), required=False
    )
    gross_area = _amount(_("Gross area (m²)"))
    price_per_m2 = _amount(_("Price per m² (yuan)"))
    net_percent = forms.IntegerField(label=_("Net area per 100 m² gross (得房率)"), min_value=50,
                                     max_value=100, initial=78, required=False)  # fmt: skip
    floor_percent = forms.IntegerField(label=_("Floor price per 100 yuan standard (底价)"),
                                       min_value=50, max_value=100, initial=95,
                                       required=False)  # fmt: skip

    def clean_skip_floors(self):
        text = self.cleaned_data["skip_floors"].replace("，", ",")
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if any(not (p.isascii() and p.isdecimal()) or int(p) > 120 for p in parts):
            raise forms.ValidationError(_("Floor numbers separated by commas."))
        return tuple(int(p) for p in parts)


class UnitForm(forms.Form):
    """A vehicle of the stock or a service package."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in Unit.Kind.choices if c[0] != "flat"]
    )
    code = forms.CharField(label=_("Number"), max_length=max_length_of(Unit, "code"))
    name = forms.CharField(label=_("Name"), max_length=max_length_of(Unit, "name"), required=False)
    model_name = forms.CharField(
        label=_("Model"), max_length=max_length_of(Unit, "model_name"), required=False
    )
    trim = forms.CharField(label=_("Trim"), max_length=max_length_of(Unit, "trim"), required=False)
    colour = forms.CharField(
        label=_("Colour"), max_length=max_length_of(Unit, "colour"), required=False
    )
    vin = forms.CharField(label=_("VIN"), max_length=max_length_of(Unit, "vin"), required=False)
    standard_price = _amount(_("Standard price (yuan)"))
    floor_price = _amount(_("Floor price (yuan)"), required=False)


class UnitSheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Unit sheet (.xlsx)"),
        help_text=_("First row: 房号 and any of 户型, 建筑面积, 套内面积, 朝向, 标准价, 底价. "
                    "New prices wait for a manager's approval."),
    )  # fmt: skip


class PriceChangeForm(forms.Form):
    new_price = _amount(_("New standard price (yuan)"))
    new_floor_price = _amount(_("New floor price (yuan)"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=max_length_of(Approval, "reason"))


class ReserveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why set it aside"), max_length=max_length_of(Unit, "reserve_reason")
    )


class DispatchForm(forms.Form):
    assign_to = forms.TypedChoiceField(label=_("Designer"), coerce=int, choices=(), required=False)
    note = forms.CharField(
        label=_("Why another designer"), max_length=max_length_of(Dispatch, "note"),
        required=False,
    )  # fmt: skip

    def __init__(self, *args, designers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].choices = [("", _("The proposed designer"))] + [
            (uid, label) for uid, label in designers
        ]


class RefuseOrderForm(forms.Form):
    note = forms.CharField(label=_("Why you refuse"), max_length=max_length_of(Dispatch, "note"))


class DesignerProfileForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Designer"), coerce=int, choices=())
    priority = forms.IntegerField(label=_("Priority (lower first)"), min_value=0, max_value=1000,
                                  initial=100)  # fmt: skip
    styles = forms.MultipleChoiceField(
        label=_("Styles"), choices=DecorStyle.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    senior = forms.BooleanField(label=_("Senior designer"), required=False)
    is_active = forms.BooleanField(label=_("Takes orders"), required=False, initial=True)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(u.pk, str(u)) for u in users]


class FormsReceiveForm(forms.Form):
    prefix = forms.CharField(label=_("Number prefix"), max_length=20, required=False,
                             initial="HT-")  # fmt: skip
    first = forms.IntegerField(label=_("First number"), min_value=0, max_value=999_999)
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=500)


class FormsMoveForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happens"),
        choices=[(k, label) for k, label in ContractFormMove.Kind.choices if k != "received"],
    )
    numbers = forms.CharField(
        label=_("Form numbers"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by spaces, commas or new lines."),
    )  # fmt: skip
    holder = forms.TypedChoiceField(label=_("Issued to"), coerce=int, choices=(), required=False)
    deal = forms.IntegerField(label=_("Deal number (signed)"), min_value=1, required=False)
    note = forms.CharField(label=_("Note"), max_length=max_length_of(ContractFormMove, "note"),
                           required=False)  # fmt: skip

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [("", "—")] + [(u.pk, str(u)) for u in staff]

    def clean_numbers(self):
        return [n for n in re.split(r"[\s,，、]+", self.cleaned_data["numbers"]) if n]


# This app's section of the project-rules page (org.forms), registered in apps.py.
class DealRulesFormSection(RulesFormSection):
    key = "deals"
    title = _("Deals")
    labels = {
        "deals.hold_minutes": _("Minutes a consultant's hold on a unit lasts"),
        "deals.holds_per_consultant": _("Units one consultant may hold at once"),
        "deals.consultant_discount_permille": _(
            "Discount a consultant may give without approval (‰, 10 = 1 %)"
        ),
        "deals.stand_in_share_percent": _("A stand-in's share of the credit (%)"),
        "deals.stale_valuable_days": _("Days paid and not signed before a customer is listed"),
        "deals.payment_reminder_days": _("Days before a payment is due to remind"),
        "deals.tasks_ahead_days": _("Days ahead milestone tasks are created"),
        "deals.milestone_offsets": _("Milestone dates (days, or months after handover)"),
        "deals.dispatch_open_cap": _("Open orders with deposit per designer"),
        "deals.dispatch_pause_days": _("Days a designer is paused after refusing an order"),
        "deals.dispatch_large_order_yuan": _("A large order (to senior designers), in yuan"),
        "deals.dispatch_conversion_quotes": _(
            "Quotes in 90 days after which a designer's conversion is checked"
        ),
        "deals.dispatch_conversion_percent": _(
            "Contracts per quote (%) below which a designer is not proposed"
        ),
        "deals.contract_form_days_out": _("Days a contract form may be out before it is flagged"),
    }
    part_bounds = {"deals.milestone_offsets": (-365, 3650)}

    def part_label(self, key: str, part: str) -> str:
        label = rules.MILESTONE_LABELS.get(part)
        return str(label) if label else super().part_label(key, part)


RULES_FORM_SECTIONS = (DealRulesFormSection(),)
