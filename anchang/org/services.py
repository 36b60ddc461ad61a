"""Writes to the organisation: staff, roles, project rules, API tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.errors import Conflict, NotFound, ValidationFailed
from anchang.org import policies
from anchang.org.errors import Code
from anchang.org.models import ApiToken, Company, Membership, Project, Region, Role, Team, User
from anchang.org.rules import ProjectRules, overrides_from_flat, validation_messages
from anchang.org.selectors import forget_grants, staff_tokens_visible
from anchang.validators import fold_spaces

TOKEN_NAME_MAX = 64


@transaction.atomic
def staff_create(*, username: str, name: str, password: str, email: str = "") -> User:
    user = User(username=username, name=name, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def membership_grant(
    *,
    user: User,
    role: str,
    company: Company,
    region: Region | None = None,
    project: Project | None = None,
    team: Team | None = None,
) -> Membership:
    if role not in Role.values:
        raise ValidationFailed(fields={"role": _("Unknown role.")})
    membership, _created = Membership.objects.get_or_create(
        user=user,
        role=role,
        company=company,
        region=region if project is None else None,
        project=project,
        defaults={"team": team},
    )
    forget_grants(user)
    return membership


@transaction.atomic
def project_rules_update(
    *,
    actor: User,
    project: Project,
    values: dict[str, Any],
    version: int,
) -> ProjectRules:
    """Save rule values (dotted keys) as overrides; refuse invalid ones with field messages."""
    policies.ensure_can_open_page(actor=actor, page="project_settings")
    try:
        overrides = overrides_from_flat(values, project.kind)
    except KeyError as exc:
        raise ValidationFailed(fields={str(exc.args[0]): _("Unknown setting.")}) from exc
    try:
        rules = ProjectRules.from_overrides(overrides, project.kind)
    except ValidationError as exc:
        raise ValidationFailed(fields=validation_messages(exc)) from exc
    updated = Project.objects.filter(pk=project.pk, rules_version=version).update(
        rules_overrides=overrides, rules_version=version + 1
    )
    if not updated:
        raise Conflict(code=Code.STALE_VERSION)
    audit_record(
        action=AuditEntry.Action.RULES_CHANGED,
        actor=actor,
        obj=project,
        project=project,
        details={"overrides": overrides},
    )
    project.rules_overrides, project.rules_version = overrides, version + 1
    return rules


def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A personal API token. The secret is returned once and stored only as a hash."""
    name = fold_spaces(name)
    if not name:
        raise ValidationFailed(fields={"name": _("Name the token, e.g. the device it is for.")})
    if len(name) > TOKEN_NAME_MAX:
        raise ValidationFailed(
            fields={"name": _("At most %(n)d characters.") % {"n": TOKEN_NAME_MAX}}
        )
    instance, secret = ApiToken.objects.create(user=actor, name=name)
    audit_record(
        action=AuditEntry.Action.TOKEN_CREATED,
        actor=actor,
        details={"token": instance.token_key, "name": name},
    )
    return instance, secret


# Why every token of a user was revoked at once (the audit entry's `reason`).
TOKENS_REVOKED_BECAUSE = ("password_changed", "password_reset", "disabled", "by_admin")


@transaction.atomic
def user_tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """The one rule: a user whose password changed or was reset, or who was disabled, keeps
    no API token (a token is a password that never expires; whoever knew the old password
    may have made one). Every door that changes a password or disables a user calls this."""
    assert reason in TOKENS_REVOKED_BECAUSE, reason  # noqa: S101 - a programming error
    keys = list(ApiToken.objects.filter(user=user).values_list("token_key", flat=True))
    if not keys:
        return 0
    ApiToken.objects.filter(user=user, token_key__in=keys).delete()
    audit_record(
        action=AuditEntry.Action.TOKEN_REVOKED,
        actor=actor,
        obj=user,
        details={"tokens": keys, "reason": reason},
    )
    return len(keys)


@transaction.atomic
def user_password_set(
    *,
    actor: User | None,
    user: User,
    password: str | None,
    reason: str = "password_reset",
) -> User:
    """Set (or, with None, make unusable) a user's password; their API tokens go with the
    old one. `reason`: password_changed (by the user) or password_reset (by someone else)."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    user_tokens_revoke_all(user=user, actor=actor, reason=reason)
    return user


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, is_active: bool) -> User:
    """Enable or disable a staff member; disabling revokes their API tokens."""
    if user.is_active != is_active:
        user.is_active = is_active
        user.save(update_fields=["is_active"])
    if not is_active:
        user_tokens_revoke_all(user=user, actor=actor, reason="disabled")
    forget_grants(user)
    return user


@transaction.atomic
def staff_token_revoke(*, actor: User, token_key: str) -> ApiToken:
    """An administrator revokes a staff member's token (a lost phone, someone who left)."""
    policies.ensure_can_open_page(actor=actor, page="staff_tokens")
    token = staff_tokens_visible(actor).filter(token_key=token_key).first()
    if token is None:
        raise NotFound()
    ApiToken.objects.filter(pk=token.pk).delete()
    audit_record(
        action=AuditEntry.Action.TOKEN_REVOKED,
        actor=actor,
        obj=token.user,
        details={"tokens": [token_key], "reason": "by_admin"},
    )
    return token


def token_revoke(*, actor: User, token_key: str) -> None:
    deleted, _detail = ApiToken.objects.filter(user=actor, token_key=token_key).delete()
    if not deleted:
        raise NotFound()
    audit_record(
        action=AuditEntry.Action.TOKEN_REVOKED,
        actor=actor,
        details={"token": token_key},
    )
