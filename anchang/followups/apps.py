from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "anchang.followups"
    label = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        # This app's sections of the project rules and of their page: org holds the frame
        # and imports no app above it.
        from anchang.followups import forms, rules
        from anchang.org.forms import register_rules

        register_rules(rules.RULE_SECTIONS, forms.RULES_FORM_SECTIONS)
        # The follow-up engine's part in the apps below it, which never import it.
        from anchang.customers.card import CardSection, card_section_add
        from anchang.customers.events import (
            ContactRegistered,
            ContactsImported,
            ContactsImporting,
            ImportReverting,
            OwnerChanged,
        )
        from anchang.events import subscribe
        from anchang.followups import handlers, selectors

        subscribe(ContactRegistered, handlers.contact_registered)
        subscribe(ContactsImporting, handlers.contacts_importing)
        subscribe(ContactsImported, handlers.contacts_imported)
        subscribe(ImportReverting, handlers.import_reverting)
        subscribe(OwnerChanged, handlers.owner_changed)
        # Inside the app too: the engine publishes, the parts built on it react.
        from anchang.followups.events import FollowUpRecorded
        from anchang.followups.revisits import handlers as revisit_handlers

        subscribe(FollowUpRecorded, revisit_handlers.followup_recorded)
        card_section_add(
            CardSection(
                card_template="followups/_card_followups.html",
                print_template="followups/_print_followups.html",
                rows=selectors.intent_card_rows,
            )
        )
