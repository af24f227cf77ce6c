"""Load a plan file (YAML, format 1) into a :class:`PlanSpec`, strictly and with positions.

Every problem is reported at once as a :class:`~agencyflow.errors.PlanError`: YAML syntax, duplicate
keys, wrong types and unknown fields (pydantic, mapped back to the line and column of the node),
then cross references and the step graph (:mod:`agencyflow.domain.plan_checks`). Sections and
list entries are validated one by one so that a bad step does not hide a bad target.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path as FsPath
from typing import Any, NamedTuple, TypeVar

import pydantic

from agencyflow.domain.files import FileRefused, read_bounded
from agencyflow.domain.plan_checks import check_view
from agencyflow.domain.plan_file import (
    DefaultsFile,
    PeriodFile,
    PlanHeaderFile,
    StepFile,
    TargetFile,
    check_format,
)
from agencyflow.domain.plan_messages import data_path, kind
from agencyflow.domain.plan_messages import message as error_message
from agencyflow.domain.plan_resolve import resolve_step, resolve_target
from agencyflow.domain.plan_spec import (
    AgencySpec,
    ClauseSpec,
    GroupSpec,
    PlanSpec,
    dotted_path,
)
from agencyflow.domain.plan_view import UNREADABLE, Path, PlanView
from agencyflow.domain.plan_yaml import Located, read_yaml
from agencyflow.errors import PlanError, Problem
from agencyflow.i18n import _

M = TypeVar("M", bound=pydantic.BaseModel)
#: Top-level sections and whether each is required.
SECTIONS = {"format": True, "plan": True, "agencies": True, "groups": False, "steps": True,
            "targets": False, "clauses": False, "defaults": False}  # fmt: skip
_SINGULAR = {"agencies": "agency", "steps": "step", "targets": "target"}
_GROUP_NAME = re.compile(r"^[a-z0-9-]+$")
_CLAUSE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


class _Sections(NamedTuple):
    """The readable parts of a plan file (entries that failed validation are left out)."""

    header: PlanHeaderFile | None
    agencies: list[tuple[Path, AgencySpec]]
    groups: dict[str, tuple[Path, GroupSpec]]
    steps: list[tuple[Path, StepFile]]
    targets: list[tuple[Path, TargetFile]]
    defaults: DefaultsFile
    clauses: dict[str, tuple[Path, ClauseSpec]]


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan with the text it came from and that text's hash."""

    spec: PlanSpec
    content_hash: str  # sha256 hex of the UTF-8 text with line endings normalised to LF
    source: str
    text: str


def content_hash(text: str) -> str:
    """sha256 (hex) of ``text`` encoded as UTF-8 with CRLF/CR normalised to LF."""
    return hashlib.sha256(_normalise(text).encode("utf-8")).hexdigest()


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: The largest plan file read by default (``AGENCYFLOW_PLAN_MAX_BYTES``): five times the
#: synthetic national plan of 10,000 communes (0.8 MB).
PLAN_MAX_BYTES = 4 * 1024 * 1024


def load_plan_file(path: str | FsPath, *, max_bytes: int = PLAN_MAX_BYTES) -> LoadedPlan:
    """Read and load the plan file at ``path`` (UTF-8, a BOM is allowed).

    Only a regular file of at most ``max_bytes`` is read: a device, a FIFO or a directory is
    refused without reading from it, and the size is checked before reading (and while reading,
    for a file that grows meanwhile).
    """
    source = str(path)
    data = _read_bounded(source, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = _('not UTF-8 text (byte {start})').format(start=exc.start)
        raise PlanError([Problem(source, 1, 1, "<file>", message)]) from None
    return load_plan_text(text, source)


def _read_bounded(source: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``source``; PlanError for anything else or too much."""
    try:
        return read_bounded(source, max_bytes)
    except FileRefused as exc:
        message = too_large(max_bytes, exc.size) if exc.too_large else str(exc)
        if not exc.regular:
            message = _("{problem}: give the plan file itself").format(problem=message)
        raise PlanError([Problem(source, 1, 1, "<file>", message)]) from None


def too_large(max_bytes: int, size: int | None = None) -> str:
    """Why a plan (of ``size`` bytes, when known) is refused."""
    if size is None:
        return _("the plan file is larger than the limit of {max} bytes; the limit is the "
                 "setting AGENCYFLOW_PLAN_MAX_BYTES").format(max=max_bytes)
    return _("the plan file is larger than the limit of {max} bytes (it has {size} bytes); the "
             "limit is the setting AGENCYFLOW_PLAN_MAX_BYTES").format(max=max_bytes, size=size)


def load_plan_text(text: str, source: str = "<plan>", *, max_bytes: int | None = None
                   ) -> LoadedPlan:
    """Load a plan from its YAML ``text``; ``source`` names it in problems.

    ``max_bytes`` bounds a text that comes from a user (an upload); stored and bundled plans are
    read without it (they were bounded when they came in).
    """
    if max_bytes is not None and len(text) > max_bytes // 4 and (
            size := len(text.encode("utf-8"))) > max_bytes:
        raise PlanError([Problem(source, 1, 1, "<file>", too_large(max_bytes, size))])
    text = _normalise(text)
    located = read_yaml(text, source)
    reader = _Reader(source, located)
    spec = reader.read()
    return LoadedPlan(spec=spec, content_hash=content_hash(text), source=source, text=text)


@dataclass
class _Reader:
    """Validates one located document section by section and collects problems."""

    source: str
    located: Located
    problems: list[Problem] = field(default_factory=list)
    ghosts: dict[str, set[str]] = field(default_factory=dict)

    def add(self, path: Path, message: str, at: tuple[int, int] | None = None) -> None:
        """Record a problem about ``path`` (written at ``at``, by default where ``path`` is)."""
        line, col = at or self.located.position(path)
        self.problems.append(Problem(self.source, line, col, dotted_path(path), message))

    def read(self) -> PlanSpec:
        """The spec, or raise :class:`PlanError` with every problem found."""
        for path, at, message in self.located.problems:
            self.add(path, message, at)
        data = self.located.data
        if not isinstance(data, dict):
            self.add((), _("a plan file must be a mapping of sections, not {data}").format(
                data=kind(data)))
            raise PlanError(self._distinct())
        parts = self._sections(data)
        view = _view(parts)
        view.ghosts = self.ghosts
        for path, message in check_view(view):
            self.add(path, message)
        if self.problems or parts.header is None:
            raise PlanError(self._distinct())
        return self._build(parts.header, parts)

    def _distinct(self) -> list[Problem]:
        """Problems, keeping only the first one reported at the same node and field."""
        seen: dict[tuple[int, int, str], Problem] = {}
        for p in self.problems:
            seen.setdefault((p.line, p.column, p.field), p)
        return list(seen.values())

    def _sections(self, data: dict[str, Any]) -> _Sections:
        for name in data:
            if name not in SECTIONS:
                self.add((name,), _("unknown section (expected one of: {value})").format(
                    value=', '.join(SECTIONS)))
        for name, required in SECTIONS.items():
            if required and name not in data:
                self.add((name,), _('required section is missing'))
        if "format" in data and (why := check_format(data["format"])):
            self.add(("format",), why)
        header = self.model(PlanHeaderFile, data.get("plan"), ("plan",)) if "plan" in data else None
        agencies = self._items(AgencySpec, data.get("agencies", []), "agencies", "code")
        groups = self._groups(data.get("groups", {}))
        steps = self._items(StepFile, data.get("steps", []), "steps", "id")
        targets = self._items(TargetFile, data.get("targets", []), "targets", "id")
        defaults = self.model(DefaultsFile, data.get("defaults", {}), ("defaults",))
        clauses = self._clauses(data.get("clauses", {}))
        return _Sections(header, agencies, groups, steps, targets, defaults or DefaultsFile(),
                         clauses)

    def model(self, model: type[M], value: Any, path: Path) -> M | None:
        """``value`` validated as ``model``, or None after recording its problems."""
        try:
            return model.model_validate(value)
        except pydantic.ValidationError as exc:
            for err in exc.errors():
                self.add(data_path(value, path, err["loc"]), error_message(err))
            return None

    def _items(self, model: type[M], value: Any, section: str, key: str) -> list[tuple[Path, M]]:
        """Valid entries of a list section; ids of invalid ones become ghosts (known)."""
        if not isinstance(value, list):
            self.add((section,), _('expected a list, got {value}').format(value=kind(value)))
            self.ghosts.setdefault(_SINGULAR[section], set()).add(UNREADABLE)
            return []
        valid: list[tuple[Path, M]] = []
        for i, item in enumerate(value):
            if (entry := self.model(model, item, (section, i))) is not None:
                valid.append(((section, i), entry))
            elif isinstance(item, dict) and isinstance(item.get(key), str):
                self.ghosts.setdefault(_SINGULAR[section], set()).add(item[key])
        return valid

    def _groups(self, value: Any) -> dict[str, tuple[Path, GroupSpec]]:
        if not isinstance(value, dict):
            self.add(("groups",), _("expected a mapping of group names, got {value}").format(
                value=kind(value)))
            self.ghosts.setdefault("group", set()).add(UNREADABLE)
            return {}
        groups: dict[str, tuple[Path, GroupSpec]] = {}
        for name, raw in value.items():
            path = ("groups", name)
            if not _GROUP_NAME.match(name):
                self.add(path, _('a group name uses only a-z, 0-9 and -'))
            elif (group := self.model(GroupSpec, raw, path)) is not None:
                groups[name] = (path, group)
            else:
                self.ghosts.setdefault("group", set()).add(name)
        return groups

    def _clauses(self, value: Any) -> dict[str, tuple[Path, ClauseSpec]]:
        if not isinstance(value, dict):
            self.add(("clauses",), _("expected a mapping of clause ids, got {value}").format(
                value=kind(value)))
            return {}
        clauses: dict[str, tuple[Path, ClauseSpec]] = {}
        for clause, raw in value.items():
            path = ("clauses", clause)
            if not isinstance(clause, str) or not _CLAUSE_ID.match(clause):
                self.add(path, _('a clause id uses only A-Z, a-z, 0-9, _, . and -'))
            elif (spec := self.model(ClauseSpec, raw, path)) is not None:
                clauses[clause] = (path, spec)
        return clauses

    def _build(self, header: PlanHeaderFile, parts: _Sections) -> PlanSpec:
        """The resolved spec of a file without problems."""
        gmap = {name: g for name, (_, g) in parts.groups.items()}
        defaults = parts.defaults
        try:
            return PlanSpec(
                key=header.key, title=header.title, authority=header.authority,
                document=header.document, period_from=header.period.years()[0],
                period_to=header.period.years()[1], period_start=header.period.from_,
                period_end=header.period.to, reference_date=header.reference_date,
                registry=header.registry, leader=header.leader,
                coordinator=header.coordinator, late_against=header.late_against,
                review_default=header.review_default, schedule_note=header.schedule_note,
                rating=header.rating.bands if header.rating else [],
                clauses={c: spec for c, (_, spec) in parts.clauses.items()},
                agencies=[a for _, a in parts.agencies], groups=gmap,
                steps=[resolve_step(s, header, defaults, gmap) for _, s in parts.steps],
                targets=[resolve_target(t, header) for _, t in parts.targets],
                reminders=defaults.reminders, office_hours=defaults.office_hours,
            )  # fmt: skip
        except pydantic.ValidationError as exc:  # a check missed something: still no traceback
            raise PlanError([Problem(self.source, 1, 1, "<root>", str(exc))]) from None


def _view(parts: _Sections) -> PlanView:
    """What the checks read, with file paths."""
    header, steps, defaults = parts.header, parts.steps, parts.defaults
    view = PlanView(agencies=parts.agencies, groups=parts.groups, steps=list(steps))
    view.targets = list(parts.targets)
    view.header_known = header is not None
    if header is not None:
        view.leader = (("plan", "leader"), header.leader)
        view.coordinator = (("plan", "coordinator"), header.coordinator)
        span, (first, last) = header.period, header.period.years()
        explicit = span.from_ is not None
        view.period = (("plan", "period", "to" if explicit else "to_year"), first, last)
        view.span = (("plan", "period"), *_span_days(span), explicit)
        view.reference_date = header.reference_date
        if header.registry is not None:
            view.registry = (("plan", "registry"), header.registry)
        if header.rating:
            view.rating = (("plan", "rating", "bands"), header.rating.bands)
    view.clauses = [(path, clause) for clause, (path, _) in parts.clauses.items()]
    view.policies = [(("defaults", "reminders"), defaults.reminders)]
    view.policies += [((*p, "reminders"), s.reminders) for p, s in steps if s.reminders]
    for path, target in parts.targets:
        for j, period in enumerate(target.periods):
            first, last = period.years()
            where = (*path, "periods", j)
            view.target_periods.append((where, first, last, period.min, period.stretch))
            if period.from_ is not None and period.to is not None:
                view.target_days.append((where, period.from_, period.to))
    return view


def _span_days(period: PeriodFile) -> tuple[date, date]:
    """First and last day of a plan period as written."""
    if period.from_ is not None and period.to is not None:
        return period.from_, period.to
    first, last = period.years()
    return date(first, 1, 1), date(last, 12, 31)
