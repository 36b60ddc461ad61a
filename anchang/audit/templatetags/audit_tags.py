"""Audit details as a person reads them: 'to: 王芳 · reason: 离职交接', not a dict."""

from django import template

from anchang.audit.details import describe

register = template.Library()


@register.filter
def details_text(details) -> str:
    return describe(details)
