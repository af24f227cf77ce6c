"""The facts a notification is written from, read with SQL text (no SQLAlchemy): the cycle's
plan and agencies, and the render context of an item notice (see
:mod:`agencyflow.services.reminders.notice_context`, which adds the dispatcher's reading of
stored notices). Sweeps, use cases and the CLI's quick writes share these functions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from agencyflow.dbapi import decode, fetch
from agencyflow.domain import reminders
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.services.plans import specs
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


def agencies(conn: Any, plan_key: str, lang: str,
             codes: Collection[str] | None = None) -> dict[str, AgencyInfo]:
    """The plan's agencies (or only ``codes``) as notifications name and address them
    (``conn``: a SQLAlchemy Session or Connection, or a DBAPI connection)."""
    sql = "SELECT code, name_vi, name_en, tags, digest FROM agency WHERE plan_key = :plan_key"
    params: dict[str, Any] = {"plan_key": plan_key}
    if codes is not None:
        params |= {f"code_{i}": c for i, c in enumerate(sorted(codes))}
        sql += f" AND code IN ({', '.join(':code_' + str(i) for i in range(len(codes))) or 'NULL'})"
    out: dict[str, AgencyInfo] = {}
    for code, name_vi, name_en, stored_tags, digest in fetch(conn, sql, params):
        tags = decode("json", stored_tags)
        name = (name_en or name_vi) if lang == "en" else name_vi
        out[code] = AgencyInfo(code, name, (tags or [code.lower()])[0], bool(digest))
    return out


def load_cycles(conn: Any, lang: str, cycle_id: int | None = None, *,
                with_agencies: bool = True) -> list[CycleInfo]:
    """Every cycle (or one) with its plan spec, office hours and (unless ``with_agencies`` is
    False: a sweep reads only the few it addresses by code) its agencies."""
    # The stored spec only: not the plan's source text (a national plan's is megabytes).
    sql = ("SELECT c.id, c.plan_key, c.plan_hash, pv.content_hash, pv.spec_json FROM cycle c "
           "JOIN plan_version pv ON pv.id = c.plan_version_id")
    if cycle_id is not None:
        sql += " WHERE c.id = :cycle"
    infos = []
    for cycle_key, plan_key, plan_hash, content_hash, spec_json in fetch(
            conn, sql + " ORDER BY c.id", {"cycle": cycle_id} if cycle_id is not None else {}):
        spec = specs.spec_from(content_hash, spec_json)
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
