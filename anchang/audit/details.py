"""Audit details as a person reads them: labelled words, never codes.

An entry's details are stored as the service wrote them (ids, codes, field names), so they stay
exact for an auditor's export; this module turns them into what the log page shows:
`{"from_pool": True, "to": 12, "customers": [3, 4]}` reads "来自公海：是 · 新归属顾问：王芳 ·
客户：2 位（#3、#4）". Every key a service writes has a label here (a test scans the code for
`details={...}` and fails on a key without one). Models are looked up through the app
registry, not imported: the log's reading side sits above org (whose rule words it reads)
and below the apps that write to it (the import contract in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from anchang.org.forms import rule_label, rule_value_text

# Every key a service writes into `details`, labelled.
DETAIL_LABELS = {
    "path": gettext_lazy("Backup file"),
    "bytes": gettext_lazy("Size"),
    "from": gettext_lazy("Previous owner"),
    "to": gettext_lazy("New owner"),
    "from_name": gettext_lazy("Previous owner"),
    "to_name": gettext_lazy("New owner"),
    "from_pool": gettext_lazy("From the shared pool"),
    "customers": gettext_lazy("Customers"),
    "overrides": gettext_lazy("Rules that differ from the defaults"),
    "token": gettext_lazy("Token"),
    "name": pgettext_lazy("thing", "Name"),
    "reason": gettext_lazy("Reason"),
    "over_cap": gettext_lazy("Over the hold cap, because"),
    "what": gettext_lazy("Exported data"),
    "rows": gettext_lazy("Rows"),
    "decision": gettext_lazy("Decision"),
    "claimant": gettext_lazy("Claimant"),
    "note": gettext_lazy("Note"),
    "fields": gettext_lazy("Fields"),
    "tokens": gettext_lazy("Tokens revoked"),
    "found": gettext_lazy("Customers found"),
    "door": gettext_lazy("Where"),
    "days": gettext_lazy("Days"),
    # deals
    "customer": gettext_lazy("Customer"),
    "deal": gettext_lazy("Deal"),
    "unit": gettext_lazy("Unit"),
    "stage": gettext_lazy("Stage"),
    "kind": gettext_lazy("Kind"),
    "price": gettext_lazy("Deal price (yuan)"),
    "discount_permille": gettext_lazy("Discount (‰)"),
    "amount": gettext_lazy("Amount (yuan)"),
    "method": gettext_lazy("Method"),
    "receipt": gettext_lazy("Receipt"),
    "refund": gettext_lazy("Refund of approval"),
    "approval": gettext_lazy("Approval"),
    "old": gettext_lazy("Old price (yuan)"),
    "new": gettext_lazy("New price (yuan)"),
    "status": gettext_lazy("Status"),
    "updated": gettext_lazy("Units updated"),
    "price_changes": gettext_lazy("Price changes asked"),
    # exports and imports (导入)
    "format": gettext_lazy("Format"),
    "new_customer": gettext_lazy("New customers"),
    "return": gettext_lazy("Return calls or visits"),
    "merged": gettext_lazy("Already customers"),
    "conflict": gettext_lazy("Ownership conflicts"),
    "invalid": gettext_lazy("Refused rows"),
    "customers_removed": gettext_lazy("Customers removed"),
    "customers_kept": gettext_lazy("Customers kept (worked on since)"),
    "registrations_removed": gettext_lazy("Registrations removed"),
    "registrations_kept": gettext_lazy("Registrations kept (worked on since)"),
}
# A key that means something else for one action.
ACTION_LABELS = {("restore", "from"): gettext_lazy("Backup file")}
# Keys holding a staff member's id; shown by name (looked up once per page).
USER_KEYS = ("from", "to")
# Known values that are codes, by key.
VALUE_LABELS = {
    "what": {
        "customers": gettext_lazy("Customers"),
        "import_rejects": gettext_lazy("An import's refused rows"),
    },
    "door": {"api": gettext_lazy("API"), "page": gettext_lazy("Customer list page")},
    "decision": {
        "approved": gettext_lazy("Approved"),
        "rejected": gettext_lazy("Rejected"),
    },
}
# Choices whose codes may stand as a value (loss reasons, conflict decisions), by key.
CHOICE_FIELDS = {
    "reason": [("customers", "Customer", "loss_reason")],
    "decision": [("customers", "OwnershipConflict", "status")],
    "kind": [("deals", "Approval", "kind")],
    "status": [("deals", "Unit", "status")],
    "method": [("deals", "Receipt", "method")],
}


def value_labels_add(key: str, labels: Mapping[str, Any]) -> None:
    """Words for the codes a higher app writes under `key` (deals: its stages), added from
    its AppConfig.ready(); the log never imports that app."""
    VALUE_LABELS.setdefault(key, {}).update(labels)


def _choice_label(key: str, value: str) -> str | None:
    known = VALUE_LABELS.get(key, {})
    if value in known:
        return str(known[value])
    for app_label, model, field in CHOICE_FIELDS.get(key, []):
        if not apps.is_installed(f"anchang.{app_label}"):
            continue
        choices = dict(apps.get_model(app_label, model)._meta.get_field(field).choices or [])
        if value in choices:
            return str(choices[value])
    return None


def _field_label(name: str) -> str:
    try:
        return str(apps.get_model("customers", "Customer")._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field since removed still reads as words
        return name.replace("_", " ")


def object_type_label(model_name: str) -> str:
    """`customer` → 客户: the verbose name of the model the entry is about."""
    if not model_name:
        return ""
    for model in apps.get_models():
        if model._meta.model_name == model_name:
            return str(model._meta.verbose_name)
    return model_name.replace("_", " ")


def object_type_choices() -> list[tuple[str, str]]:
    """The product's models an entry can be about, by name (for the log's filter)."""
    models = [m for m in apps.get_models() if m.__module__.startswith("anchang.")]
    named = {m._meta.model_name: str(m._meta.verbose_name) for m in models}
    return sorted(named.items(), key=lambda item: item[1])


def _rules_text(overrides: Mapping[str, Any]) -> str:
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            flat[prefix] = value

    walk("", overrides)
    if not flat:
        return _("all defaults")
    return "；".join(f"{rule_label(key)} = {rule_value_text(key, v)}" for key, v in flat.items())


def _value_text(key: str, value: Any, users: Mapping[int, str] | None = None) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None or value == "":
        return "—"
    if key in USER_KEYS and isinstance(value, int) and users is not None:
        return users.get(value, f"#{value}")
    if key == "bytes" and isinstance(value, int):
        return str(filesizeformat(value))
    if key == "fields" and isinstance(value, list):
        return "、".join(_field_label(str(v)) for v in value)
    if key == "customers" and isinstance(value, list):
        shown = "、".join(f"#{v}" for v in value[:10]) + ("…" if len(value) > 10 else "")
        return _("%(n)d (%(ids)s)") % {"n": len(value), "ids": shown}
    if key == "overrides" and isinstance(value, Mapping):
        return _rules_text(value)
    if isinstance(value, str):
        return _choice_label(key, value) or value
    if isinstance(value, list):
        return "、".join(_value_text(key, v, users) for v in value)
    if isinstance(value, Mapping):
        return "；".join(f"{_label(k)}: {_value_text(k, v, users)}" for k, v in value.items())
    return str(value)


def _label(key: str, action: str = "") -> str:
    label = ACTION_LABELS.get((action, key)) or DETAIL_LABELS.get(key)
    return str(label) if label else key.replace("_", " ")


def user_ids(details_list: Iterable[Any]) -> set[int]:
    """Staff ids named in these details without their name beside them."""
    ids = set()
    for details in details_list:
        if isinstance(details, Mapping):
            for key in USER_KEYS:
                value = details.get(key)
                if isinstance(value, int) and f"{key}_name" not in details:
                    ids.add(value)
    return ids


def describe(details: Any, *, action: str = "", users: Mapping[int, str] | None = None) -> str:
    if not isinstance(details, Mapping):
        return "" if details is None else str(details)
    parts = []
    for key, value in details.items():
        # An id next to its name adds nothing for a reader; the name says it.
        if f"{key}_name" in details:
            continue
        if action == "restore" and key == "from":
            parts.append(f"{_label(key, action)}: {value}")
            continue
        parts.append(f"{_label(key, action)}: {_value_text(key, value, users)}")
    return " · ".join(parts)
