"""Input shapes of the import pages: the file and what it is; which column is which."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.assignment.imports import rules


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file is a"), choices=list(rules.KIND_LABELS.items()))
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class MappingForm(forms.Form):
    """One choice per field: a column of the file, or none."""

    default_medium = forms.TypedChoiceField(
        label=_("Awareness medium of rows that name none"), coerce=int, required=False,
        empty_value=None, choices=(),
    )  # fmt: skip

    def __init__(self, *args, headers=(), media=(), **kwargs):
        super().__init__(*args, **kwargs)
        columns = [("", _("— not in the file —"))] + [
            (str(i), f"{chr(65 + i) if i < 26 else i + 1}: {name or '—'}")
            for i, name in enumerate(headers)
        ]
        for field in rules.FIELDS:
            self.fields[field] = forms.TypedChoiceField(
                label=rules.FIELD_LABELS[field], choices=columns, coerce=int, required=False,
                empty_value=None,
            )  # fmt: skip
        self.fields["default_medium"].choices = [("", _("— refuse such rows —"))] + [
            (m.pk, m.name) for m in media
        ]

    def mapping(self) -> dict[str, int | None]:
        return {f: self.cleaned_data.get(f) for f in rules.FIELDS}
