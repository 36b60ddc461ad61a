"""The deals app's services (re-exported here: callers import from `anchang.deals.services`)."""

from anchang.deals.services.approvals import approval_decide, unit_unreserve
from anchang.deals.services.catalogue import (
    building_create,
    holds_release_expired,
    price_change_request,
    unit_create,
    unit_hold,
    unit_release,
    unit_reserve_request,
    unit_withdraw,
)
from anchang.deals.services.contract_forms import forms_move, forms_receive, forms_request
from anchang.deals.services.deals import (
    DealInput,
    deal_cancel_request,
    deal_move,
    deal_side_request,
    deal_subscribe,
)
from anchang.deals.services.dispatch import (
    designer_profile_set,
    dispatch_decide,
    dispatch_propose,
    dispatch_refuse,
)
from anchang.deals.services.milestones import tasks_close_by_followup, tasks_create_due
from anchang.deals.services.payments import (
    PlanLineInput,
    plan_set,
    receipt_record,
    refund_request,
)
from anchang.deals.services.sheets import units_update_from_sheet

__all__ = [
    "DealInput", "PlanLineInput", "approval_decide", "building_create", "deal_cancel_request",
    "deal_move", "deal_side_request", "deal_subscribe", "designer_profile_set",
    "dispatch_decide", "dispatch_propose", "dispatch_refuse", "forms_move", "forms_receive",
    "forms_request", "holds_release_expired", "plan_set",
    "price_change_request", "receipt_record", "refund_request", "tasks_close_by_followup",
    "tasks_create_due", "unit_create", "unit_hold", "unit_release", "unit_reserve_request",
    "unit_unreserve", "unit_withdraw", "units_update_from_sheet",
]  # fmt: skip
