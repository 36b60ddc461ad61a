"""Per-project rules: docs/domain.md#project-settings as a typed, validated settings object.

A project stores only its overrides (Project.rules_overrides); `ProjectRules.from_overrides`
merges them over the defaults and validates the result, so a bad value is refused when an
admin saves it, never discovered at run time. Org holds the frame and the general settings;
every other setting belongs to the app whose rule it is, which adds its section (the
settings, their defaults per trade, the values a setting may hold) from its AppConfig.ready()
(org.forms.register_rules, which adds the section's words for the rules page too). So org
imports no app above it, and deals' milestone plans or care's cadence arrive the same way.
Nothing in this module touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.functional import SimpleLazyObject
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator


class Section(BaseModel):
    """A group of settings: unknown keys are refused, values never change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _same_for_every_trade(trade: str | None) -> dict[str, Any]:
    return {}


def _no_fixed_values(key: str) -> Sequence[str] | None:
    return None


@dataclass(frozen=True)
class RuleSection:
    """One app's section of the project rules, e.g. the pool's under `pool.`."""

    key: str
    model: type[Section]
    # Where the section stands among the others: on the rules page and in a dump.
    order: int
    # The settings in which a trade differs from the defaults, nested ({} for none).
    trade_defaults: Callable[[str | None], dict[str, Any]] = _same_for_every_trade
    # The values a list- or choice-valued setting may hold, by dotted key (see
    # setting_choices); None for a setting without a fixed set.
    choices: Callable[[str], Sequence[str] | None] = _no_fixed_values
    # List settings of free texts (one a line on the rules page), not of codes to choose from.
    free_text: tuple[str, ...] = ()


_sections: dict[str, RuleSection] = {}
_model: type[GeneralRules] | None = None


def register_section(section: RuleSection) -> None:
    """Add an app's section; called from its AppConfig.ready(), before any rules are read."""
    if _model is not None:
        raise RuntimeError(
            f"rule section {section.key!r} registered after the project rules were first read"
        )
    if section.key in _sections or section.key in GeneralRules.model_fields:
        raise ValueError(f"rule section {section.key!r} is registered twice")
    _sections[section.key] = section


def sections() -> list[RuleSection]:
    return sorted(_sections.values(), key=lambda section: section.order)


class GeneralRules(Section):
    """The settings every project has whatever its apps; each app's section is added to them
    (project_rules_model)."""

    timezone: str = Field("Asia/Shanghai", description="Local time for 'today' and 'late'.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_overrides(
        cls, overrides: dict[str, Any] | None, trade: str | None = None
    ) -> ProjectRules:
        """The trade's defaults (docs/domain.md#trades: its own fields, products and grades)
        with the project's overrides over them; a setting is replaced whole, a section is
        merged key by key."""
        merged = trade_defaults(trade)
        for key, value in (overrides or {}).items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        return project_rules_model().model_validate(merged)


def project_rules_model() -> type[GeneralRules]:
    """The general settings and every registered section, as one model: built on first use
    (every app has registered by then), then fixed."""
    global _model
    if _model is None:
        fields: dict[str, Any] = {
            s.key: (s.model, Field(default_factory=s.model)) for s in sections()
        }
        _model = create_model("ProjectRules", __base__=GeneralRules, __module__=__name__, **fields)
        # The name ProjectRules stands for the model (below): pickle finds the model by this.
        _model.__qualname__ = "_ProjectRulesModel"
    return _model


class _BuiltOnFirstUse(type):
    # Modules name ProjectRules (type hints, default arguments) when they are imported, which
    # may be before every app's ready() has registered its section: the name stands for the
    # model and builds it only when something is asked of it.
    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):  # introspection (typing, copy, pickle) builds nothing
            raise AttributeError(name)
        return getattr(project_rules_model(), name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return project_rules_model()(*args, **kwargs)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, project_rules_model())

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, project_rules_model())


class ProjectRules(metaclass=_BuiltOnFirstUse):
    """A project's rules: the general settings (`timezone`, `tz`) and one attribute per
    registered section (`rules.pool.daily_claim_limit`). See project_rules_model."""


def trade_defaults(trade: str | None) -> dict[str, Any]:
    """The settings in which a trade differs from the real-estate defaults, nested."""
    out = {}
    for section in sections():
        defaults = section.trade_defaults(trade)
        if defaults:
            out[section.key] = defaults
    return out


def setting_choices(key: str) -> tuple[str, ...] | None:
    """The values a list- or choice-valued setting may hold (dotted key; a mapping's entry as
    `key.entry`), for a rules form's tick boxes and selects; None for other settings."""
    section = _sections.get(key.partition(".")[0])
    codes = section.choices(key) if section else None
    return tuple(codes) if codes is not None else None


# The defaults of a project that overrides nothing and has no trade (built on first use).
DEFAULT_RULES: ProjectRules = SimpleLazyObject(ProjectRules)


def free_text_settings() -> tuple[str, ...]:
    """List settings of free texts (one a line in the rules form), not of codes to choose
    from."""
    return tuple(key for section in sections() for key in section.free_text)


def __getattr__(name: str) -> Any:
    # FREE_TEXT_SETTINGS as a name, for readers of the registered sections.
    if name == "FREE_TEXT_SETTINGS":
        return free_text_settings()
    if name == "_ProjectRulesModel":
        return project_rules_model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def flatten(rules: ProjectRules) -> dict[str, Any]:
    """Dotted keys to JSON-able values, e.g. {"pool.daily_claim_limit": 10}; a mapping
    setting (cadence by grade) is one value."""
    out: dict[str, Any] = {}

    def walk(prefix: str, model: BaseModel, dumped: dict[str, Any]) -> None:
        for name, value in dumped.items():
            part = getattr(model, name)
            if isinstance(part, BaseModel):
                walk(f"{prefix}{name}.", part, value)
            else:
                out[f"{prefix}{name}"] = value

    walk("", rules, rules.model_dump(mode="json"))
    return out


def overrides_from_flat(flat: dict[str, Any], trade: str | None = None) -> dict[str, Any]:
    """Keep only values that differ from the trade's defaults, nested again for storage."""
    defaults = flatten(ProjectRules.from_overrides({}, trade))
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        if key not in defaults:
            raise KeyError(key)
        if value == defaults[key]:
            continue
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def validation_messages(exc: ValidationError) -> dict[str, str]:
    return {".".join(str(p) for p in err["loc"]): err["msg"] for err in exc.errors()}
