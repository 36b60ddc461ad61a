from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer
from anchang.customers.models import Customer
from anchang.customers.phones import mask_phone
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
        return mask_phone(customer.phone)


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
