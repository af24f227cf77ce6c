"""The read model of one assignment: everything a user needs on one screen.

``show`` returns JSON-ready data (dates as ISO strings): the assignment, its step (title, clauses,
declared outputs), the lead and cooperating agencies with names, the history (its audit events,
each with its real ``recorded_at`` and the ``claim`` of its business time), ``recorded_later``
(who recorded the current state later, as a late entry, and why; None when nobody did),
extension requests, contributions, evidence, and its official board status on ``now``'s day — the
same SQL rule the board uses (:data:`agencyflow.services.board.listing.STATUS_SQL`).

Every read is SQL text run by :func:`agencyflow.dbapi.fetch`, so this one function serves a
SQLAlchemy session (the web app, the API, the CLI's full path) and a plain DBAPI connection
(``agencyflow assignment show``, which then imports no SQLAlchemy, SQLModel nor pydantic): the
values are decoded here from what the driver gives, as the tables' column types decode them.
The step comes from the stored spec (``plan_version.spec_json``), read as JSON.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from agencyflow.dbapi import decode, fetch
from agencyflow.domain.calendar import local_date
from agencyflow.domain.clock import LATE
from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.ids import storable
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.status import LABELS
from agencyflow.errors import NotFound
from agencyflow.i18n import _
from agencyflow.services.board import asof
from agencyflow.services.board import listing as board

#: The assignment's columns shown, and how each is decoded (see :func:`agencyflow.dbapi.decode`).
FIELDS: dict[str, str] = {
    "id": "int", "version": "int", "cycle_id": "int", "plan_key": "text", "year": "int",
    "step_id": "text", "period": "text", "member": "text", "lead_code": "text",
    "cooperating": "json", "clauses": "json", "title_vi": "text", "title_en": "text",
    "review": "bool", "status": "text", "due_original": "date", "due_current": "date",
    "opened_on": "date", "started_at": "datetime", "submitted_at": "datetime",
    "completed_at": "datetime", "completed_on": "date", "completed_by": "text",
    "outputs": "json", "note": "text", "next_notice_on": "date", "recorded_at": "datetime",
    "recorded_late_by": "text"}
#: The rows listed with an assignment: table → columns (in the order of the model) and kinds.
_LISTED: dict[str, dict[str, str]] = {
    "extension_request": {
        "id": "int", "assignment_id": "int", "requested_by": "text", "requested_at": "datetime",
        "old_due": "date", "new_due": "date", "reason": "text", "status": "text",
        "decided_by": "text", "decided_at": "datetime", "decision_reason": "text"},
    "contribution": {
        "id": "int", "assignment_id": "int", "agency_code": "text", "author": "text",
        "at": "datetime", "comment": "text", "figures": "json"},
    "evidence": {
        "id": "int", "assignment_id": "int", "contribution_id": "int", "sha256": "text",
        "filename": "text", "size": "int", "link": "text", "added_by": "text",
        "added_at": "datetime"},
}
#: The audit event columns of the history, and their kinds.
_EVENT: dict[str, str] = {
    "seq": "int", "at": "datetime", "actor": "text", "action": "text", "before": "json",
    "after": "json", "reason": "text", "recorded_at": "datetime", "claim": "text",
    "claim_reason": "text"}
#: The audit trail's name for assignments (``audit_event.target_type``).
TARGET = "assignment"

SPEC_SQL = """SELECT pv.spec_json FROM cycle c JOIN plan_version pv ON pv.id = c.plan_version_id
WHERE c.id = :cycle"""


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def select(conn: Any, table: str, columns: dict[str, str], where: str,
            params: dict[str, Any], order: str = "id") -> list[dict[str, Any]]:
    """Rows of ``table`` as dicts of decoded values."""
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {where} ORDER BY {order}"
    return [{c: decode(k, v) for (c, k), v in zip(columns.items(), row, strict=True)}
            for row in fetch(conn, sql, params)]


def label(fields: dict[str, Any]) -> str:
    """How errors and permission messages name an assignment: ``12 (XA-4 XA-KIM-LUONG)``."""
    return f"{fields['id']} ({fields['step_id']} {fields['lead_code']})"


def not_found(assignment_id: int) -> NotFound:
    """The error for an assignment id that names none."""
    return NotFound(_("assignment {id} does not exist").format(id=assignment_id))


def show(conn: Any, assignment_id: int, actor: Actor, *, now: datetime,
         calendar: DayCounter) -> dict[str, Any]:
    """Everything about one assignment as it was known at ``now`` (see
    :mod:`agencyflow.services.board.asof`): its fields, lead and due date then, its board status on
    ``now``'s day, and only the history, extension decisions, contributions and evidence
    recorded by then. ``conn``: a SQLAlchemy session or a DBAPI connection."""
    if hasattr(conn, "flush"):  # a session: what it holds unwritten is part of the state
        conn.flush()
    found = select(conn, "assignment", FIELDS, "id = :id", {"id": assignment_id}
                    ) if storable(assignment_id) else []
    if not found:
        raise not_found(assignment_id)
    current = found[0]
    require(actor, Action.READ, target=_("assignment {label}").format(label=label(current)),
            lead=current["lead_code"], cooperating=current["cooperating"])
    spec = _spec(conn, current)
    step = _step(conn, spec, current)
    names = board.agency_names(conn, current["plan_key"])
    today = local_date(now)
    status = board.status_of(conn, assignment_id, today=today, calendar=calendar,
                             late_against=spec["late_against"], known_at=now)
    fields = current | (asof.row(conn, assignment_id, now) or {})
    events = history(conn, assignment_id, known_at=now)
    return {
        "assignment": {k: _json(v) for k, v in fields.items()},
        "step": step,
        "lead": {"code": fields["lead_code"], "name": names.get(fields["lead_code"])},
        "cooperating": [{"code": c, "name": names.get(c)} for c in fields["cooperating"]],
        "board_status": status.value,
        "board_label": LABELS[status],
        "today": today.isoformat(),
        "late_against": spec["late_against"],
        "history": events,
        "recorded_later": recorded_later(current, events),
        **_listed(conn, assignment_id, now),
    }


def _spec(conn: Any, a: dict[str, Any]) -> dict[str, Any]:
    """The stored spec (as JSON data) of the plan version ``a``'s cycle was started from."""
    found = fetch(conn, SPEC_SQL, {"cycle": a["cycle_id"]})
    if not found:
        raise NotFound(_("cycle {cycle} of assignment {label} does not exist").format(
            cycle=a["cycle_id"], label=label(a)))
    return json.loads(found[0][0])  # type: ignore[no-any-return]


#: The plan's stored versions, newest first (a step a migration removed is in an older one).
VERSIONS_SQL = "SELECT spec_json FROM plan_version WHERE key = :key ORDER BY version DESC"


def _step(conn: Any, spec: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
    step = next((s for s in spec["steps"] if s["id"] == a["step_id"]), None)
    for (text,) in ([] if step else fetch(conn, VERSIONS_SQL, {"key": a["plan_key"]})):
        step = next((s for s in json.loads(text)["steps"] if s["id"] == a["step_id"]), None)
        if step is not None:
            break
    if step is None:
        raise NotFound(_("step {step} of assignment {label} is not in its plan").format(
            step=a["step_id"], label=label(a)))
    return {"id": step["id"], "title": step["title"], "clauses": list(step["clauses"]),
            "review": step["review"], "depends_on": list(step["depends_on"]),
            "outputs": [{"name": o["name"], "type": o["type"], "required": o["required"],
                         "label": o["label"]["vi"]} for o in step["outputs"]]}


def _listed(conn: Any, assignment_id: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Extension requests, contributions and evidence recorded by ``now``."""
    rows = {table: select(conn, table, columns, "assignment_id = :id", {"id": assignment_id})
            for table, columns in _LISTED.items()}
    return {
        "extensions": [_extension(e, now) for e in rows["extension_request"]
                       if asof.known(e["requested_at"], now)],
        "contributions": [{k: _json(v) for k, v in c.items()} for c in rows["contribution"]
                          if asof.known(c["at"], now)],
        "evidence": [{k: _json(v) for k, v in e.items()} for e in rows["evidence"]
                     if asof.known(e["added_at"], now)],
    }


def _extension(ext: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An extension request as known at ``now``: pending if it was decided later."""
    row = {k: _json(v) for k, v in ext.items()}
    if ext["decided_at"] is not None and not asof.known(ext["decided_at"], now):
        row |= {"status": "pending", "decided_by": None, "decided_at": None,
                "decision_reason": None}
    return row


def history(conn: Any, assignment_id: int, known_at: datetime | None = None
            ) -> list[dict[str, Any]]:
    """The audit events of an assignment, in chain order (those known at ``known_at``)."""
    events = select(conn, "audit_event", _EVENT, "target_type = :type AND target_id = :id",
                     {"type": TARGET, "id": str(assignment_id)}, order="seq")
    return [{k: _json(v) for k, v in e.items()} for e in events
            if known_at is None or asof.known(asof.known_at(e), known_at)]


def recorded_later(a: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Who recorded the assignment's current state later, when, for which day and why (None
    when its last change was recorded as it happened)."""
    if not a["recorded_late_by"]:
        return None
    late = next((e for e in reversed(events) if e["claim"] == LATE), None)
    if late is None:
        return {"by": a["recorded_late_by"], "recorded_at": _json(a["recorded_at"])}
    return {"by": late["actor"], "recorded_at": late["recorded_at"], "at": late["at"],
            "action": late["action"], "reason": late["claim_reason"]}
