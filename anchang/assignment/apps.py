from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentConfig(AppConfig):
    name = "anchang.assignment"
    label = "assignment"
    verbose_name = _("Reception and assignment")

    def ready(self) -> None:
        # This app's section of the project rules and of their page (org holds the frame).
        from anchang.assignment import forms, rules
        from anchang.org.forms import register_rules

        register_rules(rules.RULE_SECTIONS, forms.RULES_FORM_SECTIONS)
        # My day lists the walk-ins the desk sent the consultant today, to register each.
        from anchang.assignment.reception import selectors
        from anchang.assignment.reception.serializers import MyDayWalkInsSerializer
        from anchang.followups.my_day.sections import MyDaySection, my_day_section_add

        my_day_section_add(
            MyDaySection(
                load=selectors.my_day_walk_ins,
                template="assignment/_my_day_walk_ins.html",
                serializer=MyDayWalkInsSerializer,
            )
        )
