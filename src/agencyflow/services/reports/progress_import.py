"""``agencyflow import progress FILE.xlsx``: a filled-in progress sheet, applied row by row
through the assignment use cases — or not at all.

1. **Read** (:mod:`~agencyflow.services.reports.progress_read`): the file is checked, every cell
   read as its column says.
2. **Check** every row against the database without writing: the assignment is in the sheet's
   cycle and led by the sheet's agency, the actor may act on it (an officer imports only for
   their own agency), it still awaits work, it has not changed since the export (the version
   column), and its outputs are valid (all the required ones when "Hoàn thành" is có).
3. If anything is wrong, a ValidationError lists **every** problem as ``Sheet!C12: field:
   message`` and nothing is written.
4. **Apply**, in one transaction: each row is one use case of
   :mod:`agencyflow.services.assignments.moves` — ``complete`` (``submit`` for a reviewed step) when
   "Hoàn thành" is có, else ``progress`` with the note and the figures — with the same
   permissions, audit event and notices as the CLI: one audit event per row. Consecutive rows of
   the same use case go through its batched form (``progress_many`` …: the assignments loaded
   together, one version-checked UPDATE and one audit event each), which the single-row use
   case is a batch of one of. Should a use case still refuse, the whole import is rolled back.
   ``dry_run`` does everything and rolls back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.domain.lifecycle import ACTIVE
from agencyflow.domain.outputs import strip_derived, validate_outputs
from agencyflow.domain.permissions import Action, Actor, Role, allowed
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.plan_types import OutputSpec
from agencyflow.errors import AgencyflowError, ValidationError
from agencyflow.i18n import _, ngettext
from agencyflow.labels import label
from agencyflow.models import Assignment, Cycle
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.plans import store as plans
from agencyflow.services.reports import progress_read as reader
from agencyflow.services.reports.progress_sheet import DONE_COL, ID_COL, VERSION_COL
from agencyflow.services.sheets import values as sv


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    dry_run: bool
    completed: list[int] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)
    progressed: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def applied(self) -> int:
        """Rows applied, one use case (and one audit event) each."""
        return len(self.completed) + len(self.submitted) + len(self.progressed)


@dataclass
class _Plan:
    row: reader.SheetRow
    assignment: Assignment
    review: bool
    outputs: dict[str, Any]


def import_progress(session: Session, path: Path, *, actor: Actor, now: datetime,
                    calendar: WorkingCalendar, dry_run: bool = False,
                    lang: str = "vi") -> ImportResult:
    """Read, check and apply the progress sheet at ``path`` (see the module docstring)."""
    wb = reader.open_workbook(path)
    try:
        meta = reader.meta_of(path.name, wb)
    finally:
        wb.close()
    cycle = _cycle(session, meta, path.name)
    agency = meta.get("agency", "")
    if actor.role is Role.OFFICER and actor.agency_code != agency:
        raise ValidationError(
            _("{name}: this is the sheet of {agency}; user {username} is an officer of {value} "
              "and imports only for their own agency").format(
                name=path.name, agency=agency, username=actor.username,
                value=actor.agency_code or _("no agency")))
    spec = plans.spec_of(plans.by_id(session, cycle.plan_version_id))
    loaded: dict[int, Assignment | None] = _agency_rows(session, cycle, agency)

    def outputs_of(assignment_id: int) -> Sequence[OutputSpec] | None:
        if assignment_id not in loaded:
            loaded[assignment_id] = session.get(Assignment, assignment_id)
        a = loaded[assignment_id]
        if a is None or a.cycle_id != cycle.id:
            return None
        return spec.step(a.step_id).outputs

    sheet = reader.read(path, outputs_of)
    problems = list(sheet.problems)
    todo = [p for r in sheet.rows
            if (p := _check(r, loaded.get(r.assignment_id), cycle, agency, spec, actor,
                            problems)) is not None]
    result = ImportResult(dry_run, unchanged=len(sheet.rows) - len(todo))
    if problems:
        raise ValidationError(ngettext("{name}: {n} problem, nothing was imported:",
                                       "{name}: {n} problems, nothing was imported:",
                                       len(problems)).format(name=path.name, n=len(problems))
                              + "\n" + "\n".join(problems))
    for kind, run in groupby(todo, key=_kind):
        _apply(session, kind, list(run), actor=actor, now=now, calendar=calendar, lang=lang,
               result=result, name=path.name)
    if dry_run:
        session.rollback()
    return result


def _agency_rows(session: Session, cycle: Cycle, agency: str) -> dict[int, Assignment | None]:
    """The cycle's assignments led by ``agency`` (what its sheet lists), by id, in one query."""
    stmt = select(Assignment).where(col(Assignment.cycle_id) == cycle.id,
                                    col(Assignment.lead_code) == agency)
    return {a.id or 0: a for a in session.execute(stmt).scalars()}


def _cycle(session: Session, meta: dict[str, str], name: str) -> Cycle:
    try:
        cycle = session.get(Cycle, int(meta.get("cycle", "")))
    except ValueError:
        cycle = None
    if cycle is None or cycle.plan_key != meta.get("plan"):
        raise ValidationError(_("{name}: the sheet's cycle ({plan} #{cycle}) is not in this "
                                "database").format(
            name=name, plan=meta.get('plan'), cycle=meta.get('cycle')))
    return cycle


def _check(r: reader.SheetRow, a: Assignment | None, cycle: Cycle, agency: str, spec: PlanSpec,
           actor: Actor, problems: list[str]) -> _Plan | None:
    """The row's use case, or None (nothing to do, or a problem appended)."""
    at = r.ref(ID_COL)
    if a is None or a.cycle_id != cycle.id:
        problems.append(_("{at}: id: assignment {assignment_id} is not in the sheet's cycle")
                        .format(at=at, assignment_id=r.assignment_id))
        return None
    step = spec.step(a.step_id)
    given = _given(r, step.outputs, problems)
    if not (r.complete or r.note or given):
        return None
    action = (Action.SUBMIT if step.review else Action.COMPLETE) if r.complete \
        else Action.PROGRESS
    if a.lead_code != agency:
        problems.append(_("{at}: id: assignment {id} is led by {lead_code}, not {agency}").format(
            at=at, id=a.id, lead_code=a.lead_code, agency=agency))
        return None
    if not allowed(actor, action, lead=a.lead_code, cooperating=a.cooperating):
        problems.append(_("{at}: id: user {username} ({role}) may not {action} (assignment "
                          "{id}, led by {lead_code})").format(
            at=at, username=actor.username, role=label("role", actor.role.value),
            action=label("action", action.value), id=a.id, lead_code=a.lead_code))
        return None
    if a.status not in {s.value for s in ACTIVE}:
        problems.append(_("{at}: id: assignment {id} is {status}: only open or in-progress "
                          "assignments take progress").format(
            at=at, id=a.id, status=label("state", a.status)))
        return None
    if r.version is not None and r.version != a.version:
        problems.append(_("{where}: version: assignment {id} changed since the sheet was "
                          "exported (version {version}, now {now}): export a new sheet").format(
            where=r.ref(VERSION_COL), id=a.id, version=r.version, now=a.version))
        return None
    merged = strip_derived(step.outputs, a.outputs or {}) | given
    try:
        validate_outputs(step.outputs, merged, stars_for=spec.stars_for,
                         partial=not r.complete)
    except ValidationError as exc:
        for line in str(exc).splitlines()[1:]:
            problems.append(f"{r.ref(DONE_COL)}: {line.strip().replace('output ', 'outputs.', 1)}")
        return None
    return _Plan(r, a, step.review, given)


def _given(r: reader.SheetRow, specs: Sequence[OutputSpec], problems: list[str]
           ) -> dict[str, Any]:
    """The row's outputs, each cell converted (problems appended per cell)."""
    by_name = {s.name: s for s in specs}
    out: dict[str, Any] = {}
    for name, (ref, value) in r.raw.items():
        try:
            out[name] = reader.convert(by_name[name], value, ref)
        except sv.BadValue as exc:
            problems.append(f"{ref}: outputs.{name}: {exc}")
    for name, items in r.items.items():
        spec = by_name[name]
        converted = []
        for index, (_row, item) in enumerate(items, start=1):
            values: dict[str, Any] = {}
            for field_name, (ref, value) in item.items():
                fspec = spec.field(field_name)
                where = f"outputs.{name}[{index}].{field_name}"
                if fspec is None:
                    problems.append(_("{ref}: {where}: {name} items have no field {field}")
                                    .format(ref=ref, where=where, name=name,
                                            field=repr(field_name)))
                    continue
                try:
                    values[field_name] = reader.convert(fspec, value, ref)
                except sv.BadValue as exc:
                    problems.append(f"{ref}: {where}: {exc}")
            converted.append(values)
        out[name] = converted
    return out


def _kind(plan: _Plan) -> Action:
    """The use case of a row."""
    if plan.row.complete:
        return Action.SUBMIT if plan.review else Action.COMPLETE
    return Action.PROGRESS


def _apply(session: Session, kind: Action, run: list[_Plan], *, actor: Actor, now: datetime,
           calendar: WorkingCalendar, lang: str, result: ImportResult, name: str) -> None:
    """Apply consecutive rows of one use case through its batched form."""
    reports = [assignments.Report(p.assignment.id or 0, p.row.note, p.outputs or None,
                                  expected_version=p.row.version) for p in run]
    try:
        if kind is Action.SUBMIT:
            assignments.submit_many(session, reports, actor=actor, now=now, calendar=calendar)
        elif kind is Action.COMPLETE:
            assignments.complete_many(session, reports, actor=actor, now=now,
                                      calendar=calendar, lang=lang)
        else:
            assignments.progress_many(session, reports, actor=actor, now=now)
    except AgencyflowError as exc:
        session.rollback()
        raise ValidationError(_("{name}: {where}{problem} — nothing was imported").format(
            name=name, where=_where(run, exc), problem=exc)) from None
    ids = [r.assignment_id for r in reports]
    {Action.SUBMIT: result.submitted, Action.COMPLETE: result.completed,
     Action.PROGRESS: result.progressed}[kind].extend(ids)


def _where(run: list[_Plan], exc: AgencyflowError) -> str:
    """``Tiến độ!A7: `` for the row whose assignment the refusal names ('' if none)."""
    named = re.search(r"\bassignment (\d+)\b", str(exc))
    row = next((p.row for p in run if named and p.assignment.id == int(named.group(1))), None)
    return f"{row.ref(ID_COL)}: " if row else ""
