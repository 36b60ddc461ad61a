"""API shapes of supervisor review (主管批示). Input shape only; rules are in reviews.services."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anchang import pagination as keyset
from anchang.api.serializers import IdField, StrictSerializer, TextField
from anchang.followups.models import FollowUp, Review
from anchang.followups.reviews.services import COMMENT_MAX
from anchang.followups.serializers import ReceivedReviewSerializer


class ReviewInSerializer(StrictSerializer):
    followup = IdField()
    # The service says "at most 500 characters (now n)", with its own code.
    comment = TextField(limit=COMMENT_MAX, minimum=1, trim_whitespace=False)


class ReviewsDoneInSerializer(StrictSerializer):
    project = IdField(required=False, allow_null=True, help_text=_(
        "Empty: every project you review."))  # fmt: skip
    until = serializers.DateTimeField(required=False, allow_null=True, help_text=_(
        "The queue's `until`; empty: now. Records entered later stay in the queue."))  # fmt: skip


class ReviewsDoneOutSerializer(serializers.Serializer):
    project = serializers.IntegerField(allow_null=True)
    reviewed_until = serializers.DateTimeField()


class ReviewOutSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.CharField(source="reviewer", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "followup", "project", "reviewer", "reviewer_name", "consultant",
                  "comment", "created_at", "read_at"]  # fmt: skip
        read_only_fields = fields


class QueueFollowUpSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    author_name = serializers.CharField(source="author", read_only=True)
    reviews = ReviewOutSerializer(many=True, read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id", "project", "customer", "customer_name", "author", "author_name", "kind",
            "reached", "occurred_at", "entered_at", "is_backdated", "grade", "content",
            "impression", "bottleneck", "plan", "reviews",
        ]  # fmt: skip
        read_only_fields = fields


class ReviewQueueOutSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["queue"], help_text=_("Which list this is."))
    until = serializers.DateTimeField(
        help_text=_("Send to mark-done to mark these and the pages before them.")
    )
    truncated = serializers.BooleanField(help_text=_("More records wait after this page."))
    waiting = serializers.IntegerField(help_text=_("Records waiting in all, counted up to 10,000."))
    waiting_capped = serializers.BooleanField(help_text=_("More than 10,000 records wait."))
    next_cursor = serializers.CharField(
        allow_null=True, help_text=_("Pass as `cursor` for the next page; null on the last.")
    )
    results = QueueFollowUpSerializer(many=True)


class ReceivedReviewsOutSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["received"], help_text=_("Which list this is."))
    results = ReceivedReviewSerializer(many=True)


class AsciiIdField(IdField):
    """An id in ASCII digits only: int() would read ١ or full-width １ as 1."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not re.fullmatch(r"\s*[0-9]{1,19}\s*", data):
            self.fail("invalid")
        return super().to_internal_value(data)


class ReviewListQuerySerializer(serializers.Serializer):
    received = serializers.BooleanField(default=False)
    project = IdField(required=False)
    consultant = AsciiIdField(required=False)
    cursor = serializers.CharField(required=False, max_length=keyset.CURSOR_MAX)
    page_size = serializers.IntegerField(min_value=1, max_value=200, default=200)

    def validate_cursor(self, value: str) -> str:
        keyset.decode(value)  # a broken cursor: 400 invalid_cursor, as on every list
        return value

    def to_internal_value(self, data):
        # A cursor past its length is broken too: say so with the cursor's own code.
        keyset.ensure_length(data.get("cursor") if hasattr(data, "get") else None)
        return super().to_internal_value(data)


class ReviewCountsQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=90, default=7)
    project = IdField(required=False)


class ConsultantCountsSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user.pk")
    name = serializers.CharField(source="user")
    followups_recorded = serializers.IntegerField()
    followups_commented = serializers.IntegerField()
    comments_received = serializers.IntegerField()


class ManagerCountsSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user.pk")
    name = serializers.CharField(source="user")
    comments_given = serializers.IntegerField()


class ReviewCountsOutSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    days = serializers.IntegerField()
    consultants = ConsultantCountsSerializer(many=True)
    managers = ManagerCountsSerializer(many=True)
