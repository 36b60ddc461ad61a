from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "anchang.deals"
    label = "deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        # This app's section of the project rules and of their page (org holds the frame).
        from anchang.deals import forms, rules
        from anchang.org.forms import register_rules

        register_rules(rules.RULE_SECTIONS, forms.RULES_FORM_SECTIONS)
        # The audit log words the stages this app writes in its entries.
        from anchang.audit.details import value_labels_add

        value_labels_add("stage", rules.STAGE_LABELS)
        # A follow-up of the right kind closes the customer's due milestone tasks; My day
        # lists them (followups imports nothing of deals).
        from anchang.deals import handlers, selectors
        from anchang.deals.serializers import MyDayTasksSerializer
        from anchang.events import subscribe
        from anchang.followups.events import FollowUpRecorded
        from anchang.followups.my_day.sections import MyDaySection, my_day_section_add

        subscribe(FollowUpRecorded, handlers.followup_recorded)
        from anchang.customers.events import OwnerChanged

        subscribe(OwnerChanged, handlers.owner_changed)
        # The customer's card lists their deals (those the reader may view).
        from anchang.customers.card import CardSection, card_section_add

        card_section_add(
            CardSection(
                card_template="deals/_card_deals.html",
                print_template="deals/_print_deals.html",
                rows=selectors.card_deals,
                for_reader=True,
            )
        )
        my_day_section_add(
            MyDaySection(
                load=selectors.my_day_tasks,
                template="deals/_my_day_tasks.html",
                serializer=MyDayTasksSerializer,
            )
        )
