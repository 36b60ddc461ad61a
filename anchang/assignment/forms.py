"""Input shapes of the reception pages, and reception's section of the project-rules page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anchang.assignment import rules
from anchang.org.forms import RulesFormSection


class ReceptionRulesFormSection(RulesFormSection):
    key = "reception"
    title = _("Reception rotation")
    labels = {
        "reception.order": _("Order of the walk-in rotation"),
        "reception.makeup": _("Who is owed a make-up turn when skipped"),
        "reception.stand_in_days": _("Days a stand-in is proposed on the customer's deal"),
    }

    def code_label(self, code: str) -> str | None:
        label = rules.ORDER_LABELS.get(code) or rules.MAKEUP_LABELS.get(code)
        return str(label) if label else None


class OwnershipRulesFormSection(RulesFormSection):
    key = "ownership"
    title = _("Ownership conflicts")
    labels = {
        "ownership.protection_days": _("Days a reached contact protects the owner"),
        "ownership.same_day_split": _("Registered by both on the same day: propose a split"),
    }


class ChannelRulesFormSection(RulesFormSection):
    key = "channels"
    title = _("Channel reports")
    labels = {
        "channels.model": _("Protection model of a channel's report"),
        "channels.visit_days": _("Days a report waits for the visit"),
        "channels.deal_days": _("Days for the deal (from the report or the visit)"),
        "channels.reports_per_hour": _("Reports one agent may make in an hour"),
    }

    def code_label(self, code: str) -> str | None:
        label = rules.CHANNEL_MODEL_LABELS.get(code)
        return str(label) if label else None


class ImportRulesFormSection(RulesFormSection):
    key = "imports"
    title = _("Imports")
    labels = {"imports.revert_days": _("Days an import may be reverted")}


RULES_FORM_SECTIONS = (
    ReceptionRulesFormSection(), OwnershipRulesFormSection(), ChannelRulesFormSection(),
    ImportRulesFormSection(),
)  # fmt: skip
