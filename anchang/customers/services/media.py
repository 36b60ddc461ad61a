"""认知媒体 catalogue: the defaults every project starts with, edited by planners/managers."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from anchang.customers import policies
from anchang.customers.choices import MediumKind
from anchang.customers.errors import Code
from anchang.customers.models import Medium
from anchang.errors import Conflict, ValidationFailed
from anchang.org.models import Project, User
from anchang.validators import fold_spaces

DEFAULT_MEDIA = [
    ("户外广告", MediumKind.BILLBOARD),
    ("报纸", MediumKind.NEWSPAPER),
    ("网络广告", MediumKind.ONLINE),
    ("路过", MediumKind.PASSING_BY),
    ("朋友介绍/老带新", MediumKind.REFERRAL),
    ("渠道/中介", MediumKind.CHANNEL),
    ("活动", MediumKind.EVENT),
    ("其他", MediumKind.OTHER),
]
NAME_MAX = 40


def media_ensure_defaults(*, project: Project) -> None:
    """Give a project the default catalogue once; existing entries are left alone."""
    if Medium.objects.filter(project=project).exists():
        return
    Medium.objects.bulk_create(
        Medium(project=project, name=name, kind=kind, sort_order=(i + 1) * 10)
        for i, (name, kind) in enumerate(DEFAULT_MEDIA)
    )


@contextmanager
def _unique_name():
    """A name the project already uses is a 409 with the field named, not a crash."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise Conflict(
            _("This project already has a medium with that name."),
            code=Code.DUPLICATE_NAME,
            fields={"name": _("Already in the catalogue.")},
        ) from exc


def _clean(name: str, kind: str) -> tuple[str, str]:
    errors = {}
    name = fold_spaces(name)
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("At most %(n)d characters.") % {"n": NAME_MAX}
    if kind not in MediumKind.values:
        errors["kind"] = _("Choose a kind.")
    if errors:
        raise ValidationFailed(fields=errors)
    return name, kind


@transaction.atomic
def medium_create(*, actor: User, project: Project, name: str, kind: str) -> Medium:
    policies.ensure_can_edit_media(actor=actor, project=project)
    name, kind = _clean(name, kind)
    with _unique_name():
        return Medium.objects.create(project=project, name=name, kind=kind)


@transaction.atomic
def medium_update(*, actor: User, medium: Medium, name: str, kind: str, is_active: bool) -> Medium:
    """Rename, re-class or retire a medium; retired ones stay on the customers that have them."""
    policies.ensure_can_edit_media(actor=actor, project=medium.project)
    medium.name, medium.kind = _clean(name, kind)
    medium.is_active = bool(is_active)
    with _unique_name():
        medium.save()
    return medium
