"""What the plan checks read: a plan's parts, each with its path in the source.

:class:`PlanView` is built from a plan file by :mod:`agencyflow.domain.plan_loader` (paths that
become file positions) or from a spec built in code by
:func:`agencyflow.domain.plan_spec.check_spec` (paths that name the spec's fields);
:mod:`agencyflow.domain.plan_checks` and its companions check it. This module is below all of
them, so none imports another in a circle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from agencyflow.domain.plan_types import ReminderPolicySpec
from agencyflow.i18n import _

if TYPE_CHECKING:
    from agencyflow.domain.plan_parts import AgencySpec, GroupSpec, RegistrySpec, StepBase
    from agencyflow.domain.plan_targets import TargetBase

#: Where a value is: keys and list indexes from the document root.
Path = tuple[str | int, ...]
#: One problem: where, and what is wrong.
Issue = tuple[Path, str]
#: Prefix of a cooperating entry that names a group.
GROUP_REF = "group:"
#: A ghost meaning "the whole section could not be read": every name counts as known.
UNREADABLE = "*"


class _Anything(set[str]):
    """A set that contains every name (used when a whole section could not be read)."""

    def __contains__(self, item: object) -> bool:
        return True


@dataclass
class PlanView:
    """The parts of a plan the checks read, each with its path in the source."""

    leader: tuple[Path, str] | None = None
    coordinator: tuple[Path, str] | None = None
    period: tuple[Path, int, int] | None = None
    #: The plan period's first and last day, and whether it was written as dates.
    span: tuple[Path, date, date, bool] | None = None
    reference_date: date | None = None
    registry: tuple[Path, RegistrySpec] | None = None
    #: Target periods written as date ranges: (path, from, to).
    target_days: list[tuple[Path, date, date]] = field(default_factory=list)
    agencies: list[tuple[Path, AgencySpec]] = field(default_factory=list)
    groups: dict[str, tuple[Path, GroupSpec]] = field(default_factory=dict)
    steps: list[tuple[Path, StepBase]] = field(default_factory=list)
    policies: list[tuple[Path, ReminderPolicySpec]] = field(default_factory=list)
    targets: list[tuple[Path, TargetBase]] = field(default_factory=list)
    target_periods: list[tuple[Path, int, int, float, float | None]] = field(default_factory=list)
    rating: tuple[Path, list] | None = None
    #: Labelled clause ids (the ``clauses`` section), each with its path.
    clauses: list[tuple[Path, str]] = field(default_factory=list)
    #: False when the plan header could not be read: absent parts are then unknown, not missing.
    header_known: bool = True
    #: Ids of entries that failed validation ("agency", "step", "group"): known, not checked.
    ghosts: dict[str, set[str]] = field(default_factory=dict)
    #: ``known()`` answers, computed once per check run (national plans have 10,000+ agencies).
    _known: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)

    def known(self, kind: str) -> set[str]:
        """Declared agency codes, step ids or group names (including unreadable entries)."""
        if kind not in self._known:
            self._known[kind] = self._compute_known(kind)
        return self._known[kind]

    def _compute_known(self, kind: str) -> set[str]:
        if UNREADABLE in self.ghosts.get(kind, set()):
            return _Anything()
        if kind == "agency":
            valid = {a.code for _, a in self.agencies}
        elif kind == "step":
            valid = {s.id for _, s in self.steps}
        else:
            valid = set(self.groups)
        return valid | self.ghosts.get(kind, set())


def duplicates(items: Sequence[tuple[Path, str]], what: str) -> Iterator[Issue]:
    """An issue for every repeated value (the first occurrence is fine)."""
    seen: dict[str, Path] = {}
    for path, value in items:
        if value in seen:
            yield path, _("duplicate {what} {value} (first at {where})").format(
                what=what, value=repr(value), where=_short(seen[value]))
        else:
            seen[value] = path


def _short(path: Path) -> str:
    return dotted_path(path)


def dotted_path(path: tuple[str | int, ...]) -> str:
    """``("steps", 3, "deadline")`` → ``steps[3].deadline`` (list indexes count from 0)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"
