"""The admin's view of reception: read-only. The roster and the ledger change through the
services (the rotation's lock, the make-up turns), so the admin site can look, not write."""

from django.contrib import admin

from anchang.assignment.models import (
    ChannelCompany,
    ChannelReport,
    DutyEntry,
    ImportBatch,
    TurnEntry,
)
from anchang.readonly_admin import ReadOnlyAdmin


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


@admin.register(ChannelCompany)
class ChannelCompanyAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "contact", "is_active")
    list_filter = ("project", "is_active")


@admin.register(ChannelReport)
class ChannelReportAdmin(ReadOnlyAdmin):
    list_display = ("reported_at", "project", "company", "status", "commission")
    list_filter = ("project", "status", "commission")
    exclude = ("phone",)  # a reported number stays out of the admin site


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "project", "kind", "file_name", "status", "total", "done")
    list_filter = ("project", "kind", "status")
    # the rows hold phones and names as written: the import pages show them masked
    exclude = ("headers", "mapping")
