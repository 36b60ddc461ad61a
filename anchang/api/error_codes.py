"""Every `code` an API error may carry, read from the source, so the schema's `Error.code`
enum cannot fall behind a new error: the DomainError family (default codes and the `code=`
given where one is raised), each app's `Code` class, and the API's own error handler."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
# Codes the API error handler and the JSON error views answer with themselves.
HANDLER_CODES = ("invalid", "too_large", "bad_request", "server_error", "error")


def _strings(node: ast.AST) -> set[str]:
    """String literals inside an expression (`code or "invalid"`, `A if x else "b"`)."""
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """Names of DomainError and its subclasses anywhere in the package (a fixed point, so
    a subclass of a subclass counts)."""
    names = {"DomainError"}
    classes = [n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    while True:
        more = {
            c.name
            for c in classes
            if c.name not in names
            and any(isinstance(b, ast.Name | ast.Attribute) and _name(b) in names for b in c.bases)
        }
        if not more:
            return names
        names |= more


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


@functools.cache
def server_error_codes() -> tuple[str, ...]:
    files = [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in files]
    errors = _error_classes(trees)
    codes: set[str] = set(HANDLER_CODES)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == "Code":
                for item in node.body:
                    if isinstance(item, ast.Assign):
                        value = item.value  # `X = "x"` or a TextChoices `X = "x", _("X")`
                        first = value.elts[0] if isinstance(value, ast.Tuple) else value
                        codes |= _strings(first)
            elif isinstance(node, ast.ClassDef) and node.name in errors:
                for item in node.body:
                    if isinstance(item, ast.Assign) and any(
                        _name(t) == "default_code" for t in item.targets
                    ):
                        codes |= _strings(item.value)
            elif isinstance(node, ast.Call):
                func = _name(node.func)
                if func in errors:
                    for keyword in node.keywords:
                        if keyword.arg == "code":
                            codes |= _strings(keyword.value)
                elif func in ("json_error", "error_body") and node.args:
                    codes |= _strings(node.args[0])
            elif isinstance(node, ast.Dict):
                # a hand-built error body: {"code": "too_large", "message": ...}
                body = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                        if isinstance(k, ast.Constant)}  # fmt: skip
                if isinstance(body.get("code"), ast.Constant) and "message" in body:
                    codes |= _strings(body["code"])
            table = isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
            if table and any(_name(t) == "_CODES" for t in node.targets):
                # the handler's table: {exception: (code, message)}
                for value in node.value.values:
                    if isinstance(value, ast.Tuple) and value.elts:
                        codes |= _strings(value.elts[0])
    return tuple(sorted(c for c in codes if c and c.isidentifier()))
