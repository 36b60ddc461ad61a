"""The admin's view of deals: read-only. Every change goes through the services (holds,
stages, approvals, the ledgers), so the admin site can look but not write around them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from anchang.deals import rules
from anchang.deals.models import (
    Approval,
    Building,
    ContractForm,
    Deal,
    DesignerProfile,
    Dispatch,
    MilestoneTask,
    Receipt,
    Unit,
)
from anchang.readonly_admin import ReadOnlyAdmin


@admin.register(Building)
class BuildingAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "floors", "units_per_floor", "pattern")
    list_filter = ("project",)


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "project", "kind", "status", "standard_price", "held_until")
    list_filter = ("project", "kind", "status")
    search_fields = ("code",)


@admin.register(Deal)
class DealAdmin(ReadOnlyAdmin):
    list_display = ("pk", "project", "unit", "stage", "is_active", "deal_price", "created_at")
    list_filter = ("project", "stage", "is_active")
    raw_id_fields = ("customer", "unit", "package")


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("pk", "project", "kind", "status", "requested_at", "decided_at")
    list_filter = ("kind", "status")


@admin.register(MilestoneTask)
class MilestoneTaskAdmin(ReadOnlyAdmin):
    list_display = ("pk", "deal", "task", "due_on", "done_at", "dropped")
    list_filter = ("dropped",)

    @admin.display(description=_("milestone task"))
    def task(self, obj: MilestoneTask) -> str:
        return str(rules.MILESTONE_LABELS.get(obj.key, obj.key))


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("pk", "deal", "amount", "method", "voucher", "received_on")
    list_filter = ("method",)


@admin.register(ContractForm)
class ContractFormAdmin(ReadOnlyAdmin):
    list_display = ("number", "project", "status", "holder", "moved_at")
    list_filter = ("project", "status")


@admin.register(DesignerProfile)
class DesignerProfileAdmin(ReadOnlyAdmin):
    list_display = ("user", "project", "priority", "senior", "paused_until", "is_active")


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = ("pk", "deal", "proposed", "designer", "status", "at")
    list_filter = ("status",)
