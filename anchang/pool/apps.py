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
