"""The read model of one assignment: everything a user needs on one screen.

``show`` returns JSON-ready data (dates as ISO strings): the assignment, its step (title, clauses,
declared outputs), the lead and cooperating agencies with names, the history (its audit events,
each with its real ``recorded_at`` and the ``claim`` of its business time), ``recorded_later``
(who recorded the current state later, as a late entry, and why; None when nobody did),
extension requests, contributions, evidence, and its official board status on ``now``'s day — the
same SQL rule the board uses (:data:`agencyflow.services.board.listing.STATUS_SQL`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import local_date
from agencyflow.domain.clock import LATE
from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.permissions import Action, Actor
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.domain.status import LABELS, BoardStatus
from agencyflow.models import Assignment, AuditEvent, Contribution, ExtensionRequest
from agencyflow.services.assignments import core, evidence
from agencyflow.services.board import asof
from agencyflow.services.board import listing as board

_FIELDS = ("id", "version", "cycle_id", "plan_key", "year", "step_id", "period", "member",
           "lead_code", "cooperating", "clauses", "title_vi", "title_en", "review", "status",
           "due_original", "due_current", "opened_on", "started_at", "submitted_at",
           "completed_at", "completed_on", "completed_by", "outputs", "note", "next_notice_on",
           "recorded_at", "recorded_late_by")


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(obj: Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    data = obj.model_dump() if fields is None else {f: getattr(obj, f) for f in fields}
    return {k: _json(v) for k, v in data.items()}


def show(session: Session, assignment_id: int, actor: Actor, *, now: datetime,
         calendar: DayCounter) -> dict[str, Any]:
    """Everything about one assignment as it was known at ``now`` (see
    :mod:`agencyflow.services.board.asof`): its fields, lead and due date then, its board status on
    ``now``'s day, and only the history, extension decisions, contributions and evidence
    recorded by then."""
    a = core.load(session, assignment_id)
    core.authorise(actor, Action.READ, a)
    spec, step = core.step_of(session, a)
    names = board.agency_names(session, a.plan_key)
    today = local_date(now)
    status = board.status_of(session, a.id or 0, today=today, calendar=calendar,
                             late_against=spec.late_against.value, known_at=now)
    fields = {f: getattr(a, f) for f in _FIELDS} | (asof.row(session, assignment_id, now) or {})
    return {
        "assignment": {k: _json(v) for k, v in fields.items()},
        "step": _step(step),
        "lead": {"code": fields["lead_code"], "name": names.get(fields["lead_code"])},
        "cooperating": [{"code": c, "name": names.get(c)} for c in fields["cooperating"]],
        "board_status": status.value,
        "board_label": LABELS[status],
        "today": today.isoformat(),
        "late_against": spec.late_against.value,
        "history": (events := history(session, assignment_id, known_at=now)),
        "recorded_later": recorded_later(a, events),
        "extensions": [_extension(e, now) for e in _all(session, ExtensionRequest, assignment_id)
                       if asof.known(e.requested_at, now)],
        "contributions": [_row(c) for c in _all(session, Contribution, assignment_id)
                          if asof.known(c.at, now)],
        "evidence": [_row(e) for e in evidence.list_for(session, assignment_id)
                     if asof.known(e.added_at, now)],
    }


def _extension(ext: ExtensionRequest, now: datetime) -> dict[str, Any]:
    """An extension request as known at ``now``: pending if it was decided later."""
    row = _row(ext)
    if ext.decided_at is not None and not asof.known(ext.decided_at, now):
        row |= {"status": "pending", "decided_by": None, "decided_at": None,
                "decision_reason": None}
    return row


def _step(step: StepSpec) -> dict[str, Any]:
    return {"id": step.id, "title": step.title.model_dump(), "clauses": list(step.clauses),
            "review": step.review, "depends_on": list(step.depends_on),
            "outputs": [{"name": o.name, "type": o.type.value, "required": o.required,
                         "label": o.label.vi} for o in step.outputs]}


def _all(session: Session, model: Any, assignment_id: int) -> list[Any]:
    stmt = select(model).where(model.assignment_id == assignment_id).order_by(model.id)
    return list(session.execute(stmt).scalars())


def history(session: Session, assignment_id: int, known_at: datetime | None = None
            ) -> list[dict[str, Any]]:
    """The audit events of an assignment, in chain order (those known at ``known_at``)."""
    stmt = (select(AuditEvent)
            .where(col(AuditEvent.target_type) == core.TARGET,
                   col(AuditEvent.target_id) == str(assignment_id))
            .order_by(col(AuditEvent.seq)))
    return [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
             "before": e.before, "after": e.after, "reason": e.reason,
             "recorded_at": _json(e.recorded_at), "claim": e.claim,
             "claim_reason": e.claim_reason}
            for e in session.execute(stmt).scalars()
            if known_at is None or asof.known(asof.known_at(e), known_at)]


def recorded_later(a: Assignment, events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Who recorded the assignment's current state later, when, for which day and why (None
    when its last change was recorded as it happened)."""
    if not a.recorded_late_by:
        return None
    late = next((e for e in reversed(events) if e["claim"] == LATE), None)
    if late is None:
        return {"by": a.recorded_late_by, "recorded_at": _json(a.recorded_at)}
    return {"by": late["actor"], "recorded_at": late["recorded_at"], "at": late["at"],
            "action": late["action"], "reason": late["claim_reason"]}


def board_status(session: Session, a: Assignment, spec: PlanSpec, *, today: date,
                 calendar: DayCounter) -> BoardStatus:
    """The official status of ``a`` on ``today`` (as it is now), by the board's own SQL rule."""
    return board.status_of(session, a.id or 0, today=today, calendar=calendar,
                           late_against=spec.late_against.value)
