"""The render context of a notification: the facts its message is written from.

The outbox keeps facts, not text: messages are rendered when they are dispatched, so a template
fixed today applies to everything still waiting. The context follows the contract in
``notifications/README-context.md``. It comes from one of two places:

- a **sweep notice** (opened, reminder, due today, overdue, escalation) stores only its own facts
  in columns (kind, recipient, level, ``days_left``); :class:`RenderContexts` adds the assignment,
  the plan and the names when it is dispatched (so a reassigned lead is named as it is now);
- an **event notice** (completed, extension decided) and a digest store their whole context as
  JSON (``Notification.context``): it describes a moment that has passed.

Dates are stored as ISO text and turned back into dates by :func:`revive`. The link to the
assignment page is not stored: the renderer adds it from its configured base URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, select
from sqlmodel import col

from agencyflow.models import Assignment
from agencyflow.services.reminders.notice_facts import (
    DATE_KEYS,
    AgencyInfo,
    CycleInfo,
    agencies,
    assignment_context,
    item_context,
    load_cycles,
    plan_context,
)

__all__ = ["ASSIGNMENT_COLUMNS", "DATE_KEYS", "AgencyInfo", "CycleInfo", "RenderContexts",
           "agencies", "assignment_context", "item_context", "load_cycles", "plan_context",
           "revive"]

def revive(value: Any) -> Any:
    """A stored context with its ISO date strings (``DATE_KEYS``) turned back into dates."""
    if isinstance(value, dict):
        return {k: (_date(v) if k in DATE_KEYS else revive(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [revive(v) for v in value]
    return value


def _date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


_A = Assignment
#: The assignment columns a render context is built from.
ASSIGNMENT_COLUMNS = tuple(col(c) for c in (
    _A.id, _A.cycle_id, _A.step_id, _A.member, _A.lead_code, _A.cooperating, _A.clauses,
    _A.title_vi, _A.title_en, _A.due_original, _A.due_current, _A.opened_on, _A.status))


class RenderContexts:
    """Render contexts of outbox rows, with each cycle's plan and agencies read once (per
    language) for the life of the object — one dispatch run."""

    def __init__(self) -> None:
        self._cycles: dict[tuple[int, str], CycleInfo] = {}

    def _cycle(self, conn: Connection, cycle_id: int, lang: str) -> CycleInfo:
        found = self._cycles.get((cycle_id, lang))
        if found is None:
            [found] = load_cycles(conn, lang, cycle_id)
            self._cycles[(cycle_id, lang)] = found
        return found

    def of(self, conn: Connection, rows: Sequence[Mapping[str, Any]]
           ) -> list[dict[str, Any] | None]:
        """The context of each row (``assignment_id``, ``recipient_code``, ``lang``, ``level``,
        ``days_left``, ``context``), in order, with dates revived; None for a sweep notice whose
        assignment cannot be read (the dispatcher reports that row, the others go on)."""
        wanted = {r["assignment_id"] for r in rows if r["context"] is None}
        assignments: dict[int, Mapping[str, Any]] = {}
        ids = sorted(i for i in wanted if i is not None)
        for start in range(0, len(ids), 500):
            stmt = select(*ASSIGNMENT_COLUMNS).where(col(_A.id).in_(ids[start:start + 500]))
            # RowMapping is also keyed by column objects; it is only ever read by name here.
            assignments.update((r.id, cast(Mapping[str, Any], r._mapping))
                               for r in conn.execute(stmt))
        out: list[dict[str, Any] | None] = []
        for row in rows:
            if row["context"] is not None:
                out.append(revive(row["context"]))
                continue
            found = assignments.get(row["assignment_id"])
            if found is None:
                out.append(None)
                continue
            info = self._cycle(conn, found["cycle_id"], row["lang"])
            out.append(revive(item_context(found, info, row["lang"],
                                           recipient=row["recipient_code"],
                                           days_left=row["days_left"], level=row["level"])))
        return out
