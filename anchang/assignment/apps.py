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
        # A conflict (撞单) gets its proposed outcome when it opens; My day tells both
        # consultants the decision.
        from anchang.assignment import handlers
        from anchang.assignment.conflicts import selectors as conflicts
        from anchang.assignment.conflicts.serializers import MyDayConflictsSerializer
        from anchang.customers.events import ConflictOpened, ConflictsOpened
        from anchang.events import subscribe

        subscribe(ConflictOpened, handlers.conflict_opened)
        subscribe(ConflictsOpened, handlers.conflict_opened)
        from anchang.customers.events import ContactRegistered, ContactsImported, ReturnsImported

        subscribe(ContactRegistered, handlers.contact_registered)
        subscribe(ContactsImported, handlers.contacts_imported)
        subscribe(ReturnsImported, handlers.contacts_imported)
        my_day_section_add(
            MyDaySection(
                load=conflicts.my_day_conflicts,
                template="assignment/_my_day_conflicts.html",
                serializer=MyDayConflictsSerializer,
            )
        )
