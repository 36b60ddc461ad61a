"""The permission matrix (permissions.yaml), loaded once and validated.

Pure data access: no ORM here. `org.selectors.actor_grants` turns a user's role
memberships into grants; `customers.selectors` turns grants plus this matrix into
querysets, so a page can only ever read what the matrix allows.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml

MATRIX_PATH = Path(__file__).with_name("permissions.yaml")

Relation = Literal["own", "same_team", "pool", "same_project", "other_project", "other_region"]
# Parts of a project: whoever reads the whole project reads these too.
PROJECT_PARTS = ("same_team", "pool")
Action = Literal["list", "view", "edit", "reassign", "export"]
SCOPES = ("project", "region", "company")
DOORS = ("page", "fragment", "form", "export", "report", "api_list", "api_detail", "api_action")
PLAIN_GUARDS = ("public", "signed_in", "staff")
SENSITIVE = "sensitive"  # per role, like an action: whose sensitive fields it reads
# The duties the code asks for: each must be in the file, or the code would deny it silently.
DUTIES = (
    "own_customers",
    "claim_from_pool",
    "reviewed",
    "designs",
    "sends_messages",
    "records_consent",
    "runs_batches",
    "approves_batches",
)


class MatrixError(ValueError):
    """permissions.yaml is inconsistent; raised at start-up, never at request time."""


@cache
def matrix() -> dict:
    data = yaml.safe_load(MATRIX_PATH.read_text(encoding="utf-8"))
    validate(data)
    return data


def validate(data: dict) -> None:
    relations, actions = data["relations"], data["actions"]
    for role, spec in data["roles"].items():
        if spec.get("scope") not in SCOPES:
            raise MatrixError(f"{role}: scope must be one of {SCOPES}")
        for action in [*actions, SENSITIVE]:
            allowed = spec.get(action)
            if allowed is None:
                raise MatrixError(f"{role}: action {action!r} is missing")
            unknown = set(allowed) - set(relations)
            if unknown:
                raise MatrixError(f"{role}.{action}: unknown relations {sorted(unknown)}")
            if "same_project" in allowed and not set(PROJECT_PARTS) <= set(allowed):
                raise MatrixError(f"{role}.{action}: the whole project includes its teams and pool")
            # A region-wide role covers every project of its region, so it cannot tell
            # its "same" project from "other" ones; the file must not pretend it can.
            if spec["scope"] == "region" and (
                ("same_project" in allowed) != ("other_project" in allowed)
            ):
                raise MatrixError(f"{role}.{action}: a region role covers all its projects")
            if (
                spec["scope"] == "company"
                and len(
                    {
                        "same_project" in allowed,
                        "other_project" in allowed,
                        "other_region" in allowed,
                    }
                )
                > 1
            ):
                raise MatrixError(f"{role}.{action}: a company role covers all projects")
        if "view" in actions and not set(spec.get("edit", [])) <= set(spec["view"]):
            raise MatrixError(f"{role}: may edit customers it may not view")
        if not set(spec.get("edit", [])) <= set(spec[SENSITIVE]) <= set(spec.get("view", [])):
            raise MatrixError(f"{role}: sensitive fields: edit ⊆ sensitive ⊆ view")
    _validate_role_lists(data)
    _validate_deals(data)
    unknown = set(data.get("fields", {}).get("phone_full", [])) - set(relations)
    if unknown:
        raise MatrixError(f"fields.phone_full: unknown relations {sorted(unknown)}")
    for name, spec in data.get("endpoints", {}).items():
        if spec.get("door") not in DOORS:
            raise MatrixError(f"endpoint {name}: door must be one of {DOORS}")
        guard = spec.get("guard", "")
        kind, _, what = guard.partition(".")
        if not (
            guard in PLAIN_GUARDS
            or (kind == "customers" and what in actions)
            or (kind == "page" and what in data.get("pages", {}))
            or (kind == "deals" and what in data.get("deal_actions", ()))
        ):
            raise MatrixError(f"endpoint {name}: unknown guard {guard!r}")


def _validate_role_lists(data: dict) -> None:
    """Pages and duties name roles of the file; an owner reads its own customers, and who
    claims from the pool owns what it claims."""
    roles = set(data["roles"])
    duties = data.get("duties", {})
    for section, table in (("pages", data.get("pages", {})), ("duties", duties)):
        for name, holders in table.items():
            unknown = set(holders or ()) - roles
            if unknown:
                raise MatrixError(f"{section}.{name}: unknown roles {sorted(unknown)}")
    missing = set(DUTIES) - set(duties)
    if missing:
        raise MatrixError(f"duties: {sorted(missing)} missing")
    owners = set(duties["own_customers"])
    for role in owners:
        if "own" not in data["roles"][role]["view"]:
            raise MatrixError(f"duties.own_customers: {role} may not view its own customers")
    if not set(duties["claim_from_pool"]) <= owners:
        raise MatrixError("duties.claim_from_pool: who claims a customer owns it")


def _validate_deals(data: dict) -> None:
    """Every role says, for every deal action, which deals' relations it reaches; a role that
    acts on a deal reads it; the same region and company rules as for customers."""
    relations, actions = data.get("deal_relations", []), data.get("deal_actions", [])
    table = data.get("deals", {})
    for role, spec in data["roles"].items():
        deal_spec = table.get(role)
        if deal_spec is None:
            raise MatrixError(f"deals: {role} is missing")
        for action in actions:
            allowed = deal_spec.get(action)
            if allowed is None:
                raise MatrixError(f"deals.{role}: action {action!r} is missing")
            unknown = set(allowed) - set(relations)
            if unknown:
                raise MatrixError(f"deals.{role}.{action}: unknown relations {sorted(unknown)}")
            if not set(allowed) <= set(deal_spec.get("view", ())):
                raise MatrixError(f"deals.{role}.{action}: acts on deals it may not view")
            if spec["scope"] == "region" and (
                ("same_project" in allowed) != ("other_project" in allowed)
            ):
                raise MatrixError(f"deals.{role}.{action}: a region role covers all its projects")
    unknown_roles = set(table) - set(data["roles"])
    if unknown_roles:
        raise MatrixError(f"deals: unknown roles {sorted(unknown_roles)}")


def deal_relations(role: str, action: str) -> frozenset[str]:
    """The deals' relations a role reaches for a deal action (view, sell, move, approve,
    collect, catalogue); an unknown role or action gets nothing (fail closed)."""
    spec = matrix().get("deals", {}).get(role)
    if not spec:
        return frozenset()
    return frozenset(spec.get(action) or ())


def role_scope(role: str) -> str | None:
    spec = matrix()["roles"].get(role)
    return spec["scope"] if spec else None


def allowed_relations(role: str, action: str) -> frozenset[str]:
    """Relations a role may act on; an unknown role or action gets nothing (fail closed)."""
    spec = matrix()["roles"].get(role)
    if not spec:
        return frozenset()
    return frozenset(spec.get(action) or ())


def phone_full_relations() -> frozenset[str]:
    """Relations that see a customer's mobile number in full; the rest see it masked."""
    return frozenset(matrix().get("fields", {}).get("phone_full", ()))


def bulk_capped_relations(role: str) -> frozenset[str]:
    """Relations whose customers a role lists but may not export: paging through a list is an
    export by another name, so those rows count against a daily cap and are audited. The
    holder's own customers (the relations that see the phone in full) never count."""
    return (
        allowed_relations(role, "list") - allowed_relations(role, "export") - phone_full_relations()
    )


def sensitive_fields() -> tuple[str, ...]:
    """Customer fields shown only where a role's `sensitive` relations allow."""
    return tuple(matrix().get("fields", {}).get("sensitive", ()))


def page_roles(page: str) -> frozenset[str]:
    return frozenset(matrix().get("pages", {}).get(page, ()))


def duty_roles(duty: str) -> frozenset[str]:
    """Roles that play a part (`duties` in the file) where they are held."""
    return frozenset(matrix().get("duties", {}).get(duty, ()))


def endpoints() -> dict[str, dict[str, str]]:
    """URL name ('namespace:name', or 'namespace:*' for a whole site) → door and guard."""
    return matrix().get("endpoints", {})


def endpoint_spec(url_name: str) -> dict[str, str] | None:
    """The entry covering a URL name: its own, else its namespace's wildcard."""
    table = endpoints()
    if url_name in table:
        return table[url_name]
    namespace, _, _ = url_name.rpartition(":")
    return table.get(f"{namespace}:*") if namespace else None
