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

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, select
from sqlmodel import col

from agencyflow.domain import reminders
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.models import Agency, Assignment, Cycle, PlanVersion
from agencyflow.services.plans import store as plans
from agencyflow.services.reminders.policy import office_hours_for

#: Context keys holding dates (stored as ISO text).
DATE_KEYS = frozenset({"due", "original_due", "document_date", "new_due"})


@dataclass(frozen=True)
class AgencyInfo:
    """An agency as notifications need it: display name, first tag, digest flag."""

    code: str
    name: str
    tag: str
    digest: bool


@dataclass(frozen=True)
class CycleInfo:
    """Everything a sweep needs about one cycle: the plan spec, hours, agencies, plan context."""

    cycle_id: int
    plan_key: str
    plan_hash: str
    spec: PlanSpec
    hours: reminders.OfficeHours
    agencies: Mapping[str, AgencyInfo]
    plan: Mapping[str, Any]

    def agency(self, code: str) -> AgencyInfo:
        """The agency ``code`` (an unknown code gets its lower-cased code as tag, no digest)."""
        found = self.agencies.get(code)
        return found or AgencyInfo(code, code, code.lower(), False)


def plan_context(spec: PlanSpec, lang: str) -> dict[str, Any]:
    """The ``plan`` part of a notification context."""
    document = spec.document
    return {
        "key": spec.key,
        "title": spec.title.get(lang),
        "document_number": document.number,
        "document_date": document.date.isoformat() if document.date else None,
        "authority": spec.authority.get(lang),
    }


def agencies(conn: Connection, plan_key: str, lang: str,
             codes: Collection[str] | None = None) -> dict[str, AgencyInfo]:
    """The plan's agencies (or only ``codes``) as notifications name and address them."""
    stmt = select(col(Agency.code), col(Agency.name_vi), col(Agency.name_en), col(Agency.tags),
                  col(Agency.digest)).where(col(Agency.plan_key) == plan_key)
    if codes is not None:
        stmt = stmt.where(col(Agency.code).in_(sorted(codes)))
    out: dict[str, AgencyInfo] = {}
    for code, name_vi, name_en, tags, digest in conn.execute(stmt):
        name = (name_en or name_vi) if lang == "en" else name_vi
        out[code] = AgencyInfo(code, name, (tags or [code.lower()])[0], bool(digest))
    return out


def load_cycles(conn: Connection, lang: str, cycle_id: int | None = None, *,
                with_agencies: bool = True) -> list[CycleInfo]:
    """Every cycle (or one) with its plan spec, office hours and (unless ``with_agencies`` is
    False: a sweep reads only the few it addresses by code) its agencies."""
    # The stored spec only: not the plan's source text (a national plan's is megabytes).
    stmt = select(col(Cycle.id), col(Cycle.plan_key), col(Cycle.plan_hash),
                  col(PlanVersion.content_hash), col(PlanVersion.spec_json)).join(
        PlanVersion, col(PlanVersion.id) == col(Cycle.plan_version_id)).order_by(col(Cycle.id))
    if cycle_id is not None:
        stmt = stmt.where(col(Cycle.id) == cycle_id)
    infos = []
    for cycle_key, plan_key, plan_hash, content_hash, spec_json in conn.execute(stmt).all():
        spec = plans.spec_from(content_hash, spec_json)
        infos.append(CycleInfo(
            cycle_id=cycle_key or 0, plan_key=plan_key, plan_hash=plan_hash,
            spec=spec, hours=office_hours_for(spec),
            agencies=agencies(conn, plan_key, lang) if with_agencies else {},
            plan=plan_context(spec, lang),
        ))
    return infos


def assignment_context(row: Mapping[str, Any], info: CycleInfo, lang: str,
                       days_left: int | None) -> dict[str, Any]:
    """The ``assignment`` part of a context from an assignment row (a mapping of columns)."""
    title = (row["title_en"] or row["title_vi"]) if lang == "en" else row["title_vi"]
    member = row["member"]
    return {
        "id": row["id"],
        "title": title,
        "step_id": row["step_id"],
        "clauses": list(row["clauses"] or []),
        "clause_labels": [info.spec.clause_label(c, lang) for c in row["clauses"] or []],
        "lead_code": row["lead_code"],
        "lead_name": info.agency(row["lead_code"]).name,
        "commune_code": member or None,
        "commune_name": info.agency(member).name if member else None,
        "cooperating_names": [info.agency(c).name for c in row["cooperating"] or []],
        "due": _iso(row["due_current"]),
        "original_due": _iso(row["due_original"]),
        "days_left": days_left,
        "status": row["status"],
    }


def item_context(row: Mapping[str, Any], info: CycleInfo, lang: str, *, recipient: str,
                 days_left: int | None, level: int = 0) -> dict[str, Any]:
    """The whole render context of an item notice (every kind but ``digest``) about the
    assignment ``row`` addressed to the agency ``recipient``: sweeps and use cases share it."""
    return {
        "assignment": assignment_context(row, info, lang, days_left),
        "plan": info.plan,
        "recipient_name": info.agency(recipient).name,
        "level": level,
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


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
