"""The reminder sweep: find what is due, write it to the outbox, move each assignment's clock.

A sweep looks at the active assignments (open, in progress) whose ``next_notice_on`` is today or
earlier. Rows of one step that share their dates (a commune fan-out) are due exactly the same
notices, so the sweep reads the due set *grouped* (:mod:`agencyflow.services.reminders.sweep_sql`),
asks the
reminder policy once per group which notices are due
(:func:`agencyflow.domain.reminders.due_notices`) and when the next one falls, and lets the
database apply that to every row: per batch of about ``batch_size`` rows (one transaction each),
``INSERT … SELECT … ON CONFLICT (key) DO NOTHING`` keyed ``a{assignment}:{kind}:{window}`` and
an ``UPDATE`` storing each row's next notice day and ``last_swept_on = today`` — one pair per
large group (a fan-out of at least ``own_statement_rows``), one pair for the batch's smaller
groups. No row travels to Python and back: at national scale this is the difference between
about a second and half a minute.

Idempotent by construction: a rerun on the same day selects nothing, and even a reset
``next_notice_on`` cannot duplicate a notice (the unique key). A row whose dates change while the
sweep runs (an extension) no longer matches its group and is left for the next sweep.

The outbox row keeps the notice's own facts (kind, window, day, recipient, level, working days
left); the assignment part of its message is read when it is dispatched
(:func:`agencyflow.services.reminders.notice_context.render_contexts`).

**One row cannot stop a sweep.** The policy is applied per group, so a group whose notices cannot be
computed (an assignment stored with a due date outside the working-day calendar, an escalation
to an agency that is gone) is caught there: its rows get the reason in ``attention`` and no next
notice day (so later sweeps skip them without trying again), the result counts them
(``needs_attention``), and every other group is swept as usual. ``board`` and ``notifications``
list the flagged rows (:mod:`agencyflow.services.reminders.attention`); a change of their dates or
lead
clears the flag (:mod:`agencyflow.services.reminders.hooks`).

Outside office hours (per plan) nothing is written and the result says when the next window
opens. ``shard=(index, count)`` restricts a sweep to ``id % count == index`` so that several
workers can share one day's work; ``leads`` restricts it to assignments led by some agencies (one
Prefect task per agency batch). :func:`preview` computes the same notices and writes nothing.
"""

from __future__ import annotations

import time as clock
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from agencyflow.domain import reminders
from agencyflow.domain.calendar import local_date
from agencyflow.errors import AgencyflowError
from agencyflow.i18n import LANGUAGES, _, current_language, language
from agencyflow.models import Assignment
from agencyflow.services.products import reevaluation
from agencyflow.services.reminders import attention, outbox_writes, sweep_sql
from agencyflow.services.reminders.notice_context import (
    AgencyInfo,
    CycleInfo,
    agencies,
    load_cycles,
)
from agencyflow.services.reminders.outbox_writes import Planned
from agencyflow.services.reminders.policy import policy_for
from agencyflow.services.reminders.sweep_sql import Group, PlannedNotice, Scope
from agencyflow.services.writes import write_transaction

A = Assignment
#: Assignments per sweep window (one transaction): on SQLite about half a second of write lock
#: at national scale; fewer windows mean fewer commits and fewer per-window summaries.
BATCH_SIZE = 50_000
#: Groups of at least this many rows are written with statements of their own: matching a
#: group's rows on its columns costs less per row than computing every row's group key, and a
#: statement more is nothing for a fan-out of this size.
OWN_STATEMENT_ROWS = 200


@dataclass
class SweepResult:
    """What a sweep did (or, for :func:`preview`, would do).

    ``scanned`` counts the due rows read, ``written`` the notices inserted (planned, for a
    preview) and ``existing`` the due notices that were not new: already in the outbox (a rerun
    after a reset clock), or whose assignment changed while the sweep ran."""

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
    needs_attention: int = 0
    #: Re-evaluations the product registry opened before this sweep (they are told in it).
    reevaluations: int = 0
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
                "needs_attention": self.needs_attention, "reevaluations": self.reevaluations,
                "seconds": round(self.seconds, 3)}

    def merge(self, other: SweepResult) -> SweepResult:
        """Add ``other``'s counts to this result (several shards or agency batches)."""
        self.scanned += other.scanned
        self.existing += other.existing
        self.batches += other.batches
        self.planned += other.planned
        self.needs_attention += other.needs_attention
        self.reevaluations += other.reevaluations
        for recipient, kinds in other.by_agency.items():
            for kind, n in kinds.items():
                self.count(kind, recipient, n)
        self.in_office_hours = self.in_office_hours or other.in_office_hours
        return self


def _open_cycles(conn: Connection, now: datetime, calendar: reminders.Calendar, lang: str,
                 cycle_id: int | None, result: SweepResult) -> dict[int, CycleInfo]:
    """The cycles whose plan is in office hours at ``now``; sets the result's window fields."""
    infos = load_cycles(conn, lang, cycle_id, with_agencies=False)
    hours = [i.hours for i in infos] or [reminders.OfficeHours()]
    open_ = {i.cycle_id: i for i in infos if reminders.in_office_hours(now, calendar, i.hours)}
    result.in_office_hours = bool(open_) or (not infos and reminders.in_office_hours(
        now, calendar, hours[0]))
    if not open_:
        result.next_window = min(reminders.next_office_window(now, calendar, h) for h in hours)
    return open_


@dataclass(frozen=True)
class Decision:
    """What a group of assignments is due now, and the day of its next notice after today."""

    notices: list[reminders.Notice]
    following: date | None


def decide(group: Group, info: CycleInfo, now: datetime, calendar: reminders.Calendar
           ) -> Decision:
    """The reminder policy of the group's step applied once for all its rows."""
    today = local_date(now)
    policy = policy_for(info.spec, info.plan_hash, group.step_id)
    state = reminders.ReminderState(group.opened_on, group.due, True, group.last_swept_on)
    notices = reminders.due_notices(state, policy, calendar, now, info.hours)
    swept = reminders.ReminderState(group.opened_on, group.due, True, today)
    return Decision(notices, reminders.next_notice_on(swept, policy, calendar, today))


class _Planner:
    """Decisions and the agencies that notices address by code, remembered across windows:
    a group that spans several windows (a fan-out) is decided once."""

    def __init__(self, infos: Mapping[int, CycleInfo], now: datetime,
                 calendar: reminders.Calendar, lang: str) -> None:
        self.infos, self.now, self.calendar, self.lang = infos, now, calendar, lang
        self.decisions: dict[str, Decision] = {}
        self.roles: dict[tuple[int, str], AgencyInfo] = {}
        #: Groups whose notices could not be computed: group key → why.
        self.failed: dict[str, str] = {}

    def decision(self, group: Group) -> Decision:
        found = self.decisions.get(group.gk)
        if found is None:
            found = self.decisions[group.gk] = decide(group, self.infos[group.cycle_id],
                                                      self.now, self.calendar)
        return found

    def _planned(self, conn: Connection, group: Group) -> list[dict[str, Any]] | None:
        """The group's notices as the SQL wants them, or None when they cannot be computed
        (the reason is kept in :attr:`failed`: one group never stops the sweep)."""
        if group.gk in self.failed:
            return None
        try:
            return [self.addressed(conn, group.cycle_id, n).as_json(group.gk, i)
                    for i, n in enumerate(self.decision(group).notices)]
        except Exception as exc:  # noqa: BLE001 - whatever it is, it is this group's alone
            self.failed[group.gk] = self._reasons(conn, group, exc)
            return None

    def _reasons(self, conn: Connection, group: Group, exc: Exception) -> str:
        """Why ``group`` failed, worded in every language (the error is worded when raised,
        so the group is computed again in each other language to meet it in those words)."""
        reasons = {current_language(): attention_reason(group, exc)}
        kept = self.decisions.pop(group.gk, None)
        for lang in LANGUAGES:
            if lang in reasons:
                continue
            with language(lang):
                try:
                    for notice in self.decision(group).notices:
                        self.addressed(conn, group.cycle_id, notice)
                    reasons[lang] = attention_reason(group, exc)  # not met again: as it was
                except Exception as again:  # noqa: BLE001 - the same failure, in ``lang``
                    reasons[lang] = attention_reason(group, again)
                finally:
                    self.decisions.pop(group.gk, None)
        if kept is not None:
            self.decisions[group.gk] = kept
        return attention.encode(reasons)

    def addressed(self, conn: Connection, cycle_id: int, notice: reminders.Notice
                  ) -> PlannedNotice:
        """A domain notice as the SQL plan wants it (a lead notice takes each row's lead)."""
        if notice.recipient == reminders.LEAD:
            recipient, tag, digest = None, None, None
        else:
            agency = self._role(conn, cycle_id, notice.recipient)
            recipient, tag, digest = agency.code, agency.tag, agency.digest
        return PlannedNotice(notice.kind.value, notice.window, notice.scheduled_on, recipient,
                             tag, digest, notice.level, notice.days_left)

    def _role(self, conn: Connection, cycle_id: int, code: str) -> AgencyInfo:
        found = self.roles.get((cycle_id, code))
        if found is None:
            info = self.infos[cycle_id]
            named = agencies(conn, info.plan_key, self.lang, [code])
            found = self.roles[(cycle_id, code)] = replace(info, agencies=named).agency(code)
        return found

    def plan(self, conn: Connection, groups: list[Group]
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
        """The window's notices and clock moves (as the SQL wants them), and how many
        notices its rows are due."""
        notices, moves, due = [], [], 0
        for g in groups:
            planned = self._planned(conn, g)
            if planned is None:
                continue
            notices += planned
            moves.append({"gk": g.gk, "n": _iso(self.decision(g).following)})
            due += g.rows * len(planned)
        return notices, moves, due


def attention_reason(group: Group, exc: Exception) -> str:
    """What is recorded on the rows of a group the sweep could not handle."""
    what = str(exc) if isinstance(exc, AgencyflowError) else f"{type(exc).__name__}: {exc}"
    return _("reminders cannot be computed for step {step} due {due}: {why}").format(
        step=group.step_id, due=_iso(group.due), why=what)


def sweep(engine: Engine, *, now: datetime, calendar: reminders.Calendar, lang: str = "vi",
          batch_size: int = BATCH_SIZE, cycle_id: int | None = None,
          shard: tuple[int, int] | None = None, leads: Collection[str] | None = None,
          own_statement_rows: int = OWN_STATEMENT_ROWS) -> SweepResult:
    """Write the notices due at ``now`` to the outbox; each batch is its own transaction.
    Groups of at least ``own_statement_rows`` rows (fan-outs) are written with statements of
    their own, the smaller ones of a batch together."""
    return _run(engine, now=now, calendar=calendar, lang=lang, batch_size=batch_size,
                cycle_id=cycle_id, shard=shard, leads=leads, write=True,
                own_statement_rows=own_statement_rows)


def preview(engine: Engine, *, now: datetime, calendar: reminders.Calendar, lang: str = "vi",
            batch_size: int = BATCH_SIZE, cycle_id: int | None = None,
            shard: tuple[int, int] | None = None, leads: Collection[str] | None = None
            ) -> SweepResult:
    """What :func:`sweep` would write at ``now`` (``planned``; ``existing`` counts notices
    already in the outbox); writes nothing."""
    return _run(engine, now=now, calendar=calendar, lang=lang, batch_size=batch_size,
                cycle_id=cycle_id, shard=shard, leads=leads, write=False)


def _run(engine: Engine, *, now: datetime, calendar: reminders.Calendar, lang: str,
         batch_size: int, cycle_id: int | None, shard: tuple[int, int] | None,
         leads: Collection[str] | None, write: bool,
         own_statement_rows: int = OWN_STATEMENT_ROWS) -> SweepResult:
    started = clock.perf_counter()
    result = SweepResult(today=local_date(now), in_office_hours=False)
    if write and cycle_id is None and leads is None and (shard is None or shard[0] == 0):
        result.reevaluations = _reevaluations(engine, now, calendar)
    with engine.connect() as conn:
        if not sweep_sql.any_due(conn, result.today, cycle_id):
            # The common rerun: one scan, without loading any plan (seconds for a
            # national plan). Office hours are then those of the default policy.
            result.in_office_hours = reminders.in_office_hours(now, calendar,
                                                               reminders.OfficeHours())
            result.seconds = clock.perf_counter() - started
            return result
        infos = _open_cycles(conn, now, calendar, lang, cycle_id, result)
        scope = Scope(tuple(infos), result.today, shard,
                      tuple(sorted(leads)) if leads is not None else None)
        windows = sweep_sql.windows(conn, scope, max(batch_size, 1)) if infos else []
    planner = _Planner(infos, now, calendar, lang)
    new = sweep_sql.NewNotices()
    for window in windows:
        with write_transaction(engine) if write else engine.connect() as conn:
            groups = sweep_sql.groups(conn, scope, window)
            if not groups:
                continue
            result.batches += 1
            result.scanned += sum(g.rows for g in groups)
            if write:
                _write(conn, scope, window, groups, planner, result, new,
                       stamp=outbox_writes.driver_time(conn, now), own_from=own_statement_rows)
            else:
                plan, _, _ = planner.plan(conn, groups)
                _preview(conn, scope, window, plan, lang, result)
                result.needs_attention += sum(g.rows for g in groups if g.gk in planner.failed)
    for (recipient, kind), n in sorted(new.counts(engine).items()):
        result.count(kind, recipient, n)
    result.seconds = clock.perf_counter() - started
    return result


def _reevaluations(engine: Engine, now: datetime, calendar: reminders.Calendar) -> int:
    """Open the registry's re-evaluations due today first, so that this sweep tells their
    communes (:mod:`agencyflow.services.products.reevaluation`); return how many opened."""
    with Session(engine) as session, session.begin():
        return len(reevaluation.open_due(session, now=now, calendar=calendar).opened)


def _write(conn: Connection, scope: Scope, window: sweep_sql.Window, groups: list[Group],
           planner: _Planner, result: SweepResult, new: sweep_sql.NewNotices, *,
           stamp: Any, own_from: int) -> None:
    """Write one window: each group of at least ``own_from`` rows with statements of its own
    (matched on its columns), the smaller ones together (joined on the group key)."""
    writer = sweep_sql.WindowWriter(conn, scope, window, new, lang=planner.lang, stamp=stamp)
    due = 0
    for group in (g for g in groups if g.rows >= own_from):
        plan, _, n = planner.plan(conn, [group])
        if group.gk not in planner.failed:
            writer.insert(plan, group)
            writer.move_group(group, planner.decision(group).following)
        due += n
    plan, moves, n = planner.plan(conn, [g for g in groups if g.rows < own_from])
    writer.insert(plan)
    writer.move(moves)
    for group in (g for g in groups if g.gk in planner.failed):
        writer.flag_group(group, planner.failed[group.gk])
        result.needs_attention += group.rows
    result.existing += due + n - writer.finish()


def _preview(conn: Connection, scope: Scope, window: sweep_sql.Window,
             plan: list[dict[str, Any]], lang: str, result: SweepResult) -> None:
    """A dry run of one window: the rows it would offer, and which of them are new."""
    rows = sweep_sql.candidates(conn, scope, window, plan)
    offered = [Planned(key=r["key"], assignment_id=r["assignment_id"], cycle_id=r["cycle_id"],
                       kind=r["kind"], window=r["window"], scheduled_on=r["scheduled_on"],
                       recipient_code=r["recipient_code"], tag=r["tag"], level=r["level"],
                       lang=lang, digest=bool(r["digest"]), days_left=r["days_left"])
               for r in rows]
    new = outbox_writes.missing_keys(conn, offered)
    for p in offered:
        if p.key in new:
            result.planned.append(p)
            result.count(p.kind, p.recipient_code)
    result.existing += len(offered) - len(new)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def due_by_agency(engine: Engine, *, now: datetime, cycle_id: int | None = None
                  ) -> dict[str, int]:
    """Lead agency → number of active assignments with a notice due by ``now`` (one GROUP BY)."""
    with engine.connect() as conn:
        return sweep_sql.due_by_lead(conn, local_date(now), cycle_id)
