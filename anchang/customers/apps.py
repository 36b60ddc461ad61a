from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "anchang.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # This app's sections of the project rules and of their page: org holds the frame
        # and imports no app above it.
        from anchang.customers import forms, rules
        from anchang.org.forms import register_rules

        register_rules(rules.RULE_SECTIONS, forms.RULES_FORM_SECTIONS)

        post_migrate.connect(_tally_triggers, sender=self)


def _tally_triggers(*, using: str = "default", **kwargs) -> None:
    """After every migrate: SQLite drops a table's triggers when a migration rebuilds it,
    so the tally's are checked and put back here (services/tally.py)."""
    from anchang.customers.models import CustomerTally
    from anchang.customers.services.tally import tally_triggers_ensure

    if CustomerTally._meta.db_table in connections[using].introspection.table_names():
        tally_triggers_ensure(using)
