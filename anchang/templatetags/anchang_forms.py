"""Render Django form widgets with Bootstrap classes, errors marked for screen readers."""

from django import forms, template

register = template.Library()


@register.simple_tag
def widget(field):
    widget_obj = field.field.widget
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
