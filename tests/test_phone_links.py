"""Phones are tappable: wherever a page shows a number in full (the card, the list, My day,
a number revealed after the POST) it is a tel: link; a masked number never is."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from anchang.customers.models import Customer
from anchang.customers.phones import national_digits
from tests.conftest import make_user, next_phone

TEL_LINK = re.compile(r'<a href="tel:([^"]*)"[^>]*>(.*?)</a>', re.S)


def _digits(text: str) -> str:
    return re.sub(r"(?<=\d)[\s\-](?=\d)", "", text)


def assert_full_numbers_are_links(html: str, numbers: list[str]) -> None:
    """Each number appears, only inside a tel: link whose target is that number."""
    links = TEL_LINK.findall(html)
    for number in numbers:
        shown = [text for href, text in links if href == number]
        assert shown, f"{number[:5]}… is not a tel: link"
        assert all(national_digits(number) in _digits(text) for text in shown)
    rest = _digits(TEL_LINK.sub("", html))
    for number in numbers:
        assert national_digits(number) not in rest, "a full number outside a tel: link"
    assert {href for href, _text in links} <= set(numbers)


def assert_no_links(html: str, numbers: list[str]) -> None:
    assert "tel:" not in html
    for number in numbers:
        assert national_digits(number) not in _digits(html)


@pytest.fixture
def owned(world):
    owner = world.consultants["p1"][0]
    customer = world.register(owner, name="可拨号").customer
    phone2 = "+86" + next_phone()
    Customer.objects.filter(pk=customer.pk).update(phone2=phone2)
    customer.refresh_from_db()
    return owner, customer


def _owner_pages(client, customer):
    yield "card", client.get(reverse("customers:detail", args=[customer.pk]))
    yield "print card", client.get(reverse("customers:print", args=[customer.pk]))
    yield "list", client.get(reverse("customers:list"))
    yield "my day", client.get(reverse("home"))


def test_every_full_number_the_owner_sees_is_a_tel_link(client, owned):
    owner, customer = owned
    client.force_login(owner)
    for page, response in _owner_pages(client, customer):
        assert response.status_code == 200, page
        numbers = [customer.phone, customer.phone2] if page == "card" else [customer.phone]
        assert_full_numbers_are_links(response.content.decode(), numbers)


def test_a_masked_number_is_never_a_link_and_a_revealed_one_is(client, world, owned):
    _owner, customer = owned
    manager = world.grant(make_user("m1"), "manager")
    client.force_login(manager)
    numbers = [customer.phone, customer.phone2]
    for url in (
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:print", args=[customer.pk]),
        reverse("customers:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_no_links(response.content.decode(), numbers)
    url = reverse("customers:reveal", args=[customer.pk])
    response = client.post(url, {"reason": "客户来电要求回拨"})
    assert response.status_code == 200
    page = response.content.decode()
    revealed = re.search(r'data-testid="revealed-phone">(.*?)</strong>', page, re.S)[1]
    assert_full_numbers_are_links(revealed, [customer.phone])
