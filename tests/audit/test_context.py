"""Services take plain values: no service takes the HTTP request, and the audit log still
names the client's address, from a context the middleware sets for each request."""

from __future__ import annotations

import ast
from pathlib import Path

from django.urls import reverse

from anchang.audit.context import NO_REQUEST, audit_context_current
from anchang.audit.models import AuditEntry
from anchang.org.services import token_create, token_revoke
from tests.conftest import make_user

ROOT = Path(__file__).resolve().parents[2] / "anchang"


def _service_modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if path.name == "services.py" or "services" in path.relative_to(ROOT).parts[:-1]
    )


def _request_parameters(source: str) -> list[str]:
    """`function(parameter)` for each parameter named `request` or annotated HttpRequest."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        for param in filter(None, params):
            annotation = ast.unparse(param.annotation) if param.annotation else ""
            if param.arg == "request" or "HttpRequest" in annotation:
                found.append(f"{getattr(node, 'name', 'lambda')}({param.arg})")
    return found


def test_no_service_takes_the_request():
    modules = _service_modules()
    assert len(modules) >= 10, "the walk found too few service modules: has the layout moved?"
    offenders = {
        str(path.relative_to(ROOT)): hits
        for path in modules
        if (hits := _request_parameters(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_sees_a_request_parameter():
    source = (
        "def a(*, actor, request=None): ...\n"
        "def b(*, actor, http: 'HttpRequest | None' = None): ...\n"
        "class C:\n    def c(self, req: HttpRequest): ...\n"
        "def d(*, actor, requested: bool): ...\n"
    )
    assert _request_parameters(source) == ["a(request)", "b(http)", "c(req)"]


def test_a_token_request_is_audited_with_its_address_and_the_context_ends_with_it(db, api_client):
    user = make_user("ctx-token")
    token, secret = token_create(actor=user, name="脚本")  # outside a request: no address
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = api_client.delete(
        reverse("api:token", args=[token.token_key]), REMOTE_ADDR="198.51.100.23"
    )
    assert response.status_code == 204
    # The actor is the token's user (DRF authenticates inside the view), the address the
    # request's (the middleware's context).
    revoked = AuditEntry.objects.get(action="token_revoked")
    assert (revoked.actor, revoked.ip) == (user, "198.51.100.23")
    assert AuditEntry.objects.get(action="token_created").ip is None
    # Nothing of the request outlives it: a service called afterwards writes no address.
    assert audit_context_current() is NO_REQUEST
    second, _secret = token_create(actor=user, name="第二个")
    token_revoke(actor=user, token_key=second.token_key)
    assert AuditEntry.objects.filter(action="token_revoked", ip=None).count() == 1
