"""API shapes for customers and registrations (input shape only; rules live in services)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anchang.api.serializers import IdField, Reused, StrictSerializer, TextField, VersionField
from anchang.customers import choices as c
from anchang.customers.models import Customer, KeyDate, Medium, OwnershipConflict, Registration
from anchang.customers.phones import PHONE_INPUT_MAX, customer_phone_shown
from anchang.customers.policies import hidden_fields
from anchang.customers.profile import PROFILE_FIELDS
from anchang.customers.rules import TRADE_INTAKE
from anchang.customers.services.phone_reveal import REASON_MAX
from anchang.customers.services.profile import REASSIGN_REASON_MAX
from anchang.validators import max_length_of

# Every trade's registration fields; the service refuses one the project's trade does not ask.
FIRST_VISIT_FIELDS = list(
    dict.fromkeys(f for t in TRADE_INTAKE.values() for f in t["first_visit_fields"])
)
# One limit per field: the model's column, never a second number here.
NAME_MAX = Customer._meta.get_field("name").max_length


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
            "first_contact_at", "last_contact_at", "created_at", "grade", "next_follow_up_on",
            "updated_at", "version", *PROFILE_FIELDS,
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

    def _shown(self, obj, e164: str) -> str:
        return customer_phone_shown(actor=self.context["request"].user, customer=obj, e164=e164)

    def get_phone(self, obj) -> str:
        return self._shown(obj, obj.phone)

    def get_phone2(self, obj) -> str:
        return self._shown(obj, obj.phone2)

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
            "last_contact_at", "created_at", "grade", "next_follow_up_on", "updated_at", "version",
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
    name = serializers.CharField(max_length=NAME_MAX, required=False)
    phone = serializers.CharField(
        max_length=PHONE_INPUT_MAX, required=False,
        help_text=_("Only if you may see this customer's number in full (phone_not_editable)."),
    )  # fmt: skip
    phone2 = serializers.CharField(
        max_length=PHONE_INPUT_MAX, required=False, allow_blank=True,
        help_text=_("Only if you may see this customer's number in full (phone_not_editable)."),
    )  # fmt: skip
    state = serializers.ChoiceField(
        choices=[(v, label) for v, label in c.State.choices if v in c.MANUAL_STATES],
        required=False,
        help_text=_(
            "Only the states set by hand; lost, subscribed and owner are entered and left "
            "through their workflows (state_workflow_owned)."
        ),
    )
    medium = IdField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        for name in PROFILE_FIELDS:
            fields[name] = _profile_field(name)
        return fields


class RegistrationInSerializer(StrictSerializer):
    project = IdField()
    kind = serializers.ChoiceField(choices=Registration.Kind.choices)
    name = serializers.CharField(max_length=NAME_MAX)
    gender = serializers.ChoiceField(choices=c.Gender.choices)
    phone = serializers.CharField(max_length=PHONE_INPUT_MAX)
    medium = IdField()
    content = serializers.CharField(max_length=Registration._meta.get_field("content").max_length)
    occurred_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(required=False, allow_null=True)
    companions = serializers.IntegerField(min_value=0, max_value=50, required=False, default=0)
    intended_product = serializers.CharField(
        max_length=Registration._meta.get_field("intended_product").max_length,
        required=False, allow_blank=True,
    )  # fmt: skip
    idempotency_key = serializers.CharField(
        max_length=Registration._meta.get_field("idempotency_key").max_length,
        required=False,
        help_text=_("Or the Idempotency-Key header."),
    )

    def get_fields(self):
        fields = super().get_fields()
        for name in FIRST_VISIT_FIELDS:
            fields[name] = _profile_field(name)
        return fields


class RegistrationOutSerializer(Reused, serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Registration.Outcome.choices)
    message = serializers.CharField()
    registration = serializers.IntegerField()
    customer = serializers.IntegerField(
        allow_null=True, help_text=_("Null when the customer belongs to someone else.")
    )
    is_late = serializers.BooleanField()


class RevealInSerializer(StrictSerializer):
    reason = TextField(limit=REASON_MAX, minimum=1)


class RevealOutSerializer(serializers.Serializer):
    phone = serializers.CharField()


class MediumOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Medium
        fields = ["id", "project", "name", "kind", "is_active", "sort_order"]
        read_only_fields = fields


class CustomerReassignSerializer(StrictSerializer):
    owner = IdField()
    reason = TextField(limit=REASSIGN_REASON_MAX, minimum=1)
    version = VersionField(required=False)


class ProposalReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="deal, protected, lapsed, never_reached, same_day, "
                                 "claimant_visit, second_phone")  # fmt: skip
    days = serializers.IntegerField(required=False, help_text="since the owner last reached them")
    limit = serializers.IntegerField(required=False, help_text="the protection period's days")


class ConflictOutSerializer(serializers.ModelSerializer):
    """An open ownership conflict (撞单): who registered whose customer, and when."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    claimant_name = serializers.CharField(source="claimant.name", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    registration_kind = serializers.ChoiceField(
        source="registration.kind", choices=Registration.Kind.choices, read_only=True
    )
    registered_at = serializers.DateTimeField(source="registration.occurred_at", read_only=True)
    proposal = ProposalReasonSerializer(many=True, read_only=True,
                                        help_text="the evidence for `proposed`")  # fmt: skip

    class Meta:
        model = OwnershipConflict
        fields = [
            "id", "project", "project_name", "customer", "customer_name", "claimant",
            "claimant_name", "owner", "owner_name", "registration", "registration_kind",
            "registered_at", "status", "note", "created_at", "resolved_by", "resolved_at",
            "proposed", "proposal",
        ]  # fmt: skip
        read_only_fields = fields


class ConflictDecideInSerializer(StrictSerializer):
    decision = serializers.ChoiceField(
        choices=[
            OwnershipConflict.Status.KEPT,
            OwnershipConflict.Status.TRANSFERRED,
            OwnershipConflict.Status.SPLIT,
        ],
        help_text=_(
            "kept: the owner keeps the customer; transferred: the claimant gets it; split: the "
            "owner keeps them and the claimant shares a deal's credit. Otherwise than `proposed`"
            " needs a note."
        ),
    )
    note = serializers.CharField(
        max_length=max_length_of(OwnershipConflict, "note"), allow_blank=True, default=""
    )


class KeyDateOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyDate
        fields = ["id", "customer", "kind", "date", "note"]
        read_only_fields = fields


class KeyDateInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=KeyDate.Kind.choices)
    date = serializers.DateField()
    note = serializers.CharField(
        max_length=max_length_of(KeyDate, "note"), allow_blank=True, default=""
    )


class MediumInSerializer(StrictSerializer):
    project = IdField()
    name = serializers.CharField(max_length=max_length_of(Medium, "name"))
    kind = serializers.ChoiceField(choices=Medium._meta.get_field("kind").choices)


class MediumPatchSerializer(StrictSerializer):
    """Rename, re-class, or retire (is_active false) a medium; omitted fields are kept."""

    name = serializers.CharField(max_length=max_length_of(Medium, "name"), required=False)
    kind = serializers.ChoiceField(choices=Medium._meta.get_field("kind").choices, required=False)
    is_active = serializers.BooleanField(required=False)
