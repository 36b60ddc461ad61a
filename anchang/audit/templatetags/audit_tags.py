"""Audit details as a person reads them: 'to: 王芳 · reason: 离职交接', not a dict."""

from django import template

register = template.Library()


@register.filter
def details_text(details) -> str:
    if not isinstance(details, dict):
        return "" if details is None else str(details)
    parts = []
    for key, value in details.items():
        # An id next to its name adds nothing for a reader; the name says it.
        if f"{key}_name" in details:
            continue
        label = key.removesuffix("_name")
        parts.append(f"{label}: {value}")
    return " · ".join(parts)
