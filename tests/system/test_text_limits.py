"""A text field has one limit whichever door it comes through: the page's form, the API's
serializer and so the OpenAPI schema (drf-spectacular reads it from the serializer) state
the same number. Each pair below is the same input on its two doors; every field the two
share is compared, so a limit changed on one door only fails here."""

from __future__ import annotations

import pytest
from django import forms
from rest_framework import serializers

from anchang.api.serializers import TextField
from anchang.customers import forms as customer_forms
from anchang.customers import serializers as customer_serializers
from anchang.followups import forms as followup_forms
from anchang.followups import serializers as followup_serializers
from anchang.followups.loss import forms as loss_forms
from anchang.followups.loss import serializers as loss_serializers
from anchang.followups.reviews import forms as review_forms
from anchang.followups.reviews import serializers as review_serializers
from anchang.followups.revisits import forms as revisit_forms
from anchang.followups.revisits import serializers as revisit_serializers
from anchang.org import forms as org_forms
from anchang.org import serializers as org_serializers

PAIRS = [
    (org_forms.TokenCreateForm, org_serializers.TokenCreateSerializer),
    (customer_forms.RegistrationForm, customer_serializers.RegistrationInSerializer),
    (customer_forms.CustomerReassignForm, customer_serializers.CustomerReassignSerializer),
    (customer_forms.KeyDateForm, customer_serializers.KeyDateInSerializer),
    (customer_forms.RevealForm, customer_serializers.RevealInSerializer),
    (customer_forms.MediumForm, customer_serializers.MediumInSerializer),
    (customer_forms.ConflictResolveForm, customer_serializers.ConflictDecideInSerializer),
    (followup_forms.FollowUpForm, followup_serializers.FollowUpInSerializer),
    (followup_forms.GradeForm, followup_serializers.GradeInSerializer),
    (loss_forms.LossApplyForm, loss_serializers.LossApplyInSerializer),
    (loss_forms.LossDecisionForm, loss_serializers.LossDecisionInSerializer),
    (review_forms.ReviewCommentForm, review_serializers.ReviewInSerializer),
    (revisit_forms.RevisitPlanForm, revisit_serializers.RevisitPlanInSerializer),
    (revisit_forms.PlanReportForm, revisit_serializers.RevisitReportInSerializer),
    (revisit_forms.PlanReviewForm, revisit_serializers.RevisitReviewInSerializer),
]


def _form_limit(field: forms.Field) -> int | None:
    # a field whose limit the service checks (its own message) states it on the widget only
    return getattr(field, "max_length", None) or field.widget.attrs.get("maxlength")


def _serializer_limit(field: serializers.Field) -> int | None:
    if isinstance(field, TextField):
        return field.limit  # what the service checks and the schema states
    return getattr(field, "max_length", None)


def _shared_text_fields(form_class, serializer_class):
    form_fields = form_class().fields
    serializer_fields = serializer_class().fields
    for name, field in form_fields.items():
        if name in serializer_fields and isinstance(field, forms.CharField):
            yield name, _form_limit(field), _serializer_limit(serializer_fields[name])


CASES = [
    pytest.param(form, serializer, name, form_max, api_max, id=f"{form.__name__}.{name}")
    for form, serializer in PAIRS
    for name, form_max, api_max in _shared_text_fields(form, serializer)
]


@pytest.mark.parametrize(("form", "serializer", "name", "form_max", "api_max"), CASES)
def test_a_field_has_one_limit_on_both_doors(form, serializer, name, form_max, api_max):
    assert form_max == api_max, f"{form.__name__}.{name}: form {form_max}, API {api_max}"


def test_the_table_compares_something():
    assert len(CASES) >= 15
