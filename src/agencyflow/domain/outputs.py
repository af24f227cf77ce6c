"""Validate the outputs a step declares against the values a user gives, and normalise them.

Values come as strings (``--output key=value`` on the command line) or as typed values (a JSON or
YAML file, a web form). Each :class:`~agencyflow.domain.plan_types.OutputSpec` type accepts:

=========  ==========================================================================
type       accepted values → stored (JSON-ready) value
=========  ==========================================================================
text       a string (numbers are turned into text) → stripped string
number     a number or a numeric string (``1.5``) → int when whole, else float
integer    a whole number or its string → int
date       a date, ``YYYY-MM-DD`` or ``dd/mm/yyyy`` → ``YYYY-MM-DD``
boolean    true/false, yes/no, có/không, 1/0 → bool
link       an ``http://`` or ``https://`` URL → string
score      a number 0..100 → number, and the derived stars stored next to it
list       a list of mappings (or its JSON/YAML text) → list of item dicts (``fields``)
=========  ==========================================================================

**Stars are derived, never typed.** For every ``score`` the plan's rating bands
(``PlanSpec.stars_for``) give the stars, stored under ``stars`` next to the score (under
``<name>_stars`` when one item or output holds several scores). A user who types the stars
key is refused. Every problem found is reported at once in one
:class:`~agencyflow.errors.ValidationError`, each line naming the output, item and field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from agencyflow.domain.calendar import parse_date
from agencyflow.domain.plan_types import MAX_NUMBER, OutputSpec, OutputType
from agencyflow.domain.plan_yaml import read_yaml
from agencyflow.errors import CalendarError, PlanError, ValidationError
from agencyflow.i18n import _

#: Maps a score (0..100) to stars, or None when the plan has no rating bands.
StarsFor = Callable[[float], "int | None"]

_TRUE = frozenset({"true", "yes", "y", "1", "có", "co", "đúng", "dung"})
_FALSE = frozenset({"false", "no", "n", "0", "không", "khong", "sai"})


class _Bad(Exception):
    """One value that does not fit its type (internal: collected into ValidationError)."""


def stars_key(specs: Sequence[OutputSpec], spec: OutputSpec) -> str:
    """The key holding the stars derived from the score ``spec`` among its siblings ``specs``."""
    scores = [s for s in specs if s.type is OutputType.SCORE]
    return "stars" if len(scores) <= 1 else f"{spec.name}_stars"


def derived_keys(specs: Sequence[OutputSpec]) -> set[str]:
    """Keys that hold derived values (stars) at the level of ``specs``."""
    return {stars_key(specs, s) for s in specs if s.type is OutputType.SCORE}


def validate_outputs(specs: Sequence[OutputSpec], values: Mapping[str, Any], *,
                     stars_for: StarsFor, partial: bool = False) -> dict[str, Any]:
    """Check ``values`` against ``specs``; return the normalised outputs or raise ValidationError.

    ``partial`` (progress reports, contributions) skips the required check: only the given
    outputs are validated. Unknown outputs and typed stars are always refused.
    """
    problems: list[str] = []
    out = _validate_level(specs, values, stars_for, partial, _("output {}"), problems)
    if problems:
        raise ValidationError(_("invalid outputs:") + "\n  " + "\n  ".join(problems),
                              problems=problems)
    return out


def _validate_level(specs: Sequence[OutputSpec], values: Mapping[str, Any], stars_for: StarsFor,
                    partial: bool, where: str, problems: list[str]) -> dict[str, Any]:
    """Validate one mapping (the outputs, or one list item); append problems; return values."""
    by_name = {s.name: s for s in specs}
    derived = derived_keys(specs)
    out: dict[str, Any] = {}
    for key in values:
        if key in derived:
            problems.append(_("{where}: stars are derived from the score, do not type them")
                            .format(where=where.format(key)))
        elif key not in by_name:
            known = ", ".join(by_name) or _("none")
            problems.append(_("{where}: not declared by the step (declared: {known})").format(
                where=where.format(key), known=known))
    for spec in specs:
        raw = values.get(spec.name)
        if _missing(raw):
            if spec.required and not partial:
                problems.append(_("{where}: required ({label})").format(
                    where=where.format(spec.name), label=spec.label.vi))
            continue
        try:
            out[spec.name] = _coerce(spec, raw, stars_for, where.format(spec.name), problems)
        except _Bad as exc:
            problems.append(f"{where.format(spec.name)}: {exc}")
            continue
        if spec.type is OutputType.SCORE:
            stars = stars_for(out[spec.name])
            if stars is not None:
                out[stars_key(specs, spec)] = stars
    return out


def _missing(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _coerce(spec: OutputSpec, raw: Any, stars_for: StarsFor, where: str,
            problems: list[str]) -> Any:
    """The normalised value of one output (lists validate their items)."""
    if spec.type is OutputType.LIST:
        return _list(spec, raw, stars_for, where, problems)
    value = _SCALARS[spec.type](raw)
    if spec.min is not None and value < spec.min:
        raise _Bad(_("{value} is below the minimum {min}").format(value=f"{value:g}",
                                                                   min=f"{spec.min:g}"))
    return value


def _list(spec: OutputSpec, raw: Any, stars_for: StarsFor, where: str,
          problems: list[str]) -> list[dict[str, Any]]:
    """A list of items, each a mapping validated against ``spec.fields``."""
    if isinstance(raw, str):  # read within the plan reader's bounds (aliases, depth, size)
        try:
            raw = read_yaml(raw, "list").data if raw.strip() else None
        except PlanError as exc:
            raise _Bad(_("not a JSON/YAML list: {problem}").format(
                problem=exc.problems[0].message)) from None
    if not isinstance(raw, list):
        raise _Bad(_("expected a list of items with fields {fields}, got {value}").format(
            fields=_names(spec), value=_show(raw)))
    items: list[dict[str, Any]] = []
    for i, item in enumerate(raw, start=1):
        here = _("{where}, item {i}").format(where=where, i=i)
        if not isinstance(item, Mapping):
            problems.append(_("{where}: expected a mapping of {fields}, got {value}").format(
                where=here, fields=_names(spec), value=_show(item)))
            continue
        fields = {str(k): v for k, v in item.items()}
        items.append(_validate_level(spec.fields, fields, stars_for, False,
                                     here + _(", field {}"), problems))
    return items


def _names(spec: OutputSpec) -> str:
    return "{" + ", ".join(f.name for f in spec.fields) + "}"


def _show(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _Bad(_("expected a text, got {value}").format(value=_show(raw)))
    return str(raw).strip()


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise _Bad(_("expected a number, got {value}").format(value=_show(raw)))
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            raise _Bad(_("expected a number (e.g. 12 or 3.5), got {value}").format(
                value=_show(raw))) from None
    if not isinstance(raw, int | float) or (isinstance(raw, float) and not math.isfinite(raw)):
        raise _Bad(_("expected a number, got {value} (NaN and infinity are not numbers)")
                   .format(value=_show(raw)))
    if abs(raw) > MAX_NUMBER:
        raise _Bad(_("expected a number of at most {max} in magnitude, got {value}").format(
            max=f"{MAX_NUMBER:.0e}", value=_show(raw)))
    return int(raw) if float(raw).is_integer() else float(raw)


def _integer(raw: Any) -> int:
    value = _number(raw)
    if not isinstance(value, int):
        raise _Bad(_("expected a whole number, got {value}").format(value=_show(raw)))
    return value


def _score(raw: Any) -> int | float:
    value = _number(raw)
    if not 0 <= value <= 100:
        raise _Bad(_("a score is 0..100, got {value}").format(value=f"{value:g}"))
    return value


def _date(raw: Any) -> str:
    if isinstance(raw, datetime):
        raise _Bad(_("expected a date without a time, got {value}").format(value=_show(raw)))
    if isinstance(raw, date):
        return raw.isoformat()
    if not isinstance(raw, str):
        raise _Bad(_("expected a date (YYYY-MM-DD or dd/mm/yyyy), got {value}").format(
            value=_show(raw)))
    try:
        return parse_date(raw).isoformat()
    except CalendarError as exc:
        raise _Bad(str(exc)) from None


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, str | int) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad(_("expected yes/no (true/false, có/không), got {value}").format(value=_show(raw)))


def check_link(raw: Any) -> str:
    """An ``http(s)://host/...`` URL without spaces or control characters; ValueError otherwise."""
    text = raw.strip() if isinstance(raw, str) else ""
    parts = urlsplit(text)
    clean = text and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text)
    if not clean or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(_("expected an http(s) link, got {value}").format(value=_show(raw)))
    if len(text) > 2000:
        raise ValueError(_("the link is longer than 2000 characters"))
    return text


def _link(raw: Any) -> str:
    try:
        return check_link(raw)
    except ValueError as exc:
        raise _Bad(str(exc)) from None


_SCALARS: dict[OutputType, Callable[[Any], Any]] = {
    OutputType.TEXT: _text,
    OutputType.NUMBER: _number,
    OutputType.INTEGER: _integer,
    OutputType.SCORE: _score,
    OutputType.DATE: _date,
    OutputType.BOOLEAN: _boolean,
    OutputType.LINK: _link,
}


def strip_derived(specs: Sequence[OutputSpec], stored: Mapping[str, Any]) -> dict[str, Any]:
    """``stored`` outputs without their derived stars, ready to be validated again."""
    drop = derived_keys(specs)
    out: dict[str, Any] = {}
    for key, value in stored.items():
        if key in drop:
            continue
        spec = next((s for s in specs if s.name == key), None)
        if spec is not None and spec.type is OutputType.LIST and isinstance(value, list):
            inner = derived_keys(spec.fields)
            value = [{k: v for k, v in item.items() if k not in inner}
                     if isinstance(item, Mapping) else item for item in value]
        out[key] = value
    return out


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """``["key=value", ...]`` (``--output``) → a mapping; a repeated or malformed key is refused."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValidationError(_("--output {pair}: write it as name=value").format(
                pair=repr(pair)))
        if key in out:
            raise ValidationError(_("--output {key} is given twice").format(key=key))
        out[key] = value
    return out
