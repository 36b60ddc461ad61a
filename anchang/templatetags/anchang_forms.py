"""Render Django form widgets with Bootstrap classes, errors marked for screen readers."""

from django import forms, template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def widget(field):
    widget_obj = field.field.widget
    if isinstance(widget_obj, forms.RadioSelect):
        attrs = {"class": "form-check-input" + (" is-invalid" if field.errors else "")}
        return format_html('<div class="choice-row">{}</div>', field.as_widget(attrs=attrs))
    if isinstance(widget_obj, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget_obj, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": css + (" is-invalid" if field.errors else "")}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}-error"
    return field.as_widget(attrs=attrs)
