"""Appending to the audit trail as SQL text, on a SQLAlchemy session or a plain DBAPI connection.

The one implementation of an append (:func:`append_many`): the full path
(:func:`agencyflow.services.audit.trail.record_many`, in a session) and the CLI's quick writes
(a DBAPI connection, no SQLAlchemy imported) run these same statements and compute the hash with
the same function (:func:`agencyflow.domain.audit_chain.event_hash`).

The head row is locked first, so that appends are serialised across processes. SQLite has no FOR
UPDATE: a no-op write takes the database write lock *before* the head is read, so the head cannot
change between reading and appending. The first append creates the row with INSERT … ON CONFLICT
DO NOTHING, so two first writers do not fail: the second waits for the first to commit and then
locks the row it created. Then each event is inserted and the head advanced onto it (the database
lets the head move only one event at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from agencyflow.dbapi import decode, dialect_of, execute, fetch, stored
from agencyflow.domain import audit_chain
from agencyflow.domain.clock import Clock, stamp
from agencyflow.domain.permissions import Actor


@dataclass(frozen=True)
class Entry:
    """One event to append (the arguments of :func:`agencyflow.services.audit.trail.record`)."""

    now: datetime
    actor: Actor | str
    action: str
    target_type: str
    target_id: str | int
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None
    opened_on: date | None = None


_TOUCH = "UPDATE audit_head SET seq = seq WHERE id = 1"
_HEAD = "SELECT seq, hash, recorded_at FROM audit_head WHERE id = 1"
_CREATE = ("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :hash) "
           "ON CONFLICT (id) DO NOTHING")
#: The stored columns of an event, in the order of :func:`fields`.
COLUMNS = ("seq", "at", "actor", "action", "target_type", "target_id", "before", "after",
           "reason", "prev_hash", "recorded_at", "claim", "claim_reason", "hash")
_INSERT = (f"INSERT INTO audit_event ({', '.join(COLUMNS)}) "
           f"VALUES ({', '.join(':' + c for c in COLUMNS)})")
_ADVANCE = "UPDATE audit_head SET seq = :seq, hash = :hash, recorded_at = :at WHERE id = 1"


def _lock_head(conn: Any) -> tuple[int, str, datetime | None]:
    """Lock (or create) the head row; return its (seq, hash, recorded_at)."""
    sqlite = dialect_of(conn) == "sqlite"
    if sqlite:
        execute(conn, _TOUCH, {})
    query = _HEAD if sqlite else _HEAD + " FOR UPDATE"
    rows = fetch(conn, query, {})
    if not rows:
        execute(conn, _CREATE, {"hash": audit_chain.GENESIS})
        rows = fetch(conn, query, {})
    seq, last, at = rows[0]
    return int(seq), str(last), decode("datetime", at)


def append_many(conn: Any, entries: Sequence[Entry], clock: Clock) -> list[dict[str, Any]]:
    """Append ``entries`` in order in the caller's transaction (``conn``: a SQLAlchemy Session or
    Connection, or a DBAPI connection); ``clock`` gives the real time recorded. Returns the
    stored fields of each event (see :func:`fields`)."""
    seq, prev, after = _lock_head(conn)
    events: list[dict[str, Any]] = []
    for entry in entries:
        row = fields(entry, clock, seq=seq + 1, prev=prev, after=after)
        execute(conn, _INSERT, {k: stored(row[k]) for k in COLUMNS})
        execute(conn, _ADVANCE, {"seq": row["seq"], "hash": row["hash"],
                                 "at": stored(row["recorded_at"])})
        seq, prev, after = row["seq"], row["hash"], row["recorded_at"]
        events.append(row)
    return events


def fields(entry: Entry, clock: Clock, *, seq: int, prev: str, after: datetime | None
           ) -> dict[str, Any]:
    """The stored fields of ``entry`` as the event after (``seq - 1``, ``prev``, ``after``);
    raises when its claimed time is not honest (:func:`agencyflow.domain.clock.stamp`)."""
    acting = entry.actor if isinstance(entry.actor, Actor) else None  # a bare name: no role
    mark = stamp(clock, now=entry.now, actor=acting, after=after, opened_on=entry.opened_on,
                 target=f"{entry.target_type} {entry.target_id}")
    row: dict[str, Any] = {
        "seq": seq,
        "at": entry.now,
        "actor": entry.actor.username if isinstance(entry.actor, Actor) else entry.actor,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": str(entry.target_id),
        "before": audit_chain.normalise(entry.before),
        "after": audit_chain.normalise(entry.after),
        "reason": entry.reason,
        "prev_hash": prev,
        "recorded_at": mark.recorded_at,
        "claim": mark.claim,
        "claim_reason": mark.claim_reason,
    }
    row["hash"] = audit_chain.event_hash(row)
    return row
