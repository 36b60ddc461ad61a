"""Answers drawn by a serializer built once per class (anchang.api.serializers.Reused) read
exactly as a fresh serializer draws them, and every such serializer needs no context."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading

from rest_framework import relations, serializers

import anchang
from anchang.api.serializers import Reused
from anchang.customers.serializers import RegistrationOutSerializer
from anchang.followups.models import FollowUp
from anchang.followups.serializers import FollowUpOutSerializer
from anchang.followups.services import followup_record


def _reused_classes() -> list[type]:
    for module in pkgutil.walk_packages(anchang.__path__, "anchang."):
        if module.name.endswith("serializers"):
            importlib.import_module(module.name)
    found, todo = [], list(Reused.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_reused_serializer_needs_no_context():
    classes = _reused_classes()
    assert FollowUpOutSerializer in classes and RegistrationOutSerializer in classes
    for cls in classes:
        assert "context" not in inspect.getsource(cls), cls
        for name, field in cls().fields.items():
            linked = (relations.HyperlinkedRelatedField, serializers.HyperlinkedIdentityField)
            assert not isinstance(field, linked), (cls, name)
            if isinstance(field, serializers.SerializerMethodField):
                method = getattr(cls, field.method_name or f"get_{name}")
                assert "context" not in inspect.getsource(method), (cls, name)


def test_follow_ups_read_as_a_fresh_serializer_draws_them(world):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "复用")
    said = "客户关心学区和交房时间，约了周末带家人来看样板间，问了首付比例 <&>"
    for n in range(3):
        followup_record(
            actor=owner, customer=customer, kind="phone", content=f"第{n}次沟通，{said}",
            impression="好" * n, grade="B" if n == 2 else "",
        )  # fmt: skip
    rows = list(FollowUp.objects.filter(customer=customer))
    assert len(rows) == 3
    for row in rows:
        assert FollowUpOutSerializer.represent(row) == FollowUpOutSerializer(row).data


def test_registration_answers_read_as_a_fresh_serializer_draws_them():
    for body in [
        {"outcome": "new_customer", "message": "已登记", "registration": 1, "customer": 5,
         "is_late": False},
        {"outcome": "conflict", "message": "<b>&", "registration": 2**62, "customer": None,
         "is_late": True},
    ]:  # fmt: skip
        assert RegistrationOutSerializer.represent(body) == RegistrationOutSerializer(body).data


def test_each_thread_builds_its_own():
    seen = []
    thread = threading.Thread(
        target=lambda: seen.append(
            RegistrationOutSerializer.represent(
                {
                    "outcome": "return",
                    "message": "",
                    "registration": 3,
                    "customer": 4,
                    "is_late": False,
                }
            )
        )
    )
    thread.start()
    thread.join()
    assert seen and seen[0]["registration"] == 3
