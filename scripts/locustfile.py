"""A consultant's day as load (scripts/load.py runs it): each simulated consultant, already
logged in (scripts/load.py logs every account in through the form first), opens My day and
its reminders, the customer list, a customer's card, registers a call and records a
follow-up through the API, with a think time between steps.

The accounts come from ANCHANG_LOAD_ACCOUNTS (a JSON file scripts/load.py writes): user
name, session cookie, API token, project, medium and a few of the consultant's customers.
FastHttpUser (geventhttpclient) keeps locust's own share of the two cores small.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from locust import FastHttpUser, between, task

ACCOUNTS = json.loads(Path(os.environ["ANCHANG_LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
_next_account = itertools.cycle(range(len(ACCOUNTS)))
_lock = threading.Lock()
_phones = itertools.count()
# Requests per second the whole crowd would offer if every answer came at once (scripts/
# load.py sets it): each user pauses a random time between steps, on average USERS x
# requests per step / RATE seconds. Random pauses, as people's are: a fixed pace per user
# (locust's constant_throughput) makes users fall into step after any slow answer and
# arrive in bursts, which measures the load tool rather than the server.
RATE = float(os.environ.get("ANCHANG_LOAD_RATE", "115"))
USERS = int(os.environ.get("ANCHANG_LOAD_USERS", "100"))
# (weight, requests) of each step below: My day loads its reminders too.
STEPS = {"my_day": (2, 2), "customer_list": (1, 1), "customer_card": (4, 1),
         "register_a_call": (1, 1), "record_a_followup": (3, 1)}  # fmt: skip
REQUESTS_PER_STEP = sum(w * n for w, n in STEPS.values()) / sum(w for w, _n in STEPS.values())
CONTENT = "客户来电询问三居室的价格和交房时间，约了周末带家人来看样板间，关心学区和首付比例。"


class Consultant(FastHttpUser):
    wait_time = between(0, 2 * USERS * REQUESTS_PER_STEP / RATE)

    def on_start(self):
        with _lock:
            self.account = ACCOUNTS[next(_next_account)]
        self.browser = {"Cookie": f"sessionid={self.account['session']}"}
        self.api = {"Authorization": f"Token {self.account['token']}"}

    # The weights follow a consultant working through the day: My day now and then, a card
    # for each customer called and a follow-up recorded for most of them, the list or a
    # search sometimes, and the occasional new caller registered.
    @task(STEPS["my_day"][0])
    def my_day(self):
        self.client.get("/", headers=self.browser, name="My day")
        self.client.get("/my-day/reminders/", headers={**self.browser, "HX-Request": "true"},
                        name="My day: reminders")  # fmt: skip

    @task(STEPS["customer_list"][0])
    def customer_list(self):
        self.client.get("/customers/", headers=self.browser, name="customer list")

    @task(STEPS["customer_card"][0])
    def customer_card(self):
        customer = random.choice(self.account["customers"])  # noqa: S311 - not a secret
        self.client.get(f"/customers/{customer}/", headers=self.browser, name="customer card")

    @task(STEPS["register_a_call"][0])
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

    @task(STEPS["record_a_followup"][0])
    def record_a_followup(self):
        customer = random.choice(self.account["customers"])  # noqa: S311
        body = {"customer": customer, "kind": "phone", "content": CONTENT}
        self.client.post("/api/v1/followups/", json=body, headers=self.api,
                         name="record a follow-up (API)")  # fmt: skip
