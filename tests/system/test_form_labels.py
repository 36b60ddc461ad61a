"""No two fields of a form share a label (issue 13, item 19: two fields both read 意向产品).

Every form class in the product is found by walking the apps' form modules, built the way
its page builds it (each trade's registration and card form, each grading scale), and its
labels compared in zh-Hans and English. A new form without a recipe here fails the test,
so it cannot escape the check."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import translation

import anchang
from anchang.org.rules import DEFAULT_RULES, ProjectRules
from anchang.org.selectors import project_rules

TRADES = ("real_estate", "dealership", "home_improvement")


def _form_classes() -> dict[str, type]:
    found = {}
    for module in pkgutil.walk_packages(anchang.__path__, "anchang."):
        if not module.name.rsplit(".", 1)[-1].endswith("forms"):
            continue
        mod = importlib.import_module(module.name)
        for name, cls in inspect.getmembers(mod, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == mod.__name__:
                found[f"{cls.__module__}.{name}"] = cls
    return found


def _instances(world):
    """Each form as its pages build it: (description, form)."""
    from anchang.customers.forms import CustomerProfileForm, RegistrationForm
    from anchang.customers.models import Customer, Medium
    from anchang.followups.forms import FollowUpForm, GradeForm

    projects = {"real_estate": world.p1, "home_improvement": world.p2, "dealership": world.p3}
    built = {}
    for project in projects.values():
        rules = project_rules(project)
        media = Medium.objects.filter(project=project)
        built.setdefault("anchang.customers.forms.RegistrationForm", []).append(
            RegistrationForm(projects=[project], media=media, project=project, rules=rules)
        )
        built.setdefault("anchang.customers.forms.CustomerProfileForm", []).append(
            CustomerProfileForm(
                instance=Customer(project=project), show_phones=True, media=media, rules=rules
            )  # fmt: skip
        )
        built.setdefault("anchang.followups.forms.GradeForm", []).append(
            GradeForm(spec=rules.grading.spec)
        )
        built.setdefault("anchang.followups.forms.FollowUpForm", []).append(
            FollowUpForm(scale=rules.grading.spec.scale, signals=rules.grading.signals)
        )
    from anchang.care.forms import MessageForm
    from anchang.care.models import MessageTemplate

    template = MessageTemplate(pk=1, name="邀请", purpose="promotion", body="{name}{date}{place}")
    built["anchang.care.forms.MessageForm"] = [
        MessageForm(templates=[template], chosen=template),
        MessageForm(templates=[], chosen=None),
    ]
    from anchang.care.forms import BatchForm

    options = {"states": [("prospect", "意向")], "grades": [("A", "A")], "owners": []}
    built["anchang.care.forms.BatchForm"] = [
        BatchForm(templates=[template], chosen=template, **options),
        BatchForm(templates=[], chosen=None, **options),
    ]
    built["anchang.org.forms.ProjectRulesForm"] = [
        __import__("anchang.org.forms", fromlist=["x"]).ProjectRulesForm(rules=DEFAULT_RULES),
    ] + [
        __import__("anchang.org.forms", fromlist=["x"]).ProjectRulesForm(
            rules=ProjectRules.from_overrides({}, trade)
        )
        for trade in TRADES
    ]
    return built


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_two_fields_of_any_form_share_a_label(world, language):
    special = _instances(world)
    checked = 0
    for path, cls in _form_classes().items():
        if path in special:
            instances = special[path]
        else:
            try:
                instances = [cls()]
            except TypeError as exc:  # needs arguments: give it a recipe above
                pytest.fail(f"{path} needs a recipe in _instances: {exc}")
        for form in instances:
            with translation.override(language):
                labels = [
                    str(field.label if field.label is not None else name).strip().casefold()
                    for name, field in form.fields.items()
                    if not field.widget.is_hidden
                ]
            duplicated = sorted({label for label in labels if labels.count(label) > 1})
            assert not duplicated, f"{path} ({language}): {duplicated}"
            checked += 1
    assert checked >= 20
