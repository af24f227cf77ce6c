"""The reminder sweep: find what is due, write it to the outbox, move each assignment's clock.

One sweep reads the active assignments (open, in progress) whose ``next_notice_on`` is today or
earlier, in batches by id (keyset pagination on the primary key), asks the reminder policy of each
step which notices are due (:func:`agencyflow.domain.reminders.due_notices`), and writes them with
``INSERT … ON CONFLICT (key) DO NOTHING`` keyed ``a{assignment}:{kind}:{window}``. In the same
transaction it stores, per assignment, the next day with a notice and ``last_swept_on = today``
(one executemany per batch, guarded by the row ``version`` so that a concurrent extension or
reassignment wins). Idempotent by construction: a rerun on the same day selects nothing, and even
a reset ``next_notice_on`` cannot duplicate a notice (the unique key).

Outside office hours (per plan) nothing is written and the result says when the next window
opens. ``shard=(index, count)`` restricts a sweep to ``id % count == index`` so that several
workers can share one day's work; ``leads`` restricts it to assignments led by some agencies (one
Prefect task per agency batch). :func:`preview` computes the same notices and writes nothing.
"""

from __future__ import annotations

import time as clock
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, func, select
from sqlmodel import col

from agencyflow.domain import reminders
from agencyflow.domain.calendar import local_date
from agencyflow.domain.lifecycle import ACTIVE
from agencyflow.models import Assignment
from agencyflow.services import outbox_writes
from agencyflow.services.notice_context import CycleInfo, load_cycles
from agencyflow.services.outbox_writes import Planned
from agencyflow.services.writes import write_transaction

A = Assignment
COLUMNS = (A.id, A.cycle_id, A.step_id, A.member, A.lead_code, A.cooperating, A.clauses,
           A.title_vi, A.title_en, A.due_original, A.due_current, A.opened_on, A.status,
           A.version, A.last_swept_on)
_ACTIVE = sorted(s.value for s in ACTIVE)


@dataclass
class SweepResult:
    """What a sweep did (or, for :func:`preview`, would do)."""

    today: date
    in_office_hours: bool
    next_window: datetime | None = None
    scanned: int = 0
    written: int = 0
    existing: int = 0
    batches: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_agency: dict[str, dict[str, int]] = field(default_factory=dict)
    planned: list[Planned] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, kind: str, recipient: str, n: int = 1) -> None:
        """Count ``n`` written (or planned) notifications of ``kind`` to ``recipient``."""
        self.written += n
        self.by_kind[kind] = self.by_kind.get(kind, 0) + n
        agency = self.by_agency.setdefault(recipient, {})
        agency[kind] = agency.get(kind, 0) + n

    def as_dict(self) -> dict[str, Any]:
        """The counts as plain JSON-friendly data (for Prefect task results and ``--format``)."""
        return {"today": self.today.isoformat(), "in_office_hours": self.in_office_hours,
                "next_window": self.next_window.isoformat() if self.next_window else None,
                "scanned": self.scanned, "written": self.written, "existing": self.existing,
                "batches": self.batches, "by_kind": dict(self.by_kind),
                "by_agency": {k: dict(v) for k, v in self.by_agency.items()},
                "seconds": round(self.seconds, 3)}

    def merge(self, other: SweepResult) -> SweepResult:
        """Add ``other``'s counts to this result (several shards or agency batches)."""
        self.scanned += other.scanned
        self.existing += other.existing
        self.batches += other.batches
        self.planned += other.planned
        for recipient, kinds in other.by_agency.items():
            for kind, n in kinds.items():
                self.count(kind, recipient, n)
        self.in_office_hours = self.in_office_hours or other.in_office_hours
        return self


@dataclass(frozen=True)
class Scope:
    """Which assignments a sweep looks at."""

    cycle_ids: tuple[int, ...]
    today: date
    shard: tuple[int, int] | None = None
    leads: tuple[str, ...] | None = None

    def where(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses of the due set (uses ``ix_assignment_next_notice``)."""
        where = [col(A.next_notice_on) <= self.today, col(A.status).in_(_ACTIVE),
                 col(A.cycle_id).in_(self.cycle_ids)]
        if self.shard is not None:
            index, count = self.shard
            where.append(col(A.id) % count == index)
        if self.leads is not None:
            where.append(col(A.lead_code).in_(self.leads))
        return where


def _open_cycles(conn: Connection, now: datetime, calendar: reminders.Calendar, lang: str,
                 cycle_id: int | None, result: SweepResult) -> dict[int, CycleInfo]:
    """The cycles whose plan is in office hours at ``now``; sets the result's window fields."""
    infos = load_cycles(conn, lang, cycle_id)
    hours = [i.hours for i in infos] or [reminders.OfficeHours()]
    open_ = {i.cycle_id: i for i in infos if reminders.in_office_hours(now, calendar, i.hours)}
    result.in_office_hours = bool(open_) or (not infos and reminders.in_office_hours(
        now, calendar, hours[0]))
    if not open_:
        result.next_window = min(reminders.next_office_window(now, calendar, h) for h in hours)
    return open_


def _batch(conn: Connection, scope: Scope, after_id: int, size: int) -> list[Mapping[str, Any]]:
    stmt = (select(*COLUMNS).where(col(A.id) > after_id, *scope.where())
            .order_by(col(A.id)).limit(size))
    return [row._mapping for row in conn.execute(stmt)]


Memo = dict[tuple[Any, ...], tuple[list[reminders.Notice], date | None]]


def _plan_row(row: Mapping[str, Any], info: CycleInfo, now: datetime, today: date,
              calendar: reminders.Calendar, lang: str, memo: Memo
              ) -> tuple[list[Planned], date | None]:
    """The notices due for one assignment row, and its next notice day after today.

    Rows of one step with the same dates (a commune fan-out) share the computation (``memo``).
    """
    key = (info.plan_hash, row["step_id"], row["opened_on"], row["due_current"],
           row["last_swept_on"])
    found = memo.get(key)
    if found is None:
        policy = outbox_writes.policy_of(info, row["step_id"])
        state = reminders.ReminderState(row["opened_on"], row["due_current"], True,
                                        row["last_swept_on"])
        notices = reminders.due_notices(state, policy, calendar, now, info.hours)
        swept = reminders.ReminderState(state.opened_on, state.due, True, today)
        found = memo[key] = (notices, reminders.next_notice_on(swept, policy, calendar, today))
    notices, following = found
    return [outbox_writes.planned(row, info, n, lang, now) for n in notices], following


def _walk(conn_factory: Any, scope: Scope, infos: Mapping[int, CycleInfo], now: datetime,
          calendar: reminders.Calendar, lang: str, batch_size: int
          ) -> Iterator[tuple[Connection, list[Mapping[str, Any]], list[Planned], list[tuple]]]:
    """Yield, per batch, its connection, rows, planned notices and the clock updates."""
    after, memo = 0, Memo()
    while True:
        with conn_factory() as conn:
            rows = _batch(conn, scope, after, batch_size)
            if not rows:
                return
            planned: list[Planned] = []
            moves: list[tuple[Any, ...]] = []
            for row in rows:
                notices, following = _plan_row(row, infos[row["cycle_id"]], now, scope.today,
                                               calendar, lang, memo)
                planned += notices
                moves.append((following, scope.today, row["id"], row["version"]))
            yield conn, rows, planned, moves
        after = rows[-1]["id"]


def _move(conn: Connection, moves: list[tuple[Any, ...]]) -> None:
    """Store each assignment's next notice day and today's sweep, in one statement (PostgreSQL:
    ``UPDATE … FROM unnest``) or one executemany (SQLite); a row whose version changed meanwhile
    (extension, reassignment) is left alone."""
    if conn.dialect.name == "postgresql":
        columns = [list(c) for c in zip(*moves, strict=True)] if moves else [[], [], [], []]
        conn.exec_driver_sql(
            "UPDATE assignment AS a SET next_notice_on = v.nxt, last_swept_on = v.swept "
            "FROM unnest(%b::date[], %b::date[], %b::int[], %b::int[]) AS v(nxt, swept, id, ver) "
            "WHERE a.id = v.id AND a.version = v.ver", tuple(columns))
        return
    conn.exec_driver_sql("UPDATE assignment SET next_notice_on = ?, last_swept_on = ? "
                         "WHERE id = ? AND version = ?",
                         [(n and n.isoformat(), s.isoformat(), i, v) for n, s, i, v in moves])


def sweep(engine: Engine, *, now: datetime, calendar: reminders.Calendar, lang: str = "vi",
          batch_size: int = 2000, cycle_id: int | None = None,
          shard: tuple[int, int] | None = None, leads: Collection[str] | None = None
          ) -> SweepResult:
    """Write the notices due at ``now`` to the outbox; each batch is its own transaction."""
    return _run(engine, now=now, calendar=calendar, lang=lang, batch_size=batch_size,
                cycle_id=cycle_id, shard=shard, leads=leads, write=True)


def preview(engine: Engine, *, now: datetime, calendar: reminders.Calendar, lang: str = "vi",
            batch_size: int = 2000, cycle_id: int | None = None,
            shard: tuple[int, int] | None = None, leads: Collection[str] | None = None
            ) -> SweepResult:
    """What :func:`sweep` would write at ``now`` (``planned``; ``existing`` counts notices
    already in the outbox); writes nothing."""
    return _run(engine, now=now, calendar=calendar, lang=lang, batch_size=batch_size,
                cycle_id=cycle_id, shard=shard, leads=leads, write=False)


def _run(engine: Engine, *, now: datetime, calendar: reminders.Calendar, lang: str,
         batch_size: int, cycle_id: int | None, shard: tuple[int, int] | None,
         leads: Collection[str] | None, write: bool) -> SweepResult:
    started = clock.perf_counter()
    result = SweepResult(today=local_date(now), in_office_hours=False)
    with engine.connect() as conn:
        if not _anything_due(conn, result.today, cycle_id):
            # The common rerun: one index probe, without loading any plan (seconds for a
            # national plan). Office hours are then those of the default policy.
            result.in_office_hours = reminders.in_office_hours(now, calendar,
                                                               reminders.OfficeHours())
            result.seconds = clock.perf_counter() - started
            return result
        infos = _open_cycles(conn, now, calendar, lang, cycle_id, result)
    if infos:
        scope = Scope(tuple(infos), result.today, shard,
                      tuple(sorted(leads)) if leads is not None else None)
        factory = (lambda: write_transaction(engine)) if write else engine.connect
        for conn, rows, planned, moves in _walk(factory, scope, infos, now, calendar, lang,
                                                 batch_size):
            result.batches += 1
            result.scanned += len(rows)
            _record(conn, result, planned, moves, write, now)
    result.seconds = clock.perf_counter() - started
    return result


def _anything_due(conn: Connection, today: date, cycle_id: int | None) -> bool:
    """Whether any active assignment has a notice due by ``today`` (index range probe)."""
    where = [col(A.next_notice_on) <= today, col(A.status).in_(_ACTIVE)]
    if cycle_id is not None:
        where.append(A.cycle_id == cycle_id)
    return conn.execute(select(A.id).where(*where).limit(1)).first() is not None


def _record(conn: Connection, result: SweepResult, planned: list[Planned],
            moves: list[tuple[Any, ...]], write: bool, now: datetime) -> None:
    if write:
        new = outbox_writes.insert(conn, planned, now)
        _move(conn, moves)
    else:
        new = outbox_writes.missing_keys(conn, planned)
        result.planned += [p for p in planned if p.key in new]
    for p in planned:
        if p.key in new:
            result.count(p.kind, p.recipient_code)
    result.existing += len(planned) - len(new)


def due_by_agency(engine: Engine, *, now: datetime, cycle_id: int | None = None
                  ) -> dict[str, int]:
    """Lead agency → number of active assignments with a notice due by ``now`` (one GROUP BY)."""
    today = local_date(now)
    where = [col(A.next_notice_on) <= today, col(A.status).in_(_ACTIVE)]
    if cycle_id is not None:
        where.append(A.cycle_id == cycle_id)
    stmt = select(A.lead_code, func.count()).where(*where).group_by(A.lead_code)
    with engine.connect() as conn:
        return {lead: n for lead, n in conn.execute(stmt)}
