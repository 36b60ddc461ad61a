from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "anchang.pool"
    label = "pool"
    verbose_name = _("Shared pool")

    def ready(self) -> None:
        # This app's sections of the project rules and of their page: org holds the frame
        # and imports no app above it.
        from anchang.org.forms import register_rules
        from anchang.pool import forms, rules

        register_rules(rules.RULE_SECTIONS, forms.RULES_FORM_SECTIONS)
        # The pool's part in the apps below it, which never import it.
        from anchang.customers.events import OwnerChanged, OwnerChanging
        from anchang.events import subscribe
        from anchang.followups.my_day.sections import MyDaySection, my_day_section_add
        from anchang.pool import handlers, selectors
        from anchang.pool.serializers import MyDayPoolSerializer

        subscribe(OwnerChanging, handlers.owner_changing)
        subscribe(OwnerChanged, handlers.owner_changed)
        my_day_section_add(
            MyDaySection(
                load=selectors.my_day_pool,
                template="pool/_my_day_warnings.html",
                serializer=MyDayPoolSerializer,
            )
        )
