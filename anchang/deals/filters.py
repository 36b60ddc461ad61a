"""One FilterSet for the deal list page and the API: stage, consultant, building, due
signing dates, overdue payments."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anchang.deals import rules
from anchang.deals.models import Deal
from anchang.form_renderer import IsoDateInput
from anchang.ids import IdFilter

DATE = IsoDateInput()


class DealFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id", label=_("Project"))
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=[(s, rules.STAGE_LABELS[s]) for s in rules.ALL_STAGES]
    )
    consultant = IdFilter(field_name="consultant_id", label=_("Consultant"))
    building = IdFilter(field_name="unit__building_id", label=_("Building"))
    due_from = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label=_("Due signing from"), widget=DATE
    )
    due_to = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=_("Due signing to"), widget=DATE
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue payment"), method="filter_overdue", widget=forms.CheckboxInput
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"), method="filter_active", empty_label=_("In progress"),
        choices=[("cancelled", _("Cancelled")), ("all", _("All"))],
    )  # fmt: skip

    class Meta:
        model = Deal
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(collect_due_on__lt=self.today or timezone.localdate())

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def filter_active(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(is_active=value != "cancelled")

    @property
    def qs(self):
        qs = super().qs
        if not self.form.cleaned_data.get("active"):
            qs = qs.filter(is_active=True)
        return qs
