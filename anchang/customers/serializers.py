from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anchang.api.serializers import StrictSerializer
from anchang.customers.phones import mask_phone


class CustomerOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    project_name = serializers.CharField(source="project.name")
    name = serializers.CharField()
    phone = serializers.SerializerMethodField(help_text=_("Masked unless you own the customer."))
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    owner_name = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_phone(self, obj) -> str:
        if obj.owner_id == self.context["request"].user.pk:
            return obj.phone
        return mask_phone(obj.phone)

    def get_owner_name(self, obj) -> str:
        return str(obj.owner) if obj.owner_id else ""


class CustomerPatchSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    version = serializers.IntegerField(
        min_value=1,
        help_text=_("The version you last read; an outdated version is rejected with 409."),
    )


class CustomerReassignSerializer(StrictSerializer):
    owner = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField(min_value=1, required=False)
