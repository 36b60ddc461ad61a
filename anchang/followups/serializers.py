from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anchang.api.serializers import IdField, Reused, StrictSerializer, TextField
from anchang.customers.choices import PurchaseHorizon
from anchang.customers.models import Registration
from anchang.followups import rules
from anchang.followups.models import FollowUp, GradeChange
from anchang.followups.services import CONTENT_MAX
from anchang.validators import max_length_of


class GradeChecksSerializer(serializers.Serializer):
    """The grading checklist: one yes / no / unknown (null) per criterion."""

    def get_fields(self):
        return {
            name: serializers.BooleanField(allow_null=True, required=False)
            for name in rules.ALL_CRITERIA  # every trade's; the service refuses another trade's
        }


class GradeChecksInSerializer(StrictSerializer, GradeChecksSerializer):
    pass


class FollowUpInSerializer(StrictSerializer):
    customer = IdField()
    kind = serializers.ChoiceField(choices=FollowUp.Kind.choices)
    reached = serializers.BooleanField(default=True)
    content = TextField(
        limit=CONTENT_MAX, default="", min_length_by=rules.MIN_CONTENT,
        help_text="A reached contact needs at least this many characters (spaces not "
        "counted), by kind: " + ", ".join(f"{k} {n}" for k, n in rules.MIN_CONTENT.items()),
    )  # fmt: skip
    occurred_at = serializers.DateTimeField(required=False)
    grade = serializers.CharField(max_length=1, allow_blank=True, default="")
    signals = serializers.ListField(
        child=serializers.ChoiceField(choices=rules.ALL_SIGNALS), default=list, max_length=10
    )
    impression = serializers.CharField(
        max_length=max_length_of(FollowUp, "impression"), allow_blank=True, default=""
    )
    bottleneck = serializers.CharField(
        max_length=max_length_of(FollowUp, "bottleneck"), allow_blank=True, default=""
    )
    plan = serializers.CharField(
        max_length=max_length_of(FollowUp, "plan"), allow_blank=True, default=""
    )
    next_on = serializers.DateField(required=False, allow_null=True, help_text=_(
        "Empty: the cadence of the customer's grade decides."))  # fmt: skip
    idempotency_key = serializers.CharField(
        max_length=64, required=False, help_text=_(
            "Or the Idempotency-Key header. A retry with the same key answers with the first "
            "follow-up and records nothing."),
    )  # fmt: skip


class FollowUpOutSerializer(Reused, serializers.ModelSerializer):
    signals = serializers.ListField(child=serializers.ChoiceField(choices=rules.ALL_SIGNALS))

    class Meta:
        model = FollowUp
        fields = [
            "id", "customer", "author", "kind", "reached", "occurred_at", "entered_at",
            "is_backdated", "content", "grade", "signals", "impression", "bottleneck", "plan",
            "next_on",
        ]  # fmt: skip
        read_only_fields = fields


class HistoryFollowUpSerializer(FollowUpOutSerializer):
    author_name = serializers.CharField(source="author.name", read_only=True)

    class Meta(FollowUpOutSerializer.Meta):
        fields = [*FollowUpOutSerializer.Meta.fields, "author_name"]
        read_only_fields = fields


class HistoryRegistrationSerializer(serializers.ModelSerializer):
    consultant_name = serializers.CharField(source="consultant.name", read_only=True)
    medium_name = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id", "kind", "outcome", "occurred_at", "left_at", "entered_at", "is_late",
            "consultant", "consultant_name", "medium", "medium_name", "name_given", "content",
            "companions", "intended_product",
        ]  # fmt: skip
        read_only_fields = fields

    def get_medium_name(self, obj) -> str:
        return obj.medium.name if obj.medium_id else ""


class CustomerHistorySerializer(serializers.Serializer):
    """What the card shows: calls and visits, and everyone's follow-ups, newest first."""

    customer = serializers.IntegerField()
    registrations = HistoryRegistrationSerializer(many=True, help_text="the latest 100")
    followups = HistoryFollowUpSerializer(many=True, help_text="the latest 100")


class GradeInSerializer(StrictSerializer):
    grade = serializers.CharField(max_length=1)
    reason = serializers.CharField(
        max_length=max_length_of(GradeChange, "reason"), allow_blank=True, default=""
    )
    checks = GradeChecksInSerializer(required=False)
    horizon = serializers.ChoiceField(
        choices=PurchaseHorizon.choices, allow_blank=True, required=False,
        help_text="Projects that grade by purchase horizon (dealerships): when they will buy.",
    )  # fmt: skip


class GradeChangeOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeChange
        fields = ["from_grade", "to_grade", "suggested", "reason", "actor", "at"]
        read_only_fields = fields


class GradeOutSerializer(serializers.Serializer):
    grade = serializers.CharField(allow_blank=True)
    checks = GradeChecksSerializer()
    suggested = serializers.CharField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    horizon = serializers.CharField(allow_blank=True)
    changes = GradeChangeOutSerializer(many=True)


class RevisitTaskDueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    plan_title = serializers.CharField(source="plan.title")
    purpose = serializers.CharField(source="plan.purpose")
    due_on = serializers.DateField(source="plan.due_on")
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")


class ReceivedReviewSerializer(serializers.Serializer):
    """A manager's comment on one of the consultant's follow-ups, for My day."""

    id = serializers.IntegerField()
    comment = serializers.CharField()
    reviewer = serializers.IntegerField(source="reviewer_id")
    reviewer_name = serializers.CharField(source="reviewer")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    followup = serializers.IntegerField(source="followup_id")
    followup_excerpt = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField()
    customer_name = serializers.SerializerMethodField()

    def get_followup_excerpt(self, review) -> str:
        content = review.followup.content
        return content if len(content) <= 60 else content[:59] + "…"

    # The customer only while the consultant may still open the card (it may have moved on).
    def get_customer(self, review) -> int | None:
        return review.followup.customer_id if review.customer_visible else None

    def get_customer_name(self, review) -> str | None:
        return review.followup.customer.name if review.customer_visible else None
