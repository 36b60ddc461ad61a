"""The admin's view of owner care: templates are kept here (a provider approves each before
use); messages and consent are read-only, as they change through the services."""

from django.contrib import admin

from anchang.care.models import Consent, Message, MessageTemplate
from anchang.readonly_admin import ReadOnlyAdmin


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "purpose", "channel", "is_active")
    list_filter = ("project", "purpose", "channel", "is_active")
    exclude = ("created_at",)

    def save_model(self, request, obj, form, change):
        from django.utils import timezone

        if obj.created_at is None:
            obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "project", "channel", "purpose", "status", "backend")
    list_filter = ("project", "status", "channel", "purpose")
    exclude = ("phone", "params", "body")  # a customer's number and text stay out of the admin


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("customer_id", "purpose", "granted", "source", "changed_at")
    list_filter = ("purpose", "granted", "source")
    exclude = ("customer",)
