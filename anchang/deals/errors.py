"""Error codes of deals, units, approvals and collections."""

from django.db import models


class Code(models.TextChoices):
    UNIT_TAKEN = "unit_taken"  # held by another, reserved, subscribed or sold
    UNIT_NOT_FOR_SALE = "unit_not_for_sale"
    HOLD_CAP = "hold_cap"
    HOLD_NOT_YOURS = "hold_not_yours"
    UNKNOWN_STAGE = "unknown_stage"
    STAGE_NOT_ALLOWED = "stage_not_allowed"
    STAGE_ALREADY = "stage_already"  # a double tap: the deal is there already
    DEAL_CLOSED = "deal_closed"  # cancelled
    DEAL_NOT_CANCELLED = "deal_not_cancelled"  # a refund on a deal under way
    CUSTOMER_NOT_IN_PROJECT = "customer_not_in_project"
    CUSTOMER_LOST = "customer_lost"
    DISCOUNT_NEEDS_APPROVAL = "discount_needs_approval"
    BELOW_FLOOR_PRICE = "below_floor_price"
    APPROVAL_PENDING = "approval_pending"
    APPROVAL_DECIDED = "approval_decided"
    OWN_REQUEST = "own_request"  # nobody decides what they asked for
    AMOUNT_INVALID = "amount_invalid"
    OVERPAID = "overpaid"
    VOUCHER_USED = "voucher_used"
    PATTERN_INVALID = "pattern_invalid"
    UNIT_NUMBER_TAKEN = "unit_number_taken"
    SHEET_INVALID = "sheet_invalid"
    STALE_VERSION = "stale_version"
    DISPATCH_CAP = "dispatch_cap"
    DISPATCH_PAUSED = "dispatch_paused"
    DISPATCH_NOT_CONVERTING = "dispatch_not_converting"
    DISPATCH_DECIDED = "dispatch_decided"
    NOT_A_DESIGNER = "not_a_designer"
    FORM_NUMBER_TAKEN = "form_number_taken"
    FORM_NOT_THERE = "form_not_there"  # not in the state the move starts from
