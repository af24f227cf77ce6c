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

All of it is SQL text (:mod:`agencyflow.services.assignments.rows`): the same functions run in
a session (the full path) and on a plain DBAPI connection (the CLI's quick writes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from agencyflow.dbapi import decode, fetch
from agencyflow.domain.calendar import local_date
from agencyflow.domain.deadlines import DayCounter, due_after_dependency
from agencyflow.domain.lifecycle import Move, Status
from agencyflow.domain.permissions import Actor
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.services.assignments import rows
from agencyflow.services.assignments.rows import Row, Tx
from agencyflow.services.plans import specs

_SAME_PERIOD = ("quarterly", "monthly")
_FINISHED = (Status.DONE.value, Status.CANCELLED.value)
_WAITING = Status.WAITING.value


def open_dependents(conn: Any, finished: Any, *, actor: Actor, now: datetime,
                    calendar: DayCounter) -> list[int]:
    """Open what waited for ``finished`` and is now ready; return the opened assignment ids.

    ``conn``: a session, a DBAPI connection or a :class:`~.rows.Tx`."""
    tx = _begin(conn)
    spec = rows.spec_for(tx, finished)
    step = spec.step(finished.step_id)
    cycle_specs: dict[int, PlanSpec] = {finished.cycle_id: spec}
    opened: list[int] = []
    for dependent in spec.dependents(step.id):
        for waiting in _waiting(tx, finished, step, dependent, spec):
            w_spec = cycle_specs.get(waiting.cycle_id)
            if w_spec is None:
                w_spec = cycle_specs[waiting.cycle_id] = rows.spec_for(tx, waiting)
            ready, anchor = _ready(tx, waiting, w_spec)
            if ready:
                _open(tx, waiting, w_spec.step(waiting.step_id), anchor, actor=actor,
                      now=now, calendar=calendar, cause=finished)
                opened.append(waiting.id)
    return _opened(conn, opened)


def open_ready(conn: Any, cycle: Any, *, actor: Actor, now: datetime,
               calendar: DayCounter) -> list[int]:
    """At cycle start: open the waiting assignments whose prerequisites are ``once`` steps
    finished in an earlier cycle (they are not repeated in this one); return their ids."""
    tx = _begin(conn)
    spec = specs.of_cycle(tx.conn, cycle.id)
    present = {step for (step,) in fetch(
        tx.conn, "SELECT DISTINCT step_id FROM assignment WHERE cycle_id = :cycle",
        {"cycle": cycle.id})}
    steps = [s.id for s in spec.steps if any(p not in present for p in s.depends_on)]
    if not steps:
        return []
    among, params = rows.in_list("step_id", steps)
    opened: list[int] = []
    for waiting in rows.select(tx, f"cycle_id = :cycle AND {among} AND status = :waiting",
                               {"cycle": cycle.id, "waiting": _WAITING, **params}, lock=True):
        ready, anchor = _ready(tx, waiting, spec)
        if ready:
            _open(tx, waiting, spec.step(waiting.step_id), anchor, actor=actor, now=now,
                  calendar=calendar, cause=None)
            opened.append(waiting.id)
    return _opened(conn, opened)


def open_any_ready(conn: Any, cycle: Any, *, actor: Actor, now: datetime,
                   calendar: DayCounter, why: str) -> list[int]:
    """After the cycle's plan changed (``cycle migrate``): open every waiting assignment whose
    prerequisites are finished under the plan the cycle now runs; return their ids."""
    tx = _begin(conn)
    spec = specs.of_cycle(tx.conn, cycle.id)
    opened: list[int] = []
    for waiting in rows.select(tx, "cycle_id = :cycle AND status = :waiting",
                               {"cycle": cycle.id, "waiting": _WAITING}, lock=True):
        ready, anchor = _ready(tx, waiting, spec)
        if ready:
            _open(tx, waiting, spec.step(waiting.step_id), anchor, actor=actor, now=now,
                  calendar=calendar, cause=None, why=why)
            opened.append(waiting.id)
    return _opened(conn, opened)


def _begin(conn: Any) -> Tx:
    """``conn`` as a transaction, a session's pending rows written first (SQL text follows)."""
    tx = rows.tx_of(conn)
    if hasattr(tx.conn, "flush"):
        tx.conn.flush()
    return tx


def _opened(conn: Any, opened: list[int]) -> list[int]:
    """``opened``, after a session's model rows of them are expired (SQL text changed them)."""
    session = conn.conn if isinstance(conn, Tx) else conn
    if opened and hasattr(session, "identity_map"):
        ids = set(opened)
        for obj in list(session.identity_map.values()):
            if getattr(type(obj), "__tablename__", None) == "assignment" and obj.id in ids:
                session.expire(obj)
    return opened


def _waiting(tx: Tx, finished: Any, step: StepSpec, dependent: str, spec: PlanSpec
             ) -> list[Row]:
    """The waiting assignments of ``dependent`` that ``finished`` may unblock, locked."""
    where = ["step_id = :dependent", "status = :waiting"]
    params: dict[str, Any] = {"dependent": dependent, "waiting": _WAITING}
    if step.recurrence.value == "once":
        where.append("plan_key = :plan_key")
        params["plan_key"] = finished.plan_key
    else:
        where.append("cycle_id = :cycle")
        params["cycle"] = finished.cycle_id
    if step.fan_out and spec.step(dependent).fan_out:
        among, members = rows.in_list(
            "member", [finished.member, *_other_members(spec, step, dependent)])
        where.append(among)
        params |= members
    return rows.select(tx, " AND ".join(where), params, lock=True)


def _other_members(spec: PlanSpec, step: StepSpec, dependent: str) -> list[str]:
    """Members of the dependent's group that the prerequisite's group lacks (they wait for all)."""
    mine = set(spec.members(step.fan_out or ""))
    return [m for m in spec.members(spec.step(dependent).fan_out or "") if m not in mine]


def _ready(tx: Tx, w: Row, spec: PlanSpec) -> tuple[bool, date | None]:
    """(every prerequisite finished?, latest completion of the step the deadline counts from)."""
    step = spec.step(w.step_id)
    anchor_step = getattr(step.deadline, "step", None)
    anchor: date | None = None
    for prereq in step.depends_on:
        found = _prerequisite_rows(tx, w, step, spec.step(prereq))
        done = [on for status, on in found if status == Status.DONE.value]
        if not _enough(step.need(prereq), found, len(done)):
            return False, None
        if prereq == anchor_step:
            anchor = max((d for d in done if d is not None), default=None)
    return True, anchor


def _enough(need: str | int, found: Sequence[tuple[str, Any]], done: int) -> bool:
    """Whether ``done`` of the prerequisite rows ``found`` (status, completion day) meet
    ``need``: all (each finished, one done), any (one done) or N (N done, or all of them if
    there are fewer)."""
    if done == 0:
        return False
    if need == "any":
        return True
    if need == "all":
        return all(status in _FINISHED for status, _on in found)
    return done >= min(int(need), len(found))


def _prerequisite_rows(tx: Tx, w: Row, step: StepSpec, prereq: StepSpec
                       ) -> list[tuple[str, date | None]]:
    """Status and completion day of ``w``'s prerequisite assignments of step ``prereq``."""
    base = ["step_id = :prereq"]
    params: dict[str, Any] = {"prereq": prereq.id, "cycle": w.cycle_id, "plan_key": w.plan_key,
                              "year": w.year, "member": w.member, "period": w.period}
    if prereq.recurrence == step.recurrence and step.recurrence.value in _SAME_PERIOD:
        base.append("period = :period")
    scopes = [["cycle_id = :cycle"]]
    if prereq.recurrence.value == "once":
        scopes.append(["plan_key = :plan_key", "year < :year"])
    members = [["member = :member"], []] if prereq.fan_out and step.fan_out else [[]]
    for scope in scopes:
        for member in members:
            where = " AND ".join([*base, *scope, *member])
            found = fetch(tx.conn, f"SELECT status, completed_on FROM assignment WHERE {where}",
                          params)
            if found:
                return [(status, decode("date", on)) for status, on in found]
    return []


def _open(tx: Tx, w: Row, step: StepSpec, anchor: date | None, *, actor: Actor,
          now: datetime, calendar: DayCounter, cause: Any | None,
          why: str | None = None) -> None:
    """Move ``w`` from waiting to open, with its due date if it counts from a dependency.

    The due date counts from the latest completion, or from the cycle start if that is later
    (a ``once`` step finished in an earlier cycle).
    """
    rows.move(w, Move.OPEN)
    start = rows.cycle_start(tx, w)
    today = max(local_date(now), start)
    anchor = max(anchor, start) if anchor else None
    changes: dict[str, Any] = {"status": Status.OPEN.value, "opened_on": today,
                               "next_notice_on": today}
    if step.deadline.kind == "after_step":
        due = due_after_dependency(step.deadline, anchor or today, calendar)
        changes |= {"due_original": due, "due_current": due}
    [(before, after)] = rows.write_many(tx, [(w, changes, None)])
    why = why or (f"prerequisites finished (last: assignment {rows.label(cause)} {cause.status})"
                  if cause else "prerequisites finished in an earlier cycle")
    rows.record_many(tx, [rows.Event(w, actor, now, "assignment.open", before, after, why)])
