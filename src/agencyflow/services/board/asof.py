"""Assignments as they were known at a moment: the one place that derives past state.

Every change of an assignment is an audit event whose ``before`` holds the old value of each field
it changed (:func:`agencyflow.services.assignments.core.write`), so the state known at a moment
``T`` is the current row with every change recorded after ``T`` undone: for each field, the
``before`` value of the *first* event after ``T`` that changed it, else the current value. The
audit trail is the history: nothing else has to be written on every change (which a second
history table would need, in every use case and in bulk cycle starts), and the past shown is the
hash-chained record an inspector verifies.

"Known" means recorded: an event counts from the moment it was recorded (:data:`KNOWN`), its
``recorded_at`` (the real clock of the write), not the business time ``at`` it claims. A
coordinator's late entry recorded on 20/03 for work done on 15/03 is not on the board of 16/03;
from 20/03 on it shows as done on 15/03. In a simulation (``claim = 'simulated'``: the demo, the
tests, a training site) the simulated clock is the only time there is, so such an event is known
at its ``at``; so is an event of a trail older than ``recorded_at`` (None).

:func:`source` is a SQL ``FROM`` item that reads like the ``assignment`` table (same column names,
the same types on SQLite and PostgreSQL, alias ``a``), so the board's status SQL, filters and
counts run on it unchanged; it is set-based: the events after ``T`` are read once through the
``(target_type, recorded_at)`` and ``(target_type, at)`` indexes, unpivoted into one row per
changed field, the first per assignment and field kept (a window function), pivoted back and
joined to the assignments. When nothing was recorded after ``T`` (:func:`is_current`, a probe of
the same indexes) the caller reads the table itself: the present costs what it always did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from agencyflow.dbapi import dialect_of, fetch
from agencyflow.domain.clock import SIMULATED

#: Whether an audit event ``e`` became known after ``:asof`` (SQL): recorded after it, or, for a
#: simulated event or one without ``recorded_at``, claimed after it. Written as two ranges so that
#: each is one index range scan (``(target_type, recorded_at)``, ``(target_type, at)``).
KNOWN_AFTER = ("((e.recorded_at > :asof AND (e.claim IS NULL OR e.claim <> 'simulated')) OR "
               "(e.at > :asof AND (e.claim = 'simulated' OR e.recorded_at IS NULL)))")

#: The fields an assignment event may change that a reader of the past needs, and their kind:
#: ``date`` (ISO date text in the event), ``datetime`` (ISO UTC text ending in Z), ``text``,
#: ``int`` or ``json`` (lists and objects, kept as JSON text like the columns).
FIELDS: dict[str, str] = {
    "status": "text", "lead_code": "text", "cooperating": "json", "due_original": "date",
    "due_current": "date", "opened_on": "date", "completed_on": "date",
    "completed_at": "datetime", "completed_by": "text", "started_at": "datetime",
    "submitted_at": "datetime", "outputs": "json", "note": "text", "version": "int",
}

#: Columns of ``assignment`` that no event changes (the plan decided them at the cycle start).
FIXED = ("id", "cycle_id", "plan_key", "year", "step_id", "period", "member", "clauses",
         "title_vi", "title_en", "review", "recorded_late_by")

LATER_SQL = ("SELECT 1 FROM audit_event e WHERE e.target_type = 'assignment' AND "
             f"{KNOWN_AFTER} LIMIT 1")


def known_at(event: Mapping[str, Any]) -> datetime:
    """When an audit event (``at``, ``recorded_at`` and ``claim``, aware datetimes) became known:
    :data:`KNOWN_AFTER` in Python."""
    recorded = event.get("recorded_at")
    if recorded is None or event.get("claim") == SIMULATED:
        return event["at"]  # type: ignore[no-any-return]
    return recorded  # type: ignore[no-any-return]


def known(recorded: datetime, moment: datetime) -> bool:
    """Whether something recorded at ``recorded`` was known at ``moment`` (both aware)."""
    return recorded <= moment


def utc_naive(moment: datetime) -> datetime:
    """``moment`` as the database stores times: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def is_current(conn: Any, moment: datetime | None) -> bool:
    """True when nothing about any assignment was recorded after ``moment`` (None: now), so the
    stored rows are the state known then."""
    if moment is None:
        return True
    return not fetch(conn, LATER_SQL, params(moment))


def _json_parts(dialect: str) -> tuple[str, str, str]:
    """(the parsed ``before`` in the CTE, "field present" and "field value as text") in
    ``dialect``; ``{f}`` stands for the field name."""
    if dialect == "postgresql":
        return ("CAST(e.before AS jsonb)", "(l.b -> '{f}') IS NOT NULL", "(l.b ->> '{f}')")
    return ("e.before", "json_type(l.b, '$.{f}') IS NOT NULL",
            "(CASE json_type(l.b, '$.{f}') WHEN 'null' THEN NULL "
            "WHEN 'array' THEN json(json_extract(l.b, '$.{f}')) "
            "WHEN 'object' THEN json(json_extract(l.b, '$.{f}')) "
            "ELSE CAST(json_extract(l.b, '$.{f}') AS TEXT) END)")


def _typed(dialect: str, kind: str, expr: str) -> str:
    """``expr`` (text from an event) in the column's type on ``dialect``."""
    if dialect == "postgresql":
        return {"date": f"CAST({expr} AS DATE)", "int": f"CAST({expr} AS INTEGER)",
                "datetime": f"(CAST({expr} AS timestamptz) AT TIME ZONE 'UTC')"}.get(kind, expr)
    return f"CAST({expr} AS INTEGER)" if kind == "int" else expr


def source(conn: Any, fields: tuple[str, ...] | None = None) -> str:
    """A ``FROM`` item, alias ``a``, with the columns of ``assignment`` (:data:`FIXED` and
    ``fields``, default all of :data:`FIELDS`) as known at ``:asof`` (bind it with
    :func:`params`)."""
    dialect = dialect_of(conn)
    chosen = fields or tuple(FIELDS)
    parsed, has, get = _json_parts(dialect)
    changes = "\n    UNION ALL ".join(
        f"SELECT l.aid, l.seq, '{f}' AS field, {get.format(f=f)} AS value FROM later l "
        f"WHERE {has.format(f=f)}" for f in chosen)
    pivot = ",\n    ".join(
        f"max(CASE WHEN field = '{f}' THEN 1 ELSE 0 END) AS n_{f}, "
        f"max(CASE WHEN field = '{f}' THEN value END) AS v_{f}" for f in chosen)
    columns = ", ".join(f"a.{c}" for c in FIXED) + ", " + ", ".join(
        f"CASE WHEN u.n_{f} = 1 THEN {_typed(dialect, FIELDS[f], f'u.v_{f}')} ELSE a.{f} END "
        f"AS {f}" for f in chosen)
    id_type = "BIGINT" if dialect == "postgresql" else "INTEGER"
    return f"""(WITH later AS (
    SELECT CAST(e.target_id AS {id_type}) AS aid, e.seq, {parsed} AS b FROM audit_event e
    WHERE e.target_type = 'assignment' AND {KNOWN_AFTER} AND e.before IS NOT NULL),
  changes AS (
    {changes}),
  firsts AS (
    SELECT aid, field, value, ROW_NUMBER() OVER (PARTITION BY aid, field ORDER BY seq) AS rn
    FROM changes),
  undo AS (
    SELECT aid,
    {pivot}
    FROM firsts WHERE rn = 1 GROUP BY aid)
  SELECT {columns}
  FROM assignment a LEFT JOIN undo u ON u.aid = a.id) a"""


def params(moment: datetime) -> dict[str, Any]:
    """The parameters of :func:`source` for the state known at ``moment``."""
    return {"asof": utc_naive(moment)}


def row(conn: Any, assignment_id: int, moment: datetime | None) -> dict[str, Any] | None:
    """The changeable fields (:data:`FIELDS`) of one assignment as known at ``moment``, typed
    like the model's (dates, aware UTC datetimes, decoded JSON); None when nothing about any
    assignment was recorded after ``moment`` (the stored row is that state) or there is no such
    assignment."""
    if moment is None or is_current(conn, moment):
        return None
    names = tuple(FIELDS)
    sql = f"SELECT {', '.join('a.' + f for f in names)} FROM {source(conn)} WHERE a.id = :id"
    found = fetch(conn, sql, {"id": assignment_id, **params(moment)})
    if not found:
        return None
    return {f: typed(FIELDS[f], v) for f, v in zip(names, found[0], strict=True)}


def typed(kind: str, value: Any) -> Any:
    """A stored value of ``kind`` (a :data:`FIELDS` kind) as the model types it, whichever
    database gave it: SQLite's ISO text becomes a date or an aware UTC datetime."""
    if value is None:
        return None
    if kind == "date":
        return date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    if kind == "int":
        return int(value)
    if kind == "datetime":  # event text ends in Z; a stored SQLite value is naive UTC text
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return value
