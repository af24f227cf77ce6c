"""Pydantic's validation errors in the current language: pydantic words them in English, so
an error is told from its ``type`` and ``ctx`` (the stable part of it), not from its ``msg``.

Used for plan files (:mod:`agencyflow.domain.plan_messages`) and for the settings
(:func:`agencyflow.config.get_settings`). An error type not in :data:`WORDS` keeps pydantic's
message; a ``value_error`` is one of our validators' messages, already translated when raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agencyflow.i18n import N_, _

#: Error type → message, its placeholders filled from the error's ``ctx``.
WORDS: dict[str, str] = {
    "missing": N_("required field is missing"),
    "extra_forbidden": N_("unknown field"),
    "int_parsing": N_("expected a whole number"),
    "int_type": N_("expected a whole number"),
    "int_from_float": N_("expected a whole number, without a fractional part"),
    "float_parsing": N_("expected a number"),
    "float_type": N_("expected a number"),
    "bool_parsing": N_("expected true or false"),
    "bool_type": N_("expected true or false"),
    "string_type": N_("expected a text"),
    "list_type": N_("expected a list"),
    "dict_type": N_("expected a mapping"),
    "date_parsing": N_("expected a date written YYYY-MM-DD"),
    "date_from_datetime_parsing": N_("expected a date written YYYY-MM-DD"),
    "date_type": N_("expected a date written YYYY-MM-DD"),
    "time_parsing": N_("expected a time written HH:MM"),
    "time_type": N_("expected a time written HH:MM"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "string_too_short": N_("must have at least {min_length} characters"),
    "string_too_long": N_("must have at most {max_length} characters"),
    "too_short": N_("must have at least {min_length} items"),
    "too_long": N_("must have at most {max_length} items"),
    "literal_error": N_("must be {expected}"),
    "enum": N_("must be {expected}"),
    "union_tag_invalid": N_("{discriminator} '{tag}' is not one of {expected_tags}"),
    "union_tag_not_found": N_("{discriminator} is missing"),
    "string_pattern_mismatch": N_("does not have the expected form ({pattern})"),
    "url_parsing": N_("is not a URL"),
    "url_scheme": N_("the URL must start with {expected_schemes}"),
}


def pydantic_message(err: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a short message."""
    template = WORDS.get(err.get("type", ""))
    if template is not None:
        try:
            return _(template).format(**{k: _shown(v) for k, v in (err.get("ctx") or {}).items()})
        except (KeyError, IndexError):  # a context pydantic did not give: its own words
            pass
    return str(err.get("msg", "")).removeprefix("Value error, ")


def _shown(value: Any) -> str:
    """A context value as typed: ``'after_step'`` keeps its quotes, numbers do not."""
    return value if isinstance(value, str) else repr(value) if not isinstance(
        value, int | float) else f"{value:g}"
