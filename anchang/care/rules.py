"""Owner care's rules as pure functions and the project's settings (docs/domain.md#care):
who may receive which message, when, how often, and how a template's variables fill in."""

from __future__ import annotations

import string
import unicodedata
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from pydantic import Field, model_validator

from anchang.org.rules import RuleSection, Section

SERVICE = "service"
MARKETING = "promotion"  # 营销 (not "marketing": the role of that name)
BODY_MAX = 500  # characters; the providers split a long SMS and refuse one past about 500
VALUE_MAX = 35  # a variable's value: Aliyun and Tencent refuse longer ones in a template
VARIABLE_MAX = 10  # variables in one template
BATCH_MAX = 200_000  # recipients of one batch (群发)
# Sends the provider could not take now (throttled, timed out): tried again later, then failed.
MAX_ATTEMPTS = 6
# The words that withdraw marketing consent when a customer replies with them (回复TD退订).
OPT_OUT_WORDS = frozenset({"TD", "T", "N", "退订", "退", "取消"})


def may_receive(purpose: str, granted: bool | None) -> bool:
    """Service notices go unless the customer said no; marketing only with their yes (PIPL:
    consent per purpose, withdrawn by a reply)."""
    if purpose == MARKETING:
        return granted is True
    return granted is not False


def is_opt_out(text: str) -> bool:
    """A reply that is only an opt-out word (回复TD), whatever its case, spaces or width."""
    word = unicodedata.normalize("NFKC", text or "").strip().upper()
    return word in OPT_OUT_WORDS


class TemplateError(ValueError):
    """A template text that cannot be filled (bad braces, a positional or formatted field)."""


def template_variables(body: str) -> list[str]:
    """The {variables} of a text, in their order of first appearance (Tencent's templates take
    their values by position, Aliyun's by name: both come from this list)."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError as exc:
        raise TemplateError(_("Braces do not match: write {name} for a variable.")) from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or not field.isascii() or spec or conversion:
            raise TemplateError(
                _("{%(field)s} is not a variable: use letters, digits and _ only.")
                % {"field": field}
            )
        if field not in names:
            names.append(field)
    if len(names) > VARIABLE_MAX:
        raise TemplateError(_("At most %(n)d variables.") % {"n": VARIABLE_MAX})
    return names


def missing_variables(body: str, values: dict[str, Any]) -> list[str]:
    return [name for name in template_variables(body) if not str(values.get(name) or "").strip()]


def render(body: str, values: dict[str, Any]) -> str:
    """The text with its variables filled; every variable must have a value (missing_variables
    names those that do not)."""
    return body.format_map({name: str(values[name]) for name in template_variables(body)})


def in_quiet_hours(at: datetime, tz: ZoneInfo, quiet_from: int, quiet_until: int) -> bool:
    """Marketing is never sent between `quiet_from` (21:00) and `quiet_until` (08:00) local
    time; equal hours mean no quiet hours."""
    hour = at.astimezone(tz).hour
    if quiet_from == quiet_until:
        return False
    if quiet_from > quiet_until:  # over midnight
        return hour >= quiet_from or hour < quiet_until
    return quiet_from <= hour < quiet_until


def next_allowed(at: datetime, tz: ZoneInfo, quiet_from: int, quiet_until: int) -> datetime:
    """`at` itself when outside the quiet hours, else the moment they end."""
    if not in_quiet_hours(at, tz, quiet_from, quiet_until):
        return at
    local = at.astimezone(tz)
    end = datetime.combine(local.date(), time(quiet_until), tzinfo=tz)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), time(quiet_until), tzinfo=tz)
    return end


def backoff(attempts: int) -> timedelta:
    """After a throttled or failed try: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(0, min(attempts, MAX_ATTEMPTS) - 1))


# ---------------------------------------------------------------------------------------
# Settings a project may change (docs/domain.md#project-settings).


class CareRules(Section):
    """客户关怀: when and how often marketing goes, who approves a batch, the SMS signature."""

    quiet_from_hour: int = Field(21, ge=0, le=23)
    quiet_until_hour: int = Field(8, ge=0, le=23)
    marketing_per_week: int = Field(2, ge=0, le=50)
    # a batch to more recipients than this waits for a manager's approval
    batch_approval_over: int = Field(200, ge=0, le=BATCH_MAX)
    # the provider's approved signature (短信签名); empty: the project's name
    sms_signature: str = Field("", max_length=20)

    @model_validator(mode="after")
    def _signature_plain(self) -> CareRules:
        if any(c in self.sms_signature for c in "【】[]"):
            raise ValueError("sms_signature: without brackets")
        return self


RULE_SECTIONS = (RuleSection(key="care", model=CareRules, order=90),)
