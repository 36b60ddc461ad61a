"""The pages' one URL helper, `url(name, *args)`: the URLs reverse() gives, a row's id and a
fixed link resolved once per name."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


@pytest.mark.parametrize("name", ["customers:detail", "followups:new", "followups:review-read"])
@pytest.mark.parametrize("pk", [1, 42, 2147483646])
def test_the_same_url_as_reverse(name, pk):
    assert _render("{{ url(name, pk) }}", name=name, pk=pk) == reverse(name, args=[pk])


def test_under_a_script_prefix():
    try:
        set_script_prefix("/anchang/")
        rendered = _render("{{ url('customers:detail', 7) }}")
        assert rendered == "/anchang/customers/7/" == reverse("customers:detail", args=[7])
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("pk", ["1/../x", -1, True])
def test_an_id_that_is_not_one_is_refused(pk):
    with pytest.raises(NoReverseMatch):
        _render("{{ url('customers:detail', pk) }}", pk=pk)


def test_several_arguments_and_strings_are_reversed_as_they_are():
    assert _render("{{ url('customers:key-date-remove', 3, 4) }}") == reverse(
        "customers:key-date-remove", args=[3, 4]
    )
    assert _render("{{ url('org:token-revoke', 'abc123') }}") == reverse(
        "org:token-revoke", args=["abc123"]
    )


@pytest.mark.parametrize("name", ["home", "logout", "set_language", "customers:list", "api:docs"])
def test_a_fixed_url_is_reverse_resolved_once(name):
    assert _render("{{ url(name) }}", name=name) == reverse(name)
    try:  # the prefix a deployment under a sub-path puts in front of every URL
        set_script_prefix("/anchang/")
        rendered = _render("{{ url(name) }}", name=name)
        assert rendered == reverse(name) and rendered.startswith("/anchang/")
    finally:
        set_script_prefix("/")
