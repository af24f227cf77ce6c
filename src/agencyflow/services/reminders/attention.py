"""Assignments that need a person's attention: rows the reminder sweep could not handle.

The sweep (:mod:`agencyflow.services.reminders.sweeps`) records why on the row (``attention``, with
the
day in ``attention_on``) and stops sweeping it; fixing its dates or lead (an extension, a
reassignment) clears the flag. This module lists them for ``board`` and ``notifications`` (and
the web pages), on a plain DBAPI connection or a SQLAlchemy session alike.

**In the reader's language.** The reason ends with the error the sweep met, worded deep in the
domain when it was raised, so the sweep words it in every language agencyflow speaks
(:func:`encode`: ``{"en": "…", "vi": "…"}`` in the same text column, no schema change) and the
list shows the reader's (:func:`reason_in`). A reason stored before this, plain text, is shown
as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agencyflow.dbapi import fetch
from agencyflow.i18n import DEFAULT_LANGUAGE, current_language


def encode(reasons: Mapping[str, str]) -> str:
    """The stored form of a reason worded in each language (language code → text)."""
    return json.dumps(dict(reasons), ensure_ascii=False, sort_keys=True)


def reason_in(stored: str | None, lang: str) -> str | None:
    """The stored reason in ``lang`` (else the default language's, else any); a plain-text
    reason as it is."""
    if not stored or not stored.startswith("{"):
        return stored
    try:
        reasons = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(reasons, dict) or not reasons:
        return stored
    return str(reasons.get(lang) or reasons.get(DEFAULT_LANGUAGE) or next(iter(reasons.values())))

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
    lang = current_language()
    listed = [{"id": r[0], "step_id": r[1], "period": r[2], "lead": r[3],
               "why": reason_in(r[4], lang), "since": r[5]} for r in rows]
    return (int(rows[0][6]) if rows else 0), listed
