"""Opening the assignments that wait for a step once their prerequisites are finished.

Called in the transaction that finishes an assignment (done, or cancelled). For every step that
depends on the finished one, each *waiting* assignment is checked against all its prerequisite
steps. The prerequisite assignments of a waiting assignment ``w`` are, per prerequisite step P:

- the same cycle's assignments of P; when P is ``once`` and was created in an earlier cycle of
  the same plan (so it is not in this cycle), that earlier cycle's assignments;
- when both P and ``w``'s step fan out: only the same member (commune); if P has no assignment for
  that member (different groups), all of P's;
- when both recur the same way (quarterly, monthly): only the same period.

A prerequisite step is finished when each of those assignments is done or cancelled and at least
one is done (if all were cancelled the work never happened: the dependents keep waiting for the
coordinator). A step's ``needs`` may ask for less: ``any`` (one of them done) or a number N (at
least N done — all of them when there are fewer). Then ``w`` opens: ``opened_on`` =
``next_notice_on`` = today (Vietnam; the cycle start if that is later), and for an ``after_step``
deadline its original and current due date become ``N`` working days after the latest completion
of that step (or after the cycle start, for a ``once`` step finished in an earlier cycle).
:func:`open_ready` does the same when a cycle starts, for the waiting assignments whose ``once``
prerequisites were finished in an earlier cycle.

Each opening is an audit event ``assignment.open`` whose actor is **the user whose act finished
the prerequisites** (or started the cycle): accountable, with a reason naming the assignment that
was finished, rather than an anonymous "system".

Waiting dependents are locked (``SELECT … FOR UPDATE``) before their prerequisites are read, so
two prerequisites finished at the same moment in two transactions cannot both miss the other
(the second waits for the first, then sees its completion). SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import Session, col

from agencyflow.domain.calendar import local_date
from agencyflow.domain.deadlines import DayCounter, due_after_dependency
from agencyflow.domain.lifecycle import Move, Status
from agencyflow.domain.permissions import Actor
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.models import Assignment, Cycle
from agencyflow.services.assignments import core

A = Assignment
_SAME_PERIOD = ("quarterly", "monthly")
_FINISHED = (Status.DONE.value, Status.CANCELLED.value)


def open_dependents(session: Session, finished: Assignment, *, actor: Actor, now: datetime,
                    calendar: DayCounter) -> list[int]:
    """Open what waited for ``finished`` and is now ready; return the opened assignment ids."""
    cycle = core.cycle_of(session, finished)
    spec = core.spec_for(session, cycle)
    step = spec.step(finished.step_id)
    specs: dict[int, PlanSpec] = {cycle.id or 0: spec}
    opened: list[int] = []
    for dependent in spec.dependents(step.id):
        for waiting in _waiting(session, finished, step, dependent, spec):
            w_spec = specs.get(waiting.cycle_id) or _spec_of_cycle(session, waiting, specs)
            ready, anchor = _ready(session, waiting, w_spec)
            if ready:
                _open(session, waiting, w_spec.step(waiting.step_id), anchor, actor=actor,
                      now=now, calendar=calendar, cause=finished)
                opened.append(waiting.id or 0)
    return opened


def open_ready(session: Session, cycle: Cycle, *, actor: Actor, now: datetime,
               calendar: DayCounter) -> list[int]:
    """At cycle start: open the waiting assignments whose prerequisites are ``once`` steps
    finished in an earlier cycle (they are not repeated in this one); return their ids."""
    spec = core.spec_for(session, cycle)
    present = set(session.execute(
        select(col(A.step_id)).where(col(A.cycle_id) == cycle.id).distinct()).scalars())
    steps = [s.id for s in spec.steps if any(p not in present for p in s.depends_on)]
    if not steps:
        return []
    stmt = (select(A).where(col(A.cycle_id) == cycle.id, col(A.step_id).in_(steps),
                            col(A.status) == Status.WAITING.value)
            .order_by(col(A.id)).with_for_update())
    opened: list[int] = []
    for waiting in session.execute(stmt).scalars().all():
        ready, anchor = _ready(session, waiting, spec)
        if ready:
            _open(session, waiting, spec.step(waiting.step_id), anchor, actor=actor, now=now,
                  calendar=calendar, cause=None)
            opened.append(waiting.id or 0)
    return opened


def open_any_ready(session: Session, cycle: Cycle, *, actor: Actor, now: datetime,
                   calendar: DayCounter, why: str) -> list[int]:
    """After the cycle's plan changed (``cycle migrate``): open every waiting assignment whose
    prerequisites are finished under the plan the cycle now runs; return their ids."""
    spec = core.spec_for(session, cycle)
    stmt = (select(A).where(col(A.cycle_id) == cycle.id, col(A.status) == Status.WAITING.value)
            .order_by(col(A.id)).with_for_update())
    opened: list[int] = []
    for waiting in session.execute(stmt).scalars().all():
        ready, anchor = _ready(session, waiting, spec)
        if ready:
            _open(session, waiting, spec.step(waiting.step_id), anchor, actor=actor, now=now,
                  calendar=calendar, cause=None, why=why)
            opened.append(waiting.id or 0)
    return opened


def _spec_of_cycle(session: Session, a: Assignment, cache: dict[int, PlanSpec]) -> PlanSpec:
    cache[a.cycle_id] = core.spec_for(session, core.cycle_of(session, a))
    return cache[a.cycle_id]


def _waiting(session: Session, finished: Assignment, step: StepSpec, dependent: str,
             spec: PlanSpec) -> Sequence[Assignment]:
    """The waiting assignments of ``dependent`` that ``finished`` may unblock, locked."""
    where: list[ColumnElement[bool]] = [col(A.step_id) == dependent,
                                        col(A.status) == Status.WAITING.value]
    if step.recurrence.value == "once":
        where.append(col(A.plan_key) == finished.plan_key)
    else:
        where.append(col(A.cycle_id) == finished.cycle_id)
    if step.fan_out and spec.step(dependent).fan_out:
        where.append(col(A.member).in_([finished.member, *_other_members(spec, step, dependent)]))
    stmt = (select(A).where(*where).order_by(col(A.id)).with_for_update()
            .execution_options(populate_existing=True))
    return session.execute(stmt).scalars().all()


def _other_members(spec: PlanSpec, step: StepSpec, dependent: str) -> list[str]:
    """Members of the dependent's group that the prerequisite's group lacks (they wait for all)."""
    mine = set(spec.members(step.fan_out or ""))
    return [m for m in spec.members(spec.step(dependent).fan_out or "") if m not in mine]


def _ready(session: Session, w: Assignment, spec: PlanSpec) -> tuple[bool, date | None]:
    """(every prerequisite finished?, latest completion of the step the deadline counts from)."""
    step = spec.step(w.step_id)
    anchor_step = getattr(step.deadline, "step", None)
    anchor: date | None = None
    for prereq in step.depends_on:
        rows = _prerequisite_rows(session, w, step, spec.step(prereq))
        done = [r.completed_on for r in rows if r.status == Status.DONE.value]
        if not _enough(step.need(prereq), rows, len(done)):
            return False, None
        if prereq == anchor_step:
            anchor = max((d for d in done if d is not None), default=None)
    return True, anchor


def _enough(need: str | int, rows: Sequence[Any], done: int) -> bool:
    """Whether ``done`` of the prerequisite ``rows`` meet ``need``: all (each finished, one
    done), any (one done) or N (N done, or all of them if there are fewer)."""
    if done == 0:
        return False
    if need == "any":
        return True
    if need == "all":
        return all(r.status in _FINISHED for r in rows)
    return done >= min(int(need), len(rows))


def _prerequisite_rows(session: Session, w: Assignment, step: StepSpec,
                       prereq: StepSpec) -> Sequence[Any]:
    """Status and completion day of ``w``'s prerequisite assignments of step ``prereq``."""
    base: list[ColumnElement[bool]] = [col(A.step_id) == prereq.id]
    if prereq.recurrence == step.recurrence and step.recurrence.value in _SAME_PERIOD:
        base.append(col(A.period) == w.period)
    scopes: list[list[ColumnElement[bool]]] = [[col(A.cycle_id) == w.cycle_id]]
    if prereq.recurrence.value == "once":
        scopes.append([col(A.plan_key) == w.plan_key, col(A.year) < w.year])
    members = [[col(A.member) == w.member], []] if prereq.fan_out and step.fan_out else [[]]
    for scope in scopes:
        for member in members:
            rows = session.execute(
                select(col(A.status), col(A.completed_on)).where(*base, *scope, *member)).all()
            if rows:
                return rows
    return []


def _open(session: Session, w: Assignment, step: StepSpec, anchor: date | None, *, actor: Actor,
          now: datetime, calendar: DayCounter, cause: Assignment | None,
          why: str | None = None) -> None:
    """Move ``w`` from waiting to open, with its due date if it counts from a dependency.

    The due date counts from the latest completion, or from the cycle start if that is later
    (a ``once`` step finished in an earlier cycle).
    """
    core.move(w, Move.OPEN)
    start = core.cycle_of(session, w).start_date
    today = max(local_date(now), start)
    anchor = max(anchor, start) if anchor else None
    changes: dict[str, Any] = {"status": Status.OPEN.value, "opened_on": today,
                               "next_notice_on": today}
    if step.deadline.kind == "after_step":
        due = due_after_dependency(step.deadline, anchor or today, calendar)
        changes |= {"due_original": due, "due_current": due}
    before, after = core.write(session, w, changes)
    why = why or (f"prerequisites finished (last: assignment {core.label(cause)} {cause.status})"
                  if cause else "prerequisites finished in an earlier cycle")
    core.record(session, w, actor=actor, now=now, action="assignment.open", before=before,
                after=after, reason=why)
