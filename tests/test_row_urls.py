"""The URL helpers pages use instead of {% url %} (reverse_pk for rows, url_of for fixed
links): the same URLs, resolved once."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix


@pytest.mark.parametrize("name", ["customers:detail", "followups:new", "followups:review-read"])
@pytest.mark.parametrize("pk", [1, 42, 2147483646])
def test_the_same_url_as_reverse(name, pk):
    rendered = Template("{% load row_urls %}{{ pk|reverse_pk:name }}").render(
        Context({"pk": pk, "name": name})
    )
    assert rendered == reverse(name, args=[pk])


def test_under_a_script_prefix():
    try:
        set_script_prefix("/anchang/")
        rendered = Template('{% load row_urls %}{{ 7|reverse_pk:"customers:detail" }}').render(
            Context()
        )
        assert rendered == "/anchang/customers/7/" == reverse("customers:detail", args=[7])
    finally:
        set_script_prefix("/")


def test_a_non_numeric_id_is_refused():
    with pytest.raises(ValueError):
        Template('{% load row_urls %}{{ "1/../x"|reverse_pk:"customers:detail" }}').render(
            Context()
        )


@pytest.mark.parametrize("name", ["home", "logout", "set_language", "customers:list", "api:docs"])
def test_url_of_is_reverse_resolved_once(name):
    rendered = Template("{% load row_urls %}{% url_of name %}").render(Context({"name": name}))
    assert rendered == reverse(name)
    try:  # the prefix a deployment under a sub-path puts in front of every URL
        set_script_prefix("/anchang/")
        rendered = Template("{% load row_urls %}{% url_of name %}").render(Context({"name": name}))
        assert rendered == reverse(name) and rendered.startswith("/anchang/")
    finally:
        set_script_prefix("/")
