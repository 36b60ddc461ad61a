"""The embedded default: every message is kept in the outbox and shown where it would have
gone (the customer's timeline, the batch), and nothing leaves the machine."""

from __future__ import annotations

from anchang.care.backends import KEPT, NOT_SENT, Outgoing, Result


class Outbox:
    name = "outbox"
    channel = "any"

    def send(self, out: Outgoing) -> Result:
        return Result(KEPT)

    def lookup(self, out: Outgoing) -> Result:
        return Result(NOT_SENT)  # nothing ever left: keeping it again is harmless
