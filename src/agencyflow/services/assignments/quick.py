"""The lead's moves on a plain DBAPI connection: what ``agencyflow assignment start|progress|
complete|submit`` run when the database is ready as it is, without importing SQLAlchemy, SQLModel
or the tables (~0.45 s of a fresh process).

Each function loads the assignment with SQL text, checks permission and the version the user
saw, and runs the move of :mod:`agencyflow.services.assignments.acts` — the very functions the
full path (:mod:`agencyflow.services.assignments.moves`) runs in a session. Evidence files and
the product registry are the full path's: they raise :class:`~.acts.FullPath`, and the caller
rolls back and runs the move there. The caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.lifecycle import Move
from agencyflow.domain.permissions import Action, Actor
from agencyflow.services.assignments import acts, rows
from agencyflow.services.assignments.rows import Row, Tx


def start(tx: Tx, *, assignment_id: int, actor: Actor, now: datetime,
          expected_version: int | None = None) -> Row:
    """:func:`agencyflow.services.assignments.moves.start` on ``tx``."""
    [a] = rows.begin_many(tx, [(assignment_id, expected_version)], actor, Action.START)
    acts.start(tx, a, actor=actor, now=now, expected_version=expected_version)
    return a


def progress(tx: Tx, *, assignment_id: int, actor: Actor, now: datetime,
             note: str | None = None, figures: Mapping[str, Any] | None = None,
             expected_version: int | None = None) -> Row:
    """:func:`agencyflow.services.assignments.moves.progress` on ``tx`` (no evidence)."""
    report = acts.Report(assignment_id, note, figures, expected_version=expected_version)
    loaded = rows.begin_many(tx, [(assignment_id, expected_version)], actor, Action.PROGRESS)
    acts.progress(tx, loaded, [report], actor=actor, now=now)
    return loaded[0]


def complete(tx: Tx, *, assignment_id: int, actor: Actor, now: datetime, calendar: DayCounter,
             outputs: Mapping[str, Any] | None = None, note: str | None = None,
             expected_version: int | None = None, lang: str = "vi") -> Row:
    """:func:`agencyflow.services.assignments.moves.complete` on ``tx`` (no evidence)."""
    return _hand_in(tx, Move.COMPLETE, Action.COMPLETE, acts.Report(
        assignment_id, note, outputs, expected_version=expected_version), actor=actor, now=now,
        calendar=calendar, lang=lang)


def submit(tx: Tx, *, assignment_id: int, actor: Actor, now: datetime, calendar: DayCounter,
           outputs: Mapping[str, Any] | None = None, note: str | None = None,
           expected_version: int | None = None) -> Row:
    """:func:`agencyflow.services.assignments.moves.submit` on ``tx`` (no evidence)."""
    return _hand_in(tx, Move.SUBMIT, Action.SUBMIT, acts.Report(
        assignment_id, note, outputs, expected_version=expected_version), actor=actor, now=now,
        calendar=calendar)


def _hand_in(tx: Tx, which: Move, action: Action, report: acts.Report, *, actor: Actor,
             now: datetime, calendar: DayCounter, lang: str = "vi") -> Row:
    loaded = rows.begin_many(tx, [(report.assignment_id, report.expected_version)], actor,
                             action)
    acts.hand_in(tx, which, action, loaded, [report], actor=actor, now=now, calendar=calendar,
                 lang=lang)
    return loaded[0]
