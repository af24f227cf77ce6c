"""Starting a yearly cycle: the plan's steps become assignments with computed due dates.

One transaction: the cycle row, every assignment (bulk insert), and one audit event that records
how many assignments were created and a digest of them, so an inspector can prove what the cycle
started with. Starting the same plan and year again raises :class:`CycleExists` and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import check_in_calendar
from agencyflow.domain.deadlines import DayCounter, due_date, periods
from agencyflow.domain.lifecycle import Status
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.errors import CycleExists, ValidationError
from agencyflow.formats import ddmmyyyy_hhmm
from agencyflow.i18n import _
from agencyflow.models import Assignment, Cycle, PlanVersion
from agencyflow.models.types import dumps
from agencyflow.services.assignments import dependents
from agencyflow.services.audit import trail as audit
from agencyflow.services.bulk import insert_rows
from agencyflow.services.plans import store as plans
from agencyflow.services.plans.cycle_queries import find, list_cycles

__all__ = ["COLUMNS", "CycleStarted", "find", "list_cycles", "start", "start_plan"]

COLUMNS = (
    "cycle_id", "plan_key", "year", "step_id", "period", "member", "lead_code", "cooperating",
    "clauses", "title_vi", "title_en", "review", "due_original", "due_current", "opened_on",
    "status", "version", "next_notice_on",
)


@dataclass(frozen=True)
class CycleStarted:
    """What ``start`` created: the cycle and the number of assignments per state."""

    cycle: Cycle
    assignments: int
    open: int
    waiting: int


def _rows(spec: PlanSpec, step: StepSpec, cycle_id: int, year: int, start: date,
          calendar: DayCounter) -> Iterator[tuple[object, ...]]:
    leads = spec.members(step.fan_out) if step.fan_out else [step.lead]
    waits = bool(step.depends_on)
    status = Status.WAITING if waits else Status.OPEN
    common = (dumps(step.clauses), step.title.vi, step.title.en, step.review)
    end = spec.period_end  # an explicit period: its cycle's end; None: the calendar year
    for period in periods(step.recurrence.value, year, start, end):
        due = due_date(step.deadline, period, calendar)
        if end is not None and due is not None and not start <= due <= end:
            raise ValidationError(_(
                "step {step} would be due on {due}, outside the cycle {start}..{end}: "
                "nothing was created").format(step=step.id, due=due, start=start, end=end))
        opened = None if waits else max(period.start, start)
        for lead in leads:
            cooperating = dumps([c for c in step.cooperating if c != lead])
            yield (cycle_id, spec.key, year, step.id, period.label,
                   lead if step.fan_out else "", lead, cooperating, *common,
                   due, due, opened, status.value, 1, opened)


def _once_steps_done_before(session: Session, plan_key: str) -> set[str]:
    stmt = (select(col(Assignment.step_id))
            .join(Cycle, col(Cycle.id) == col(Assignment.cycle_id))
            .where(col(Cycle.plan_key) == plan_key))
    return set(session.execute(stmt.distinct()).scalars())


def start(
    session: Session,
    *,
    version: PlanVersion,
    year: int,
    now: datetime,
    actor: Actor,
    calendar: DayCounter,
    start_date: date | None = None,
) -> CycleStarted:
    """Create the cycle of ``year`` for the plan ``version`` and all its assignments."""
    spec = plans.spec_of(version)
    require(actor, Action.CYCLE_START, target=_("plan {key}").format(key=spec.key))
    span = spec.cycle_span(year)
    if span is None:
        raise ValidationError(_no_cycle(spec, year))
    existing = find(session, spec.key, year, missing_ok=True)
    if existing is not None:
        raise CycleExists(_(
            "cycle {year} of plan {key} was already started on {time} from version {version} "
            "({count} assignments): nothing was created").format(
                year=year, key=spec.key, time=ddmmyyyy_hhmm(existing.started_at, utc=True),
                version=existing.plan_version, count=existing.assignment_count))
    start_day = check_in_calendar(start_date or span[0], _("the cycle start"))
    if spec.period_start is None and start_day.year != year:
        raise ValidationError(_("cycle start {day} is not in {year}").format(
            day=f"{start_day:%d/%m/%Y}", year=year))
    if not span[0] <= start_day <= span[1]:
        raise ValidationError(_("cycle start {day} is outside the plan period {start}..{end}"
                                ).format(day=start_day, start=span[0], end=span[1]))
    cycle = Cycle(plan_version_id=version.id or 0, plan_key=spec.key, plan_version=version.version,
                  plan_hash=version.content_hash, year=year, start_date=start_day,
                  end_date=span[1], started_at=now, started_by=actor.username,
                  late_against=spec.late_against.value)
    session.add(cycle)
    session.flush()
    skip = _once_steps_done_before(session, spec.key)
    digest = hashlib.sha256()
    counts = {Status.OPEN.value: 0, Status.WAITING.value: 0}

    def rows() -> Iterator[tuple[object, ...]]:
        for step in spec.steps_in_dependency_order():
            if step.recurrence.value == "once" and step.id in skip:
                continue
            for row in _rows(spec, step, cycle.id or 0, year, start_day, calendar):
                digest.update(dumps([str(v) for v in row[3:7] + row[12:14]]).encode())
                counts[row[15]] += 1  # type: ignore[index]
                yield row

    total = insert_rows(session.connection(), "assignment", COLUMNS, rows())
    cycle.assignment_count = total
    session.add(cycle)
    audit.record(session, now=now, actor=actor, action="cycle.start", target_type="cycle",
                 target_id=cycle.id or 0,
                 after={"plan": spec.key, "version": version.version, "hash": version.content_hash,
                        "year": year, "start": start_day, "assignments": total,
                        "assignments_sha256": digest.hexdigest()})
    opened = len(dependents.open_ready(session, cycle, actor=actor, now=now, calendar=calendar))
    return CycleStarted(cycle, total, counts["open"] + opened, counts["waiting"] - opened)


def _no_cycle(spec: PlanSpec, year: int) -> str:
    """Why ``spec`` has no cycle for ``year``."""
    if spec.period_start is not None:
        return _("plan {plan} runs once, {start}..{end}: its cycle is {first}, not {year}"
                 ).format(plan=spec.key, start=spec.period_start, end=spec.period_end,
                          first=spec.period_start.year, year=year)
    return f"plan {spec.key} covers {spec.period_from}–{spec.period_to}: no cycle for {year}"


def start_plan(session: Session, *, plan: str, year: int | None, now: datetime, actor: Actor,
               calendar: DayCounter, start_date: date | None = None, files: bool = True
               ) -> tuple[PlanVersion, CycleStarted]:
    """Start the cycle of ``year`` of ``plan`` (a stored key, a bundled plan or — unless
    ``files`` is False, as for the web and the API — a plan file, loaded first when it is new,
    from the newest stored version otherwise); the right to start a cycle is checked before
    anything. ``year`` may be None for a plan with an explicit period (its one cycle)."""
    version = plans.ensure_loaded(session, plan, now=now, actor=actor,
                                  purpose=Action.CYCLE_START, files=files)
    if year is None:
        spec = plans.spec_of(version)
        if spec.period_start is None:
            raise ValidationError(_("give --year: plan {plan} has one cycle a year "
                                    "({first}–{last})").format(
                plan=spec.key, first=spec.period_from, last=spec.period_to))
        year = spec.period_start.year
    return version, start(session, version=version, year=year, now=now, actor=actor,
                          calendar=calendar, start_date=start_date)
