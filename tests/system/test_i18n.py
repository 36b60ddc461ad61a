"""Chinese first: every UI string has a zh-Hans translation and pages speak it by default."""

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

PO = Path(settings.BASE_DIR, "locale", "zh_Hans", "LC_MESSAGES", "django.po")


def test_every_message_is_translated():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and (not m.string or "fuzzy" in m.flags)]
    assert missing == []


def test_pages_are_chinese_by_default_and_english_on_request(world, client):
    client.force_login(world.consultants["p1"][0])
    page = client.get(reverse("home")).content.decode()
    assert "客户" in page and "我的一天" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "My day" in page and "我的一天" not in page


def test_api_errors_follow_the_language(api_client, db):
    zh = api_client.get(reverse("api:customers")).json()["message"]
    en = api_client.get(reverse("api:customers"), HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert zh != en and any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_the_catalogue_compiles():
    """`make` compiles the .po with pybabel, which refuses a translation whose placeholders
    differ from its message's ("% of gross" reads as a placeholder): a fresh clone's set-up
    then stopped. The same checks, here."""
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    problems = [
        f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors
    ]
    assert not problems, "\n".join(problems)
