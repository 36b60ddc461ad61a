import django_filters
from django.utils.translation import gettext_lazy as _

from anchang.audit.details import object_type_choices
from anchang.audit.models import AuditEntry
from anchang.form_renderer import IsoDateInput

DATE = IsoDateInput()


class AuditEntryFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, label=_("Action"))
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label=_("Who"), max_length=150
    )
    # What entries are about, by name (客户, 项目) rather than the stored model code.
    object_type = django_filters.ChoiceFilter(choices=object_type_choices, label=_("Object type"))
    object_id = django_filters.CharFilter(label=_("Object id"), max_length=40)
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=DATE
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To"), widget=DATE
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "object_type", "object_id", "since", "until"]
