"""API shapes of loss applications. Input shape only; rules are in loss.services."""

from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer, TextField
from anchang.followups.loss.services import COMMENT_MAX as LOSS_COMMENT_MAX
from anchang.followups.models import LossApplication
from anchang.validators import max_length_of


class LossApplyInSerializer(StrictSerializer):
    customer = IdField()
    reason = serializers.ChoiceField(choices=LossApplication.Reason.choices)
    competitor = serializers.CharField(
        max_length=max_length_of(LossApplication, "competitor"), allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=max_length_of(LossApplication, "note"), allow_blank=True, default=""
    )


class LossDecisionInSerializer(StrictSerializer):
    comment = TextField(limit=LOSS_COMMENT_MAX, default="")


class LossRejectInSerializer(StrictSerializer):
    """Rejecting needs a comment: the consultant is told why."""

    comment = TextField(limit=LOSS_COMMENT_MAX, minimum=1)


class LossApplicationOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = LossApplication
        fields = [
            "id", "customer", "applicant", "reason", "competitor", "note", "status",
            "decided_by", "decided_at", "decision_comment", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
