"""API shapes for customers and registrations (input shape only; rules live in services)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer, VersionField
from anchang.customers import choices as c
from anchang.customers.models import Customer, Medium, Registration
from anchang.customers.phones import mask_phone
from anchang.customers.policies import can_see_full_phone, hidden_fields
from anchang.customers.rules import TRADE_INTAKE
from anchang.customers.services import PROFILE_FIELDS

# Every trade's registration fields; the service refuses one the project's trade does not ask.
FIRST_VISIT_FIELDS = list(
    dict.fromkeys(f for t in TRADE_INTAKE.values() for f in t["first_visit_fields"])
)


class CustomerOutSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name")
    phone = serializers.SerializerMethodField(help_text=_("Masked unless you own the customer."))
    phone2 = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField()
    medium_name = serializers.SerializerMethodField()
    restricted_fields = serializers.SerializerMethodField(
        help_text=_(
            "Sensitive fields (income, assets, family) your role may not read for this "
            "customer: they are returned empty."
        )
    )

    class Meta:
        model = Customer
        fields = [
            "id", "project", "project_name", "name", "phone", "phone2", "state", "owner",
            "owner_name", "medium", "medium_name", "completeness", "visit_count", "call_count",
            "first_contact_at", "last_contact_at", "created_at", "version", *PROFILE_FIELDS,
            "restricted_fields",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in data.get("restricted_fields") or ():
            data[name] = ""  # every sensitive field is text or a choice: "" is unanswered
        return data

    def get_restricted_fields(self, obj) -> list[str]:
        return sorted(hidden_fields(actor=self.context["request"].user, customer=obj))

    def get_fields(self):
        # Read-only fields lose allow_blank in DRF, so the schema would promise a choice where
        # an unanswered profile field holds "": say that blank is an answer too.
        fields = super().get_fields()
        for name, field in fields.items():
            if isinstance(field, serializers.ChoiceField):
                field.allow_blank = Customer._meta.get_field(name).blank
        return fields

    def _full(self, obj) -> bool:
        return can_see_full_phone(actor=self.context["request"].user, customer=obj)

    def get_phone(self, obj) -> str:
        return obj.phone if self._full(obj) else mask_phone(obj.phone)

    def get_phone2(self, obj) -> str:
        if not obj.phone2:
            return ""
        return obj.phone2 if self._full(obj) else mask_phone(obj.phone2)

    def get_owner_name(self, obj) -> str:
        return str(obj.owner) if obj.owner_id else ""

    def get_medium_name(self, obj) -> str:
        return obj.medium.name if obj.medium_id else ""


class CustomerListSerializer(CustomerOutSerializer):
    """A list row carries no sensitive field, so nothing is restricted in it."""

    restricted_fields = None

    class Meta(CustomerOutSerializer.Meta):
        fields = [
            "id", "project", "project_name", "name", "phone", "state", "owner", "owner_name",
            "medium", "medium_name", "completeness", "visit_count", "call_count",
            "last_contact_at", "created_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


def _profile_field(name: str, *, required=False):
    model_field = Customer._meta.get_field(name)
    kwargs = {"required": required}
    if model_field.choices:
        # The model's own (value, label) pairs, so the schema shows one enum per choice set.
        pairs = [(v, label) for v, label in model_field.choices if v != ""]
        return serializers.ChoiceField(choices=pairs, allow_blank=True, **kwargs)
    internal = model_field.get_internal_type()
    if internal in ("PositiveIntegerField",):
        return serializers.IntegerField(min_value=0, max_value=100000, allow_null=True, **kwargs)
    if internal == "BooleanField":
        return serializers.BooleanField(allow_null=True, **kwargs)
    if internal == "DateField":
        return serializers.DateField(allow_null=True, **kwargs)
    return serializers.CharField(
        max_length=model_field.max_length or 2000, allow_blank=True, **kwargs
    )


class CustomerPatchSerializer(StrictSerializer):
    version = VersionField(
        help_text=_("The version you last read; an outdated version is rejected with 409."),
    )
    name = serializers.CharField(max_length=200, required=False)
    phone = serializers.CharField(max_length=40, required=False)
    phone2 = serializers.CharField(max_length=40, required=False, allow_blank=True)
    state = serializers.ChoiceField(choices=c.State.choices, required=False)
    medium = IdField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        for name in PROFILE_FIELDS:
            fields[name] = _profile_field(name)
        return fields


class RegistrationInSerializer(StrictSerializer):
    project = IdField()
    kind = serializers.ChoiceField(choices=Registration.Kind.choices)
    name = serializers.CharField(max_length=200)
    gender = serializers.ChoiceField(choices=c.Gender.choices)
    phone = serializers.CharField(max_length=40)
    medium = IdField()
    content = serializers.CharField(max_length=2000)
    occurred_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(required=False, allow_null=True)
    companions = serializers.IntegerField(min_value=0, max_value=50, required=False, default=0)
    intended_product = serializers.CharField(max_length=100, required=False, allow_blank=True)
    idempotency_key = serializers.CharField(
        max_length=64, required=False, help_text=_("Or the Idempotency-Key header.")
    )

    def get_fields(self):
        fields = super().get_fields()
        for name in FIRST_VISIT_FIELDS:
            fields[name] = _profile_field(name)
        return fields


class RegistrationOutSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Registration.Outcome.choices)
    message = serializers.CharField()
    registration = serializers.IntegerField()
    customer = serializers.IntegerField(
        allow_null=True, help_text=_("Null when the customer belongs to someone else.")
    )
    is_late = serializers.BooleanField()


class RevealInSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class RevealOutSerializer(serializers.Serializer):
    phone = serializers.CharField()


class MediumOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Medium
        fields = ["id", "project", "name", "kind", "is_active", "sort_order"]
        read_only_fields = fields


class CustomerReassignSerializer(StrictSerializer):
    owner = IdField()
    reason = serializers.CharField(max_length=500)
    version = VersionField(required=False)
