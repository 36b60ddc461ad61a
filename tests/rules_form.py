"""What the project-rules page posts when an admin changes nothing but `changes`: one value
per field of the typed form (a list for the tick boxes of a stage's required fields)."""

from __future__ import annotations

from datetime import time

from anchang.org.forms import LinesField, ProjectRulesForm
from anchang.org.rules import DEFAULT_RULES, ProjectRules


def rules_form_data(rules: ProjectRules = DEFAULT_RULES, version: int = 1, **changes) -> dict:
    form = ProjectRulesForm(rules=rules, initial={"version": version})
    data: dict = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, time):
            value = value.strftime("%H:%M")
        if isinstance(field, LinesField):
            value = "\n".join(value)
        data[name] = list(value) if isinstance(value, list) else value
    data.update(changes)
    return data
