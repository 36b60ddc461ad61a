"""Hostile content (issue 5): a corpus of payloads written through the API into the text
fields people type into, then the pages that show them visited in headless Chromium as a
consultant and as a manager, and the export parsed back.

Gates: every write answers (2xx or a clear 400, never 500) and keeps what it accepted;
0 dialogs, 0 injected elements, no script run on any page; 0 live formula cells in the
export, and its phone column masked throughout.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from anchang.customers.models import Customer
from anchang.demo.build import DEMO_PASSWORD
from anchang.followups.models import FollowUp, Review
from tests.e2e.conftest import demo_office

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Markers the checks look for: an element carrying data-pwn, or window.__pwned set.
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1;alert(1)" data-pwn=1>',
    '"><svg onload=alert(1) data-pwn=1>',
    "'><b data-pwn=1>粗体</b>",
    '<a href="javascript:alert(1)" data-pwn=1>点我</a>',
    "javascript:alert(document.cookie)",
    "</textarea><iframe data-pwn=1 src=javascript:alert(1)>",
    "'; DROP TABLE customers_customer; --",
    '=HYPERLINK("http://evil.example","领奖")',
    "+86 1+1",
    "-2+3*cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "{{ 7*7 }}{% debug %}${7*7}",
    "😀🏠🚗" * 40,
    "长" * 1500,
    "\u202e右到左\u202c 与\u200b零宽",
]
# Meets the content minimums whatever the payload (symbols and punctuation do not count).
FILLER = "，客户关心首付比例和学区，约周末带家人到访看样板间，再确认三居室的总价和交房时间。"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _written(response, sent: str, stored: str | None) -> bool:
    """A write either refuses clearly or keeps exactly what it accepted."""
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response.status_code == 400 and response.json()["fields"], response.content
        return False
    assert stored == sent, (sent[:60], (stored or "")[:60])
    return True


def _write_corpus(consultant, manager, project) -> dict:
    """Every payload into a registration, a follow-up (and its review), a customer's
    profile, a loss application and a revisit plan. Returns what was accepted where."""
    me, boss = _api(consultant), _api(manager)
    medium = project.media.filter(is_active=True).first()
    accepted = {"customers": [], "followups": 0, "reviews": 0, "plans": []}
    for i, payload in enumerate(PAYLOADS):
        registration = me.post(
            reverse("api:registrations"),
            {"project": project.pk, "kind": "call", "name": f"客户{i}", "gender": "f",
             "phone": f"1390000{i:04d}", "medium": medium.pk, "content": payload[:2000],
             "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat()},
            format="json",
        )  # fmt: skip
        assert registration.status_code == 201, registration.content[:300]
        customer = Customer.objects.get(pk=registration.json()["customer"])
        accepted["customers"].append(customer.pk)
        # the name: hostile too, but short (names are 50 characters at most)
        patch = me.patch(
            reverse("api:customer", args=[customer.pk]),
            {"version": customer.version, "name": payload[:50], "notes": payload[:2000],
             "hobbies": payload[:200]},
            format="json",
        )  # fmt: skip
        customer.refresh_from_db()
        _written(patch, payload[:2000], customer.notes)
        content = (payload + FILLER)[:2000]
        followup = me.post(
            reverse("api:followups"),
            {"customer": customer.pk, "kind": "phone", "content": content, "impression":
             payload[:200], "plan": payload[:200]},
            format="json",
        )  # fmt: skip
        if _written(followup, content, FollowUp.objects.filter(customer=customer).values_list(
            "content", flat=True).order_by("-id").first()):  # fmt: skip
            accepted["followups"] += 1
            review = boss.post(
                reverse("api:reviews"),
                {"followup": followup.json()["id"], "comment": payload[:500]},
                format="json",
            )
            stored = Review.objects.filter(followup_id=followup.json()["id"]).first()
            if _written(review, payload[:500], stored.comment if stored else None):
                accepted["reviews"] += 1
    plan = boss.post(
        reverse("api:revisit-plans"),
        {"project": project.pk, "title": PAYLOADS[1][:100], "purpose": PAYLOADS[2][:200],
         "talking_points": "\n".join(PAYLOADS[:6]), "starts_on": str(timezone.localdate()),
         "due_on": str(timezone.localdate() + timedelta(days=7)), "criteria": {}},
        format="json",
    )  # fmt: skip
    assert plan.status_code == 201, plan.content[:300]
    accepted["plans"].append(plan.json()["id"])
    loss = me.post(
        reverse("api:losses"),
        {"customer": accepted["customers"][0], "reason": "other", "note": PAYLOADS[3]},
        format="json",
    )
    assert loss.status_code == 201, loss.content[:300]
    return accepted


def _visit(tab, path: str, dialogs: list) -> None:
    tab.goto(path)
    tab.page.wait_for_load_state("networkidle")  # htmx fragments (My day's reminders) too
    injected = tab.page.locator("[data-pwn]").count()
    pwned = tab.page.evaluate("window.__pwned === undefined ? 0 : 1")
    assert (injected, pwned, len(dialogs)) == (0, 0, 0), path


def test_hostile_text_is_shown_as_text_everywhere_and_exports_stay_inert(open_tab, demo):
    manager, project, consultants = demo_office(demo)
    consultant = consultants.first()
    accepted = _write_corpus(consultant, manager, project)
    assert accepted["followups"] == len(PAYLOADS) and accepted["reviews"] == len(PAYLOADS)

    customers = accepted["customers"]
    pages = {
        consultant: ["/", "/my-day/reminders/", "/customers/", "/customers/?q=客户",
                     f"/customers/{customers[1]}/", f"/customers/{customers[1]}/edit/",
                     f"/customers/{customers[-1]}/", f"/revisit-plans/{accepted['plans'][0]}/"],
        manager: ["/", "/reviews/", "/reviews/suspicious/", "/loss-applications/",
                  "/revisit-plans/", f"/revisit-plans/{accepted['plans'][0]}/",
                  f"/customers/{customers[2]}/", "/customers/"],
    }  # fmt: skip
    visited = 0
    for user, paths in pages.items():
        tab = open_tab("1280", locale="zh-CN")
        dialogs: list = []
        tab.page.on("dialog", lambda dialog, seen=dialogs: (seen.append(dialog), dialog.dismiss()))
        tab.login(user.username, DEMO_PASSWORD)
        for path in paths:
            _visit(tab, path, dialogs)
            visited += 1
    assert visited == sum(len(p) for p in pages.values())

    # The export, parsed back as a spreadsheet would read it.
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("customers:export"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    live = [cell for row in body for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert live == []
    phone = next(i for i, h in enumerate(header) if h in ("手机号", "Mobile"))
    assert all(re.fullmatch(r"\d{3}\*{4}\d{4}", row[phone]) for row in body)
    ours = [row for row in body if any("<script>" in cell for cell in row)]
    assert ours, "the hostile customers are in the export, as text"
    # The .xlsx alike: no cell a spreadsheet would compute, phones masked.
    response = client.get(reverse("customers:export-xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert not [c for row in cells[1:] for c in row if isinstance(c, str) and c[:1] == "="]
    assert all(re.fullmatch(r"\d{3}\*{4}\d{4}", row[phone]) for row in cells[1:])
