"""Pydantic's validation errors said in the words of a plan file: where, and what is wrong."""

from __future__ import annotations

from typing import Any

from agencyflow.domain.plan_view import Path
from agencyflow.domain.pydantic_words import pydantic_message
from agencyflow.i18n import _


def data_path(data: Any, prefix: Path, loc: tuple[str | int, ...]) -> Path:
    """Map a pydantic ``loc`` onto the data: drop union tags, keep a missing field's name."""
    path, current = list(prefix), data
    for i, part in enumerate(loc):
        inside = (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        )
        if isinstance(current, dict) and current.get("kind") == part:
            continue  # the tag of a union member chosen by its kind (a rule's own check)
        if inside:
            current = current[part]
        elif not (isinstance(current, dict) and isinstance(part, str) and i == len(loc) - 1):
            continue  # a union member's name or a validator detail, not a place in the file
        path.append(part)
    return tuple(path)


def message(err: Any) -> str:
    """A short message for one pydantic error, in the current language."""
    error, value = err["type"], err.get("input")
    if error in ("missing", "extra_forbidden"):
        return pydantic_message(err)
    if error in ("model_type", "model_attributes_type", "dict_type"):
        return _("expected a mapping, got {kind}").format(kind=kind(value))
    msg = pydantic_message(err)
    scalar = isinstance(value, str | int | float | bool) or value is None
    known = repr(value) in msg or "got " in err["msg"]  # the value is named already
    if not scalar or known or error == "union_tag_invalid":
        return msg
    return _("{problem} (got {value})").format(problem=msg, value=repr(value))


def kind(value: Any) -> str:
    """A plain-language name of a YAML value's kind."""
    if value is None:
        return _("nothing")
    names: dict[type, str] = {dict: _("a mapping"), list: _("a list"), str: _("a text")}
    return names.get(type(value), type(value).__name__)
