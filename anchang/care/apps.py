from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "anchang.care"
    label = "care"
    verbose_name = _("Owner care")

    def ready(self) -> None:
        # This app's section of the project rules and of their page (org holds the frame).
        from anchang.care import forms, rules
        from anchang.org.forms import register_rules

        register_rules(rules.RULE_SECTIONS, forms.RULES_FORM_SECTIONS)
        # The customer's card shows their messages and replies, and their consent.
        from anchang.care import selectors
        from anchang.customers.card import CardSection, card_section_add

        card_section_add(
            CardSection(
                card_template="care/_card_messages.html",
                print_template="care/_print_messages.html",
                rows=selectors.card_messages,
                for_reader=True,
            )
        )
