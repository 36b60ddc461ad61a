"""The API's shapes of deals, units and their parts (input shape and output shape only)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer
from anchang.deals import rules
from anchang.deals.models import (
    Approval,
    ContractForm,
    ContractFormMove,
    Deal,
    Dispatch,
    MilestoneTask,
    PaymentLine,
    Receipt,
    StageChange,
    Unit,
)
from anchang.validators import max_length_of


class MyDayTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    key = serializers.CharField()
    label = serializers.CharField()
    due_on = serializers.DateField()
    late_days = serializers.IntegerField()
    closes_with = serializers.ListField(child=serializers.CharField(), source="kinds")
    hint = serializers.CharField(help_text="what to say or bring (the signing documents)")
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    deal = serializers.IntegerField(source="deal_id")


class PaymentDueSerializer(serializers.Serializer):
    deal = serializers.IntegerField(source="pk")
    buyer_name = serializers.CharField()
    customer = serializers.IntegerField(source="customer_id")
    due_on = serializers.DateField(source="collect_due_on")
    outstanding = serializers.SerializerMethodField(help_text="yuan")

    def get_outstanding(self, deal) -> str:
        return rules.yuan_plain(deal.outstanding)


class MyDayTasksSerializer(serializers.Serializer):
    """Deals' section of My day in the API (followups.my_day.sections)."""

    milestone_tasks = MyDayTaskSerializer(many=True, help_text="due today and overdue, 30 at most")
    milestone_more = serializers.BooleanField()
    milestone_overdue = serializers.IntegerField()
    payments_due = PaymentDueSerializer(
        many=True, help_text="your deals with a payment due within the reminder days, 10 at most"
    )


def yuan(fen: int | None) -> str | None:
    return None if fen is None else rules.yuan_plain(fen)


# --- the API: output and input shapes ---------------------------------------------


MONEY_HELP = "yuan, a decimal string with at most 2 decimals"


class Money(serializers.CharField):
    """An amount in yuan as a decimal string (never a float): "12345.60"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", rules.AMOUNT_CHARS)
        kwargs.setdefault("help_text", MONEY_HELP)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return yuan(value)


class UnitSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    standard_price = Money(read_only=True)
    floor_price = serializers.SerializerMethodField(
        help_text="only for who may keep the catalogue; null otherwise"
    )

    class Meta:
        model = Unit
        fields = [
            "id", "project", "kind", "code", "building", "floor", "position", "layout",
            "gross_area", "net_area", "orientation", "model_name", "trim", "colour", "vin",
            "name", "standard_price", "floor_price", "status", "held_until", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status(self, unit: Unit) -> str:
        return rules.effective_status(unit.status, unit.held_until, timezone.now())

    def get_floor_price(self, unit: Unit) -> str | None:
        shown = self.context.get("floor_price_projects", frozenset())
        return yuan(unit.floor_price) if unit.project_id in shown and unit.floor_price else None


class BoardCellSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    floor = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=Unit.Status.choices)
    mine = serializers.BooleanField(help_text="held by you")
    label = serializers.CharField()


class BoardSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    building = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    units = BoardCellSerializer(many=True)


class HoldInSerializer(StrictSerializer):
    customer = IdField()


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageChange
        fields = ["kind", "stage", "what", "note", "actor", "at"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    closes_with = serializers.ListField(child=serializers.CharField(), source="kinds")

    class Meta:
        model = MilestoneTask
        fields = ["id", "key", "due_on", "closes_with", "done_at", "dropped", "assignee"]
        read_only_fields = fields


class PaymentLineSerializer(serializers.ModelSerializer):
    amount = Money(read_only=True)

    class Meta:
        model = PaymentLine
        fields = ["kind", "due_on", "amount"]
        read_only_fields = fields


class ReceiptSerializer(serializers.ModelSerializer):
    amount = Money(read_only=True)

    class Meta:
        model = Receipt
        fields = ["id", "amount", "method", "voucher", "received_on", "at", "recorded_by"]
        read_only_fields = fields


class ApprovalPayloadSerializer(serializers.Serializer):
    """What an approval asks for, by kind; amounts in fen (integers)."""

    permille = serializers.IntegerField(required=False, help_text="discount: ‰ of the price")
    stage = serializers.CharField(required=False, help_text="cancel: the stage it was asked in")
    unit = serializers.IntegerField(required=False, help_text="change_unit: the new unit")
    deal_price = serializers.IntegerField(required=False, help_text="change_unit: fen")
    buyer_name = serializers.CharField(required=False, help_text="rename")
    due_on = serializers.DateField(required=False, help_text="delay: the new signing date")
    amount = serializers.IntegerField(required=False, help_text="refund: fen")
    old_price = serializers.IntegerField(required=False, help_text="price: fen")
    new_price = serializers.IntegerField(required=False, help_text="price: fen")
    old_floor_price = serializers.IntegerField(required=False, allow_null=True)
    new_floor_price = serializers.IntegerField(required=False, allow_null=True)


class ApprovalSerializer(serializers.ModelSerializer):
    payload = ApprovalPayloadSerializer(read_only=True)

    class Meta:
        model = Approval
        fields = [
            "id", "kind", "deal", "unit", "payload", "reason", "status", "requested_by",
            "requested_at", "decided_by", "decided_at", "comment",
        ]  # fmt: skip
        read_only_fields = fields


class DealSerializer(serializers.ModelSerializer):
    standard_price = Money(read_only=True)
    deal_price = Money(read_only=True)
    loan_amount = Money(read_only=True)
    planned_total = Money(read_only=True)
    received_total = Money(read_only=True)
    outstanding = Money(read_only=True)
    unit_code = serializers.CharField(source="unit.code", default=None, read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id", "project", "customer", "unit", "unit_code", "package", "buyer_name", "consultant",
            "stand_in", "stand_in_share", "designer", "stage", "stage_at", "is_active",
            "cancelled_at", "standard_price", "deal_price", "discount_permille",
            "discount_approved", "payment_method", "bank", "loan_amount", "loan_years",
            "due_on", "planned_total", "received_total", "outstanding", "collect_due_on",
            "version", "created_at", "channel_report",
        ]  # fmt: skip
        read_only_fields = fields


class DealDetailSerializer(DealSerializer):
    timeline = StageChangeSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    plan = PaymentLineSerializer(many=True, read_only=True)
    receipts = ReceiptSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "timeline", "tasks", "plan", "receipts",
                  "approvals"]  # fmt: skip
        read_only_fields = fields


class SubscribeInSerializer(StrictSerializer):
    customer = IdField()
    unit = IdField(required=False, allow_null=True, help_text="a flat or a vehicle")
    package = IdField(required=False, allow_null=True, help_text="a service package")
    deal_price = Money()
    standard_price = Money(required=False, allow_blank=True, default="")
    payment_method = serializers.ChoiceField(choices=Deal.PaymentMethod.choices)
    bank = serializers.CharField(
        max_length=max_length_of(Deal, "bank"), required=False, allow_blank=True, default=""
    )
    loan_amount = Money(required=False, allow_blank=True, default="")
    loan_years = serializers.IntegerField(min_value=0, max_value=30, required=False,
                                          allow_null=True)  # fmt: skip
    deposit = Money(required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True)
    buyer_name = serializers.CharField(
        max_length=max_length_of(Deal, "buyer_name"), required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=rules.NOTE_MAX, required=False, allow_blank=True, default=""
    )
    stand_in = IdField(
        required=False, allow_null=True,
        help_text="a colleague who received the customer (义务接待): shares the credit",
    )  # fmt: skip
    credit_to = IdField(
        required=False, allow_null=True,
        help_text="the staff member credited with the deal; the customer's owner by default",
    )  # fmt: skip
    idempotency_key = serializers.CharField(
        max_length=max_length_of(Deal, "idempotency_key"), required=False, allow_blank=True
    )


class MoveInSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=[(s, s) for s in rules.ALL_STAGES])
    note = serializers.CharField(
        max_length=max_length_of(StageChange, "note"), required=False, allow_blank=True,
        default="",
    )  # fmt: skip


class RequestInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=["cancel", *rules.SIDE_MOVE_LABELS],
        help_text="cancel, or a side move the deal's trade has (400 otherwise)",
    )
    reason = serializers.CharField(max_length=max_length_of(Approval, "reason"))
    unit = IdField(required=False, allow_null=True)
    buyer_name = serializers.CharField(
        max_length=max_length_of(Deal, "buyer_name"), required=False, allow_blank=True, default=""
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    deal_price = Money(required=False, allow_blank=True, default="")


class ReceiptInSerializer(StrictSerializer):
    amount = Money()
    method = serializers.ChoiceField(choices=Receipt.Method.choices)
    voucher = serializers.CharField(max_length=max_length_of(Receipt, "voucher"))
    received_on = serializers.DateField(required=False, allow_null=True)
    idempotency_key = serializers.CharField(
        max_length=max_length_of(Receipt, "idempotency_key"), required=False, allow_blank=True
    )


class PlanLineInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=PaymentLine.Kind.choices)
    due_on = serializers.DateField()
    amount = Money()


class PlanInSerializer(StrictSerializer):
    lines = PlanLineInSerializer(many=True, max_length=60, min_length=1)


class RefundInSerializer(StrictSerializer):
    amount = Money()
    reason = serializers.CharField(max_length=max_length_of(Approval, "reason"))


class DecideInSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    comment = serializers.CharField(
        max_length=max_length_of(Approval, "comment"), required=False, allow_blank=True,
        default="",
    )  # fmt: skip


class DispatchSerializer(serializers.ModelSerializer):
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Dispatch
        fields = ["id", "deal", "proposed", "designer", "reasons", "status", "note", "at",
                  "decided_by", "decided_at"]  # fmt: skip
        read_only_fields = fields


class DispatchDecideInSerializer(StrictSerializer):
    assign_to = IdField(
        required=False, allow_null=True, help_text="a designer other than the proposed one"
    )
    note = serializers.CharField(
        max_length=max_length_of(Dispatch, "note"), required=False, allow_blank=True, default="",
        help_text="required when the designer is not the proposed one",
    )  # fmt: skip


class RefuseOrderInSerializer(StrictSerializer):
    note = serializers.CharField(max_length=max_length_of(Dispatch, "note"))


class ContractFormSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractForm
        fields = ["id", "number", "status", "holder", "deal", "moved_at"]
        read_only_fields = fields


class FormsReceiveInSerializer(StrictSerializer):
    project = IdField()
    prefix = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    first = serializers.IntegerField(min_value=0, max_value=999_999)
    count = serializers.IntegerField(min_value=1, max_value=500)


class FormsMoveInSerializer(StrictSerializer):
    project = IdField()
    kind = serializers.ChoiceField(choices=["issued", "signed", "void", "to_finance"])
    numbers = serializers.ListField(
        child=serializers.CharField(max_length=max_length_of(ContractForm, "number")),
        min_length=1, max_length=200,
    )  # fmt: skip
    holder = IdField(required=False, allow_null=True, help_text="issued: to whom")
    deal = IdField(required=False, allow_null=True, help_text="signed: the deal")
    note = serializers.CharField(
        max_length=max_length_of(ContractFormMove, "note"), required=False, allow_blank=True,
        default="",
    )  # fmt: skip


class UnitSheetInSerializer(StrictSerializer):
    project = IdField()
    sheet = serializers.FileField(help_text=".xlsx, 1 MB at most; first row names the columns")


class UnitSheetResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
    price_changes = serializers.IntegerField(help_text="sent for a manager's approval")
