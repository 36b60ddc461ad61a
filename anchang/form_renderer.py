"""The form renderer: Jinja2 for the widgets it has (fast), Django templates for the rest.

Django ships Jinja2 copies of the form widgets only; the admin's and contrib.auth's widgets
(`admin/widgets/*`, `auth/widgets/read_only_password_hash.html`) exist as Django templates
alone, and under the plain Jinja2 renderer every admin add/change page answered 500."""

from __future__ import annotations

from functools import cached_property

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class JinjaFirstRenderer(Jinja2):
    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
