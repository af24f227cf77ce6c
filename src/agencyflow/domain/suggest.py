"""The nearest valid names to a name nobody knows, for error messages ("did you mean …").

One rule for every filter and reference a person types (an agency, a commune, a plan, a status):
an exact match, else a match ignoring case, else an error that lists the closest valid names
(:mod:`difflib`, case-insensitive) or, when nothing is close, the first few valid names.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from agencyflow.errors import ValidationError
from agencyflow.i18n import _

#: How many names an error suggests.
SUGGESTIONS = 3

#: How alike (difflib's ratio, 0–1) a name must be to be suggested.
CUTOFF = 0.5


def nearest(value: str, valid: Iterable[str], n: int = SUGGESTIONS) -> list[str]:
    """Up to ``n`` names of ``valid`` closest to ``value`` (ignoring case), best first, equally
    close ones in name order."""
    matcher = difflib.SequenceMatcher(b=value.casefold())
    scored = []
    for name in set(valid):
        matcher.set_seq1(name.casefold())
        if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
            ratio = matcher.ratio()
            if ratio >= CUTOFF:
                scored.append((-ratio, name))
    return [name for _score, name in sorted(scored)[:n]]


def match(value: str, valid: Iterable[str]) -> str | None:
    """``value`` itself if it is valid, else the one valid name equal to it ignoring case."""
    names = set(valid)
    if value in names:
        return value
    folded = [name for name in names if name.casefold() == value.casefold()]
    return folded[0] if len(folded) == 1 else None


def hint(value: str, valid: Iterable[str]) -> str:
    """What follows "unknown X 'value'": the nearest names, or some valid ones, or none."""
    names = sorted(set(valid))
    close = nearest(value, names)
    if close:
        return _("did you mean {names}?").format(names=", ".join(close))
    if not names:
        return _("there is none")
    shown = ", ".join(names[:8])
    if len(names) > 8:
        shown = _("{names} … ({n} in all)").format(names=shown, n=len(names))
    return _("valid: {names}").format(names=shown)


def status_in(value: str, valid: Sequence[str]) -> str:
    """``value`` as one of the few fixed status words ``valid`` (case ignored), or
    ValidationError naming the nearest and listing them all."""
    found = match(value, valid)
    if found is None:
        raise ValidationError(_("unknown status '{value}': {hint} (one of: {values})").format(
            value=value, hint=hint(value, valid), values=", ".join(valid)))
    return found
