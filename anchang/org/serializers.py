from rest_framework import serializers

from anchang.api.serializers import StrictSerializer, TextField
from anchang.org.services import TOKEN_NAME_MAX


class ProjectOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    kind = serializers.CharField()
    region = serializers.IntegerField(source="region_id")
    region_name = serializers.CharField(source="region.name")


class GrantOutSerializer(serializers.Serializer):
    role = serializers.CharField()
    scope = serializers.CharField()
    projects = serializers.SerializerMethodField()

    def get_projects(self, obj) -> list[int]:
        return sorted(obj.project_ids)


class MeOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    grants = GrantOutSerializer(many=True)


class TokenOutSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The first characters, to recognise a token.")
    name = serializers.CharField()
    created = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class TokenCreatedSerializer(TokenOutSerializer):
    token = serializers.CharField(help_text="The secret. Shown once; only its hash is kept.")


class TokenCreateSerializer(StrictSerializer):
    name = TextField(limit=TOKEN_NAME_MAX, minimum=1)


class StaffRoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    project = serializers.IntegerField(allow_null=True)


class StaffOutSerializer(serializers.Serializer):
    """A colleague in your projects: name and roles, nothing to reach them by."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    roles = StaffRoleSerializer(many=True)
