"""Assignments that need a person's attention: rows the reminder sweep could not handle.

The sweep (:mod:`agencyflow.services.reminders.sweeps`) records why on the row (``attention``, with
the
day in ``attention_on``) and stops sweeping it; fixing its dates or lead (an extension, a
reassignment) clears the flag. This module lists them for ``board`` and ``notifications`` (and
the web pages), on a plain DBAPI connection or a SQLAlchemy session alike.
"""

from __future__ import annotations

from typing import Any

from agencyflow.dbapi import fetch

#: At most this many flagged rows are listed (the count covers them all).
LISTED = 20

_SQL = """SELECT a.id, a.step_id, a.period, a.lead_code, a.attention, a.attention_on,
       count(*) OVER () AS total
FROM assignment AS a
WHERE a.attention IS NOT NULL{cycle}
ORDER BY a.id
LIMIT :listed"""


def needing_attention(conn: Any, cycle_id: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(how many assignments need attention, the first :data:`LISTED` of them)."""
    params: dict[str, Any] = {"listed": LISTED}
    cycle = ""
    if cycle_id is not None:
        cycle, params["cycle"] = " AND a.cycle_id = :cycle", cycle_id
    rows = fetch(conn, _SQL.format(cycle=cycle), params)
    listed = [{"id": r[0], "step_id": r[1], "period": r[2], "lead": r[3], "why": r[4],
               "since": r[5]} for r in rows]
    return (int(rows[0][6]) if rows else 0), listed
