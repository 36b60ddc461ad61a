"""The API's shapes of imports (导入): the upload, the mapping, a batch and its rows."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer
from anchang.assignment.imports import rules
from anchang.assignment.models import ImportBatch

OUTCOMES = ("new_customer", "return", "merged", "conflict", "invalid")


class UploadInSerializer(StrictSerializer):
    project = IdField()
    kind = serializers.ChoiceField(choices=list(rules.KINDS))
    file = serializers.FileField(
        help_text=f".xlsx or .csv (UTF-8 or GBK), {settings.ANCHANG_MAX_FILE_BYTES // 2**20} MB "
        "and 100,000 rows at most; a header row within the first ten names the columns"
    )


class MappingInSerializer(StrictSerializer):
    mapping = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=59, allow_null=True),
        help_text="field → column index (0 = A), null: not in the file; fields: "
        + ", ".join(rules.FIELDS),
    )
    default_medium = IdField(required=False, allow_null=True,
                             help_text="the awareness medium of rows that name none")  # fmt: skip


class BatchSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=list(rules.KINDS))
    status = serializers.ChoiceField(choices=ImportBatch.Status.choices)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="outcome → rows: "
                                   + ", ".join(OUTCOMES))  # fmt: skip
    revert_counts = serializers.DictField(child=serializers.IntegerField())
    mapping = serializers.DictField(child=serializers.IntegerField())
    headers = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ImportBatch
        fields = [
            "id", "project", "kind", "file_name", "file_type", "status", "header_row", "headers",
            "mapping", "default_medium", "total", "done", "counts", "error", "created_at",
            "committed_at", "finished_at", "reverted_at", "revert_counts",
        ]  # fmt: skip
        read_only_fields = fields


class RowSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="the file's row number")
    outcome = serializers.ChoiceField(choices=list(OUTCOMES))
    reason = serializers.CharField()
    shown = serializers.ListField(
        child=serializers.CharField(), help_text="the mapped cells in field order, phone masked"
    )
