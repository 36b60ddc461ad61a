"""The admin's view of reception: read-only. The roster and the ledger change through the
services (the rotation's lock, the make-up turns), so the admin site can look, not write."""

from django.contrib import admin

from anchang.assignment.models import DutyEntry, TurnEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DutyEntry)
class DutyEntryAdmin(ReadOnlyAdmin):
    list_display = ("day", "project", "consultant", "status", "received", "owed")
    list_filter = ("project", "status")
    date_hierarchy = "day"


@admin.register(TurnEntry)
class TurnEntryAdmin(ReadOnlyAdmin):
    list_display = ("day", "seq", "project", "kind", "consultant", "at")
    list_filter = ("project", "kind")
    date_hierarchy = "day"
    exclude = ("phone",)  # a visitor's number stays out of the admin site
