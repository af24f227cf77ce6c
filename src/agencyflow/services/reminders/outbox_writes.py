"""Writing single notices to the outbox idempotently (event notices; sweeps write set-based).

A :class:`Planned` row is one notice for the ``notification`` table. :func:`insert` writes a
batch with multi-row ``INSERT … ON CONFLICT (key) DO NOTHING RETURNING key`` statements (SQLite ≥
3.35 and PostgreSQL) at driver level, so a notice that is already there is skipped and the caller
learns exactly which ones are new.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from agencyflow.dbapi import dialect_of, dumps, fetch_driver

if TYPE_CHECKING:
    from sqlalchemy import Connection

_KEYS_PER_QUERY = 500


@dataclass(frozen=True)
class Planned:
    """One notification: its unique key, recipient, and (event notices) its render context;
    without one, the dispatcher reads the assignment's facts when it sends the notice."""

    key: str
    assignment_id: int
    cycle_id: int
    kind: str
    window: str
    scheduled_on: date
    recipient_code: str
    tag: str
    level: int
    lang: str
    digest: bool
    context: dict[str, Any] | None = None
    days_left: int | None = None


def notice_key(assignment_id: int, kind: str, window: str) -> str:
    """The idempotency key of a notice: ``a{assignment}:{kind}:{window}``."""
    return f"a{assignment_id}:{kind}:{window}"


_COLUMNS = ("key", "assignment_id", "cycle_id", "kind", "window", "scheduled_on",
            "recipient_code", "tag", "level", "lang", "digest", "context", "status", "attempts",
            "created_at", "next_attempt_at", "days_left")
_ROWS_PER_STATEMENT = 500


def driver_time(conn: Any, now: datetime) -> Any:
    """``now`` as the driver value of a ``UTCDateTime`` column (naive UTC; SQLite: its text)."""
    naive = now.astimezone(UTC).replace(tzinfo=None)
    return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect_of(conn) == "sqlite" else naive


def _values(p: Planned, stamp: Any) -> tuple[Any, ...]:
    return (p.key, p.assignment_id, p.cycle_id, p.kind, p.window, p.scheduled_on.isoformat(),
            p.recipient_code, p.tag, p.level, p.lang, p.digest,
            None if p.context is None else dumps(p.context), "pending", 0, stamp, stamp,
            p.days_left)


def insert(conn: Any, rows: Iterable[Planned], now: datetime) -> set[str]:
    """Insert ``rows`` (created and due at ``now``), skipping keys already present; return the
    keys actually inserted. Driver-level statements (the ORM costs ~20× more), on a SQLAlchemy
    Session or Connection or a DBAPI connection."""
    batch = list(rows)
    if not batch:
        return set()
    if dialect_of(conn) == "postgresql":
        return _insert_unnest(conn, batch, now)
    names = ", ".join(f'"{c}"' for c in _COLUMNS)
    row_sql = f"({', '.join(['?'] * len(_COLUMNS))})"
    stamp = driver_time(conn, now)
    inserted: set[str] = set()
    for start in range(0, len(batch), _ROWS_PER_STATEMENT):
        chunk = batch[start:start + _ROWS_PER_STATEMENT]
        sql = (f"INSERT INTO notification ({names}) VALUES {', '.join([row_sql] * len(chunk))} "
               "ON CONFLICT (key) DO NOTHING RETURNING key")
        params = tuple(v for p in chunk for v in _values(p, stamp))
        inserted.update(row[0] for row in fetch_driver(conn, sql, params))
    return inserted


_PG_TYPES = ("text", "int", "int", "text", "text", "date", "text", "text", "int", "text", "bool",
             "text", "text", "int", "timestamp", "timestamp", "int")


def _insert_unnest(conn: Any, batch: list[Planned], now: datetime) -> set[str]:
    """PostgreSQL: one ``INSERT … SELECT FROM unnest(arrays)`` (16 parameters, any row count)."""
    stamp = driver_time(conn, now)
    columns = list(zip(*(_values(p, stamp) for p in batch), strict=True))
    columns[5] = tuple(p.scheduled_on for p in batch)
    arrays = ", ".join(f"%b::{t}[]" for t in _PG_TYPES)  # binary: no text-array escaping
    names = ", ".join(f'"{c}"' for c in _COLUMNS)
    sql = (f"INSERT INTO notification ({names}) SELECT * FROM unnest({arrays}) "
           "ON CONFLICT (key) DO NOTHING RETURNING key")
    return {row[0] for row in fetch_driver(conn, sql, tuple(list(c) for c in columns))}


def missing_keys(conn: Connection, rows: Iterable[Planned]) -> set[str]:
    """The keys of ``rows`` not yet in the outbox (for a dry run)."""
    from sqlalchemy import select

    from agencyflow.models import Notification

    table = Notification.__table__  # type: ignore[attr-defined]
    keys = [p.key for p in rows]
    existing: set[str] = set()
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start:start + _KEYS_PER_QUERY]
        existing.update(conn.execute(select(table.c.key).where(table.c.key.in_(chunk))).scalars())
    return set(keys) - existing
