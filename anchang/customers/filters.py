"""One FilterSet for the customer list page and the API: filters, search and ordering."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anchang.customers.choices import FOLLOWED_STATES, State
from anchang.customers.models import Customer, CustomerPhone, Registration
from anchang.customers.phone_search import phone_search
from anchang.customers.phones import normalise_phone
from anchang.customers.search import classify_query, prefix_bounds
from anchang.errors import ValidationFailed
from anchang.form_renderer import IsoDateInput
from anchang.ids import IdFilter
from anchang.org.selectors import project_rules, visible_project_list, visible_projects

DATE = IsoDateInput()
SEARCH_MAX = 50
ORDERINGS = {
    "recent": ("-id",),
    "name": ("name_pinyin", "id"),
    "last_contact": ("-last_contact_at", "-id"),
    "completeness": ("completeness", "-id"),
    "follow_up": ("next_follow_up_on", "id"),  # most overdue first
}


def search_q(raw: str, project_ids=None) -> Q:
    """张三 by `zs`, `zhangsan`, `zhang`, `张`, the full phone or its last 4 digits.
    `project_ids` (the actor's projects) lets a phone be found through the unique
    (project, phone) index instead of a scan of every project's phones."""
    kind, value = classify_query(raw[:SEARCH_MAX])
    if kind == "phone":
        try:
            e164 = normalise_phone(value)
        except ValidationFailed:
            return Q(pk__in=[])
        phones = CustomerPhone.objects.filter(phone=e164)
        if project_ids is not None:
            phones = phones.filter(project_id__in=list(project_ids))
        return Q(pk__in=phones.values("customer_id"))
    if kind == "last4":
        return Q(phone_last4=value)
    if kind == "digits":
        return Q(pk=int(value)) if value else Q(pk__in=[])
    if kind == "pinyin":
        low, high = prefix_bounds(value)
        return Q(name_pinyin__gte=low, name_pinyin__lt=high) | Q(
            name_initials__gte=low, name_initials__lt=high
        )
    low, high = prefix_bounds(value)
    return Q(name__gte=low, name__lt=high)


UNGRADED = "none"
GRADE_ORDER = "HABCD"  # hottest first, as the grade scales read


def grade_choices(projects) -> list[tuple[str, str]]:
    """The grades of these projects' scales (project rules: ABCD, HABC, ...), hottest
    first, then "not graded yet"."""
    grades = set().union(*(project_rules(p).grading.scale for p in projects))
    ordered = sorted(grades, key=lambda g: (g not in GRADE_ORDER, GRADE_ORDER.find(g), g))
    return [(g, g) for g in ordered] + [(UNGRADED, _("Not graded yet"))]


GRADE_CHOICES = [(g, g) for g in GRADE_ORDER] + [(UNGRADED, _("Not graded yet"))]


def below_target_q(projects) -> Q:
    """Customers under the completeness target that applies to them now (per project)."""
    now = timezone.now()
    clauses = Q(pk__in=[])
    for project in projects:
        t = project_rules(project).completeness
        month_ago = now - timedelta(days=30)
        prospect = Q(project=project, state=State.PROSPECT)
        clauses |= Q(project=project, state__in=[State.SUBSCRIBED, State.OWNER],
                     completeness__lt=t.owner)  # fmt: skip
        clauses |= (
            prospect
            & (Q(visit_count__gte=3) | Q(created_at__lte=month_ago))
            & Q(completeness__lt=t.after_third_visit_or_month)
        )
        clauses |= (
            prospect
            & Q(visit_count__gte=1, visit_count__lt=3, created_at__gt=month_ago)
            & Q(completeness__lt=t.after_first_visit)
        )
    return clauses


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=SEARCH_MAX)
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"))
    owner = IdFilter(field_name="owner_id", label=_("Owner"))
    medium = IdFilter(field_name="medium_id", label=_("Awareness medium"))
    registered_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Registered from"), widget=DATE
    )
    registered_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Registered to"), widget=DATE
    )
    contact_from = django_filters.DateFilter(
        field_name="last_contact_at", lookup_expr="date__gte", label=_("Last contact from"),
        widget=DATE,
    )  # fmt: skip
    contact_to = django_filters.DateFilter(
        field_name="last_contact_at", lookup_expr="date__lte", label=_("Last contact to"),
        widget=DATE,
    )  # fmt: skip
    below_target = django_filters.BooleanFilter(
        method="filter_below_target", label=_("Below completeness target"),
        widget=forms.CheckboxInput,
    )  # fmt: skip
    late = django_filters.BooleanFilter(
        method="filter_late", label=_("With late entries"), widget=forms.CheckboxInput
    )
    # An integrator's sync: what changed since its last pass (every write sets updated_at).
    modified_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Modified since")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Follow-up overdue"), widget=forms.CheckboxInput
    )
    # Choices narrowed per request to the grades of the actor's projects (project rules);
    # the class keeps every grade so the API schema is the same for everyone.
    grade = django_filters.ChoiceFilter(
        method="filter_grade", label=_("Intent grade"), choices=GRADE_CHOICES
    )
    order = django_filters.ChoiceFilter(
        method="filter_order",
        label=_("Sort"),
        empty_label=None,
        choices=[
            ("recent", _("Newest first")),
            ("name", _("Name (pinyin)")),
            ("last_contact", _("Last contact")),
            ("completeness", _("Least complete first")),
            ("follow_up", _("Next follow-up, most overdue first")),
        ],
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            grade = self.filters["grade"]
            grade.extra["choices"] = grade_choices(visible_project_list(user))
            grade.__dict__.pop("_field", None)  # built from the class's choices, if at all

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        kind, digits = classify_query(value[:SEARCH_MAX])
        if kind == "phone":
            # A full number confirms the masked digits: the privacy service decides whom
            # the search may name (and audits it), the same for the page and the API.
            try:
                e164 = normalise_phone(digits)
            except ValidationFailed:
                return queryset.none()
            if user is None:
                return queryset.none()
            named = phone_search(actor=user, candidates=queryset, e164=e164)
            return queryset.filter(pk__in=named)
        projects = visible_projects(user).values_list("pk", flat=True) if user else None
        return queryset.filter(search_q(value, projects))

    def filter_below_target(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        return queryset.filter(below_target_q(visible_projects(user) if user else []))

    def filter_late(self, queryset, name, value):
        if not value:
            return queryset
        late = Registration.objects.filter(customer=OuterRef("pk"), is_late=True)
        return queryset.filter(Exists(late))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            state__in=FOLLOWED_STATES, next_follow_up_on__lt=timezone.localdate()
        )

    def filter_grade(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(grade="" if value == UNGRADED else value)

    def filter_order(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS.get(value, ORDERINGS["recent"]))
