"""The project's schema class (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS). Kept apart from
anchang.api.schema, which imports drf-spectacular's views: those read this setting."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from anchang.api.serializers import TextField


class Schema(AutoSchema):
    """The project's schema class: a TextField shows the service's limits, not a blank
    alternative (the service refuses blank text where it sets a minimum)."""

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if isinstance(field, TextField):
            schema.pop("oneOf", None)
            schema.pop("minLength", None)
            schema.update(type="string", maxLength=field.limit)
            if field.minimum is not None:
                schema["minLength"] = field.minimum

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if isinstance(field, TextField):
            meta.pop("minLength", None)
            if field.minimum is not None:
                meta["minLength"] = field.minimum
        return meta


class WholeBodyPatchSchema(Schema):
    """For a PATCH whose view reads the body with a whole (not partial) serializer: the
    fields it requires (the version read) stay required in the schema."""

    def _get_request_for_media_type(self, serializer, direction="request"):
        method, self.method = self.method, "PUT"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = method
