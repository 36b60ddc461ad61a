"""Fuzzing the API (issue 5): schemathesis generates requests for every operation in
/api/schema/ and sends them, signed in as a consultant, to the application in process.
Every answer must be no server error and match the schema (status, content type, body).

ANCHANG_FUZZ_EXAMPLES sets the cases per operation (25 here; `make reliability` runs
more).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from anchang.org.models import Role
from anchang.org.services import token_create
from anchang.wsgi import application

EXAMPLES = int(os.environ.get("ANCHANG_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The schema is public and built without the database: read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def consultant_token(world):
    """A consultant with customers, follow-ups and a colleague: the ids the fuzzer may hit
    exist, and some of them are not the consultant's."""
    consultant, colleague = world.consultants["p1"]
    for actor in (consultant, colleague):
        for _ in range(2):
            world.register(actor)
    world.grant(consultant, Role.CONSULTANT)
    _token, secret = token_create(actor=consultant, name="fuzz")
    return secret


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_every_answer_matches_the_schema(case, consultant_token):
    response = case.call(headers={"Authorization": f"Token {consultant_token}"})
    case.validate_response(response, checks=CHECKS)
