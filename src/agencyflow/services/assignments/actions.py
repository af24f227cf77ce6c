"""What a viewer may do to an assignment now, and what the forms of those moves need.

:func:`available` combines the two rules that decide it — the permission table
(:mod:`agencyflow.domain.permissions`) and the lifecycle's table of moves
(:mod:`agencyflow.domain.lifecycle`), plus the extension rules of
:mod:`agencyflow.services.assignments.extensions` — so that a page offers exactly the moves the use
cases
would accept. The use cases still check everything themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.lifecycle import TRANSITIONS, UNFINISHED, Move, Status
from agencyflow.domain.permissions import Action, Actor, allowed
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.errors import NotFound
from agencyflow.models import Agency, Assignment, Evidence
from agencyflow.services.assignments import core
from agencyflow.services.assignments import evidence as evidence_store
from agencyflow.services.assignments.extensions import RUNNING, pending_request

#: The moves a page can offer, in the order it shows them.
MOVES = (Action.START, Action.PROGRESS, Action.COMPLETE, Action.SUBMIT, Action.APPROVE,
         Action.REJECT, Action.EXTEND, Action.DECIDE, Action.CONTRIBUTE, Action.REASSIGN,
         Action.CANCEL)

_LIFECYCLE_MOVE = {Action.START: Move.START, Action.COMPLETE: Move.COMPLETE,
                   Action.SUBMIT: Move.SUBMIT, Action.APPROVE: Move.APPROVE,
                   Action.REJECT: Move.REJECT, Action.CANCEL: Move.CANCEL}


def _state_allows(a: Assignment, action: Action, pending: bool) -> bool:
    state = Status(a.status)
    move = _LIFECYCLE_MOVE.get(action)
    if move is not None:
        if (move is Move.COMPLETE and a.review) or (move is Move.SUBMIT and not a.review):
            return False
        return (state, move) in TRANSITIONS
    if action is Action.PROGRESS:
        return state in (Status.OPEN, Status.IN_PROGRESS)
    if action is Action.EXTEND:
        return state in RUNNING and not pending
    if action is Action.DECIDE:
        return pending
    return state in UNFINISHED  # contribute, reassign


def available(session: Session, assignment_id: int, actor: Actor) -> list[Action]:
    """The moves ``actor`` may make on the assignment in its current state (four eyes
    included: nobody approves their own submission or decides their own request)."""
    a = core.load(session, assignment_id)
    request = pending_request(session, assignment_id)
    authors = {Action.DECIDE: request.requested_by if request else None}
    if Status(a.status) is Status.SUBMITTED:
        authors[Action.APPROVE] = core.submitter(session, a)
    return [m for m in MOVES
            if allowed(actor, m, lead=a.lead_code, cooperating=a.cooperating,
                       author=authors.get(m))
            and _state_allows(a, m, request is not None)]


def step_of(session: Session, assignment_id: int, actor: Actor) -> tuple[PlanSpec, StepSpec]:
    """The plan spec and step of an assignment the actor may read (for its outputs form)."""
    a = core.load(session, assignment_id)
    core.authorise(actor, Action.READ, a)
    return core.step_of(session, a)


def plan_agencies(session: Session, assignment_id: int) -> list[tuple[str, str]]:
    """(code, Vietnamese name) of the agencies of the assignment's plan (reassignment)."""
    a = core.load(session, assignment_id)
    stmt = (select(col(Agency.code), col(Agency.name_vi))
            .where(col(Agency.plan_key) == a.plan_key).order_by(col(Agency.code)))
    return [(code, name) for code, name in session.execute(stmt)]


@dataclass(frozen=True)
class EvidenceFile:
    """A stored evidence file to send: where it is, the name it was given and the media type
    it was stored with."""

    path: Path
    filename: str
    size: int | None
    content_type: str


def evidence_file(session: Session, evidence_id: int, actor: Actor, evidence_dir: Path
                  ) -> EvidenceFile:
    """The stored file of evidence ``evidence_id`` for an actor who may read its assignment."""
    row = session.get(Evidence, evidence_id)
    if row is None or row.sha256 is None:
        raise NotFound(f"evidence file {evidence_id} does not exist")
    core.authorise(actor, Action.READ, core.load(session, row.assignment_id))
    path = evidence_store.blob_path(evidence_dir, row.sha256)
    if not path.is_file():
        raise NotFound(f"evidence file {evidence_id} ({row.filename}) is missing from the store")
    name = row.filename or row.sha256
    return EvidenceFile(path, name, row.size,
                        row.content_type or evidence_store.content_type_of(name))


def authorise(session: Session, assignment_id: int, actor: Actor, action: Action) -> None:
    """PermissionDenied unless ``actor`` may make ``action`` on the assignment (checked before a
    form is even read, so that nobody learns anything from a form they may not send)."""
    core.authorise(actor, action, core.load(session, assignment_id))
