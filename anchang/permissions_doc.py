"""Render docs/permissions.md from permissions.yaml, so the documentation is what is tested."""

from __future__ import annotations

from anchang import permissions

RELATION_LABELS = {
    "own": "own customer",
    "same_team": "same sales team",
    "pool": "shared pool (公海)",
    "same_project": "rest of the project",
    "other_project": "other project, same region",
    "other_region": "other region",
}
ROLE_LABELS = {
    "consultant": "置业顾问 consultant",
    "manager": "销售经理 manager",
    "clerk": "销售行政 clerk",
    "planner": "策划 planner",
    "care": "客户关系专员 care specialist",
    "marketing": "区域营销 regional marketing",
    "auditor": "审计 auditor",
    "designer": "设计师 designer",
    "admin": "系统管理员 admin",
}
DEAL_RELATION_LABELS = {
    "own": "own deal (credited or designer)",
    "same_project": "rest of the project",
    "other_project": "other project, same region",
    "other_region": "other region",
}


def _role_table(data: dict, key: str, relations_of=None) -> list[str]:
    """One row per role: which relations `key` (an action, or `sensitive`) allows, or
    `relations_of(role)` gives."""
    relations = data["relations"]
    lines = ["| role | scope | " + " | ".join(RELATION_LABELS[r] for r in relations) + " |"]
    lines.append("|---|---|" + "---|" * len(relations))
    for role, spec in data["roles"].items():
        allowed = relations_of(role) if relations_of else permissions.allowed_relations(role, key)
        cells = ["✔" if r in allowed else "—" for r in relations]
        lines.append(
            f"| {ROLE_LABELS.get(role, role)} | {spec['scope']} | " + " | ".join(cells) + " |"
        )
    return lines


def render() -> str:
    data = permissions.matrix()
    relations = data["relations"]
    lines = [
        "# Permissions (权限矩阵)",
        "",
        "Generated from `anchang/permissions.yaml` by `anchang permissions_doc`; do not edit",
        "by hand. The same file drives the code (`customers.selectors.customers_for`) and the",
        "tests (`tests/system/test_permission_matrix.py`), so what is written here is what is",
        "tested.",
        "",
        "✔ allowed · — denied. A customer the role may not view answers 404, so ids reveal",
        "nothing; one it may view but not change answers 403. Exports are audited.",
        "",
    ]
    for action in data["actions"]:
        lines += [f"## {action}", "", *_role_table(data, action), ""]
    lines += [f"## {permissions.SENSITIVE} (收入、资产、家庭)", ""]
    lines += [
        "Whose sensitive fields the role reads: "
        + ", ".join(f"`{f}`" for f in permissions.sensitive_fields())
        + ". Elsewhere the card marks them restricted and the API returns them empty (named",
        "in `restricted_fields`); lists and exports never carry them.",
        "",
    ]
    lines += [*_role_table(data, permissions.SENSITIVE), ""]
    full = permissions.phone_full_relations()
    lines += [
        "## Fields returned",
        "",
        "What a reader gets of a customer it may list or view, through every door (page,",
        "list, search, API detail, API list, export). A masked phone reads 138****1234; where",
        "`reveal` allows, the reader may ask for the number with a reason (audited, capped).",
        "",
        "| field | " + " | ".join(RELATION_LABELS[r] for r in relations) + " |",
        "|---|" + "---|" * len(relations),
        "| mobile | " + " | ".join("full" if r in full else "masked" for r in relations) + " |",
        "",
    ]
    lines += [
        "## Bulk reads (批量浏览)",
        "",
        "Paging through a list is an export by another name. Customers a role lists through a",
        "relation it may not export (its own excepted) count against a daily cap per person",
        "(project rule `privacy.list_rows_per_day`); each such page is audited (`list_read`),",
        "and a page past the cap is refused (429 `bulk_read_limit`). ✔ counted:",
        "",
        *_role_table(data, "", permissions.bulk_capped_relations),
        "",
        "## Search by full phone number",
        "",
        "A full number confirms the masked digits. It finds a customer only for a reader who",
        "sees that number in full (above), or, where `reveal` allows, as a reveal: audited",
        "and counted against the reveal cap. Anyone else, or a revealer past the cap, gets the",
        "answer a wrong number gets. Every such search is audited without the number and",
        "capped per hour (`privacy.phone_searches_per_hour`, then 429 `phone_search_limit`).",
        "Likewise `phone` and `phone2` are written only by a reader who sees them in full",
        "(else 400 `phone_not_editable`, whatever the value).",
        "",
        "## States left only by their workflows",
        "",
        "Lost (战败), subscribed (认购) and owner (业主) are entered and left through their",
        "workflows (loss approval, deals, a return registration); no role's edit sets or",
        "undoes them (400 `state_workflow_owned`).",
        "",
    ]
    deal_relations = data.get("deal_relations", [])
    lines += [
        "## Deals (成交)",
        "",
        "A deal's relation to the reader: its credited consultant or its designer (own), the",
        "rest of the project, other projects. `view` reads it; `sell` holds units and",
        "subscribes customers (whom the reader may also edit); `move` moves its stage and asks",
        "for discounts, side moves and cancellations; `approve` decides them (never one's own",
        "request); `collect` keeps the payment plan and receipts; `catalogue` builds the",
        "buildings, stock and packages and reads floor prices (底价). A deal the reader may not",
        "view answers 404.",
        "",
    ]
    for action in data.get("deal_actions", []):
        lines += [
            f"### deals: {action}",
            "",
            "| role | " + " | ".join(DEAL_RELATION_LABELS[r] for r in deal_relations) + " |",
            "|---|" + "---|" * len(deal_relations),
        ]
        for role in data["roles"]:
            allowed = permissions.deal_relations(role, action)
            cells = ["✔" if r in allowed else "—" for r in deal_relations]
            lines.append(f"| {ROLE_LABELS.get(role, role)} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## Pages", "", "| page | roles |", "|---|---|"]
    for page, roles in data.get("pages", {}).items():
        lines.append(f"| {page} | {', '.join(roles)} |")
    lines.append("")
    lines += [
        "## Duties",
        "",
        "Parts a role plays in the projects where it is held. The shared pool is handed out by",
        "the roles that may `reassign` its customers; the customer list offers an owner filter",
        "to the roles whose `list` reaches beyond their own customers.",
        "",
        "| duty | roles |",
        "|---|---|",
    ]
    for duty, roles in data.get("duties", {}).items():
        lines.append(f"| {duty} | {', '.join(roles)} |")
    lines.append("")
    lines += [
        "## Endpoints",
        "",
        "Every URL the product serves, with its door and the guard a request must pass.",
        "`customers.<action>`: the tables above, for the customer in the URL (or the",
        "customers listed); `deals.<action>`: the deals tables, for the deal in the URL;",
        "`page.<page>`: the pages above; `signed_in`: any signed-in user,",
        "who reads only their own data there. A URL missing from this table fails the build",
        "(`tests/system/test_endpoints.py`).",
        "",
        "| URL name | door | guard |",
        "|---|---|---|",
    ]
    for name, spec in data.get("endpoints", {}).items():
        lines.append(f"| `{name}` | {spec['door']} | {spec['guard']} |")
    lines.append("")
    return "\n".join(lines)
