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
