"""A consultant's day as load (scripts/load.py runs it): each simulated consultant logs in
once, then opens My day and its reminders, the customer list, a customer's card, registers
a call and records a follow-up through the API, with a think time between steps.

The accounts come from ANCHANG_LOAD_ACCOUNTS (a JSON file scripts/load.py writes).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from locust import HttpUser, between, task

ACCOUNTS = json.loads(Path(os.environ["ANCHANG_LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
_next_account = itertools.cycle(range(len(ACCOUNTS)))
_lock = threading.Lock()
_phones = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = os.environ.get("ANCHANG_LOAD_PASSWORD", "anchang-demo-2026")
CONTENT = "客户来电询问三居室的价格和交房时间，约了周末带家人来看样板间，关心学区和首付比例。"


class Consultant(HttpUser):
    wait_time = between(0.2, 0.8)  # a busy morning: a step every half second

    def on_start(self):
        with _lock:
            self.account = ACCOUNTS[next(_next_account)]
        page = self.client.get("/login/", name="log in (form)")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/login/",
            {"username": self.account["username"], "password": PASSWORD,
             "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/login/"},
            name="log in",
        )  # fmt: skip
        self.api = {"Authorization": f"Token {self.account['token']}"}

    @task(4)
    def my_day(self):
        self.client.get("/", name="My day")
        self.client.get("/my-day/reminders/", headers={"HX-Request": "true"},
                        name="My day: reminders")  # fmt: skip

    @task(2)
    def customer_list(self):
        self.client.get("/customers/", name="customer list")

    @task(2)
    def customer_card(self):
        customer = random.choice(self.account["customers"])  # noqa: S311 - not a secret
        self.client.get(f"/customers/{customer}/", name="customer card")

    @task(1)
    def register_a_call(self):
        number = next(_phones)
        body = {
            "project": self.account["project"], "kind": "call", "name": "压测客户",
            "gender": "f", "phone": f"1357{os.getpid() % 100:02d}{number:05d}",
            "medium": self.account["medium"], "content": CONTENT,
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        }  # fmt: skip
        self.client.post("/api/v1/registrations/", json=body, headers=self.api,
                         name="register a call (API)")  # fmt: skip

    @task(1)
    def record_a_followup(self):
        customer = random.choice(self.account["customers"])  # noqa: S311
        body = {"customer": customer, "kind": "phone", "content": CONTENT}
        self.client.post("/api/v1/followups/", json=body, headers=self.api,
                         name="record a follow-up (API)")  # fmt: skip
