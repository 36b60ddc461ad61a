"""Render Django form widgets with Bootstrap classes, errors marked for screen readers."""

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def widget(field):
    widget_obj = field.field.widget
    if isinstance(widget_obj, forms.RadioSelect):
        # Each choice its own labelled pill; the group itself carries no input styling.
        pills = []
        for choice in field.subwidgets:
            choice.data["attrs"]["class"] = "form-check-input"
            pills.append(format_html("<label>{} {}</label>", choice.tag(), choice.choice_label))
        invalid = " is-invalid" if field.errors else ""
        return format_html(
            '<div class="choice-row{}" role="radiogroup" id="{}"><div>{}</div></div>',
            invalid,
            field.auto_id,
            mark_safe("".join(pills)),  # noqa: S308 - built by format_html
        )
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
