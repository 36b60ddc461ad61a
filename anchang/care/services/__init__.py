"""Owner care's services (re-exported here: callers import from `anchang.care.services`)."""

from anchang.care.services.batches import (
    batch_create,
    batch_decide,
    batch_preview,
    batch_queue,
    batches_queue_due,
)
from anchang.care.services.consent import consent_set, opt_out_phone
from anchang.care.services.messages import message_queue
from anchang.care.services.outbox import messages_send_due, resolve_doubts, send_claimed
from anchang.care.services.receipts import receipts_record, reply_record

__all__ = [
    "batch_create", "batch_decide", "batch_preview", "batch_queue", "batches_queue_due",
    "consent_set", "message_queue", "messages_send_due", "opt_out_phone", "receipts_record",
    "reply_record", "resolve_doubts", "send_claimed",
]  # fmt: skip
