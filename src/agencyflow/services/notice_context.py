"""What a sweep stores with each notification so that it can be rendered later.

The outbox keeps the *facts* of a notice (``Notification.context``, JSON), not its text: messages
are rendered when they are dispatched, so a template fixed today applies to everything still
waiting. The context follows the contract in ``notifications/README-context.md``; dates are stored
as ISO text and turned back into dates by :func:`revive`. The link to the assignment page is not
stored: the renderer adds it from its configured base URL at dispatch time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Session

from agencyflow.domain import reminders
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.models import Agency, Cycle, PlanVersion
from agencyflow.services import plans
from agencyflow.services.policy import office_hours_for

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
    return {
        "title": spec.title.get(lang),
        "document_number": spec.document.number,
        "document_date": spec.document.date.isoformat(),
        "authority": spec.authority.get(lang),
    }


def _agencies(conn: Connection, plan_key: str, lang: str) -> dict[str, AgencyInfo]:
    stmt = select(Agency.code, Agency.name_vi, Agency.name_en, Agency.tags, Agency.digest).where(
        Agency.plan_key == plan_key)
    out: dict[str, AgencyInfo] = {}
    for code, name_vi, name_en, tags, digest in conn.execute(stmt):
        name = (name_en or name_vi) if lang == "en" else name_vi
        out[code] = AgencyInfo(code, name, (tags or [code.lower()])[0], bool(digest))
    return out


def load_cycles(conn: Connection, lang: str, cycle_id: int | None = None) -> list[CycleInfo]:
    """Every cycle (or one) with its plan spec, office hours and agencies."""
    stmt = select(Cycle, PlanVersion).join(PlanVersion, PlanVersion.id == Cycle.plan_version_id)
    if cycle_id is not None:
        stmt = stmt.where(Cycle.id == cycle_id)
    infos = []
    with Session(bind=conn) as session:
        found = session.execute(stmt).all()
    for cycle, version in found:
        spec = plans.spec_of(version)
        infos.append(CycleInfo(
            cycle_id=cycle.id or 0, plan_hash=cycle.plan_hash, spec=spec,
            hours=office_hours_for(spec), agencies=_agencies(conn, cycle.plan_key, lang),
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
        "lead_code": row["lead_code"],
        "lead_name": info.agency(row["lead_code"]).name,
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
