from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer
from anchang.customers.models import Customer
from anchang.customers.phones import phone_shown
from anchang.pool.services import HAND_OUT_MAX


class PoolCustomerSerializer(serializers.ModelSerializer):
    """A pool customer as anyone of the project sees them: the phone masked."""

    phone = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id", "project", "name", "phone", "grade", "state", "visit_count", "call_count",
            "created_at", "last_reached_at", "pool_entered_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_phone(self, customer: Customer) -> str:
        # Nobody owns a pool customer, so nobody sees the number in full.
        return phone_shown(customer.phone, full=False)


class ClaimedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "project", "name", "owner", "owned_since", "next_follow_up_on", "version"]
        read_only_fields = fields


class HandOutInSerializer(StrictSerializer):
    customers = serializers.ListField(child=IdField(), min_length=1, max_length=HAND_OUT_MAX)
    owner = IdField()


class HandOutOutSerializer(serializers.Serializer):
    handed_out = serializers.IntegerField()


class PoolWarningSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    customer_name = serializers.CharField()
    returns_at = serializers.DateTimeField()
    rule = serializers.ChoiceField(choices=["no_contact", "no_subscription"])

    def to_representation(self, instance):
        customer, due = instance  # (customer, Reclaim), as My day holds them
        return super().to_representation(
            {"customer": customer.pk, "customer_name": customer.name, "returns_at": due.at,
             "rule": due.rule}
        )  # fmt: skip


class MyDayPoolSerializer(serializers.Serializer):
    """The pool's section of My day in the API (followups.my_day.sections)."""

    pool_warnings = PoolWarningSerializer(many=True, help_text="the 20 returning soonest")
    pool_more = serializers.BooleanField()
