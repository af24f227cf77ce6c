"""What every assignment use case shares: load, check permission, write with a version check, audit.

A change is written with one ``UPDATE assignment SET …, version = version + 1 WHERE id = :id AND
version = :v``. When no row matches, someone else changed the assignment since it was read and
:class:`~agencyflow.errors.ConflictError` is raised; the caller's transaction then rolls back, so
nothing is half-written (the audit event is appended in the same transaction, after the update).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col

from agencyflow.domain.clock import LATE
from agencyflow.domain.ids import storable
from agencyflow.domain.lifecycle import Move, Status, next_status
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.errors import ConflictError, NotFound, TransitionError, ValidationError
from agencyflow.models import Assignment, Cycle
from agencyflow.services.audit import trail as audit
from agencyflow.services.plans import store as plans

#: ``target_type`` of audit events about assignments.
TARGET = "assignment"


def load(session: Session, assignment_id: int) -> Assignment:
    """The assignment with ``assignment_id`` (fresh from the database), or NotFound."""
    row = (session.get(Assignment, assignment_id, populate_existing=True)
           if storable(assignment_id) else None)
    if row is None:
        raise NotFound(f"assignment {assignment_id} does not exist")
    return row


def begin(session: Session, assignment_id: int, actor: Actor, action: Action,
          expected_version: int | None = None, *, author: str | None = None) -> Assignment:
    """Load, check permission, then the version the user acted on (before any state check).

    ``author``: who asked for what ``action`` decides (four eyes, see domain.permissions)."""
    a = load(session, assignment_id)
    authorise(actor, action, a, author=author)
    check_version(a, expected_version)
    return a


def label(a: Assignment) -> str:
    """How errors and permission messages name an assignment: ``12 (XA-4 XA-KIM-LUONG)``."""
    return f"{a.id} ({a.step_id} {a.lead_code})"


def authorise(actor: Actor, action: Action, a: Assignment, *, author: str | None = None
              ) -> None:
    """Raise PermissionDenied unless ``actor`` may take ``action`` on ``a`` (deciding on
    something ``author`` asked for)."""
    require(actor, action, target=f"assignment {label(a)}", lead=a.lead_code,
            cooperating=a.cooperating, author=author)


def submitter(session: Session, a: Assignment) -> str | None:
    """Who handed in ``a``'s current submission (the actor of its last submit event)."""
    return audit.last_actor(session, target_type=TARGET, target_id=a.id or 0,
                            action=Action.SUBMIT.value)


def move(a: Assignment, which: Move) -> Status:
    """The state ``which`` leads to from ``a``'s state (TransitionError if refused)."""
    return next_status(a.status, which, review=a.review, label=label(a))


def require_state(a: Assignment, allowed: Iterable[Status], doing: str) -> None:
    """Raise TransitionError unless ``a`` is in one of the ``allowed`` states."""
    allowed = list(allowed)
    if Status(a.status) not in allowed:
        names = ", ".join(s.value for s in allowed)
        raise TransitionError(
            f"assignment {label(a)} is {a.status}: cannot {doing} (only when {names})")


def require_reason(reason: str | None, doing: str) -> str:
    """The stripped reason, or ValidationError when it is missing."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(f"a reason is required to {doing}")
    return text


def check_version(a: Assignment, expected_version: int | None) -> int:
    """The version to update from: ``expected_version`` (what the user saw) or the one loaded."""
    if expected_version is not None and expected_version != a.version:
        raise ConflictError(
            f"assignment {label(a)} is at version {a.version}, you acted on version "
            f"{expected_version}: someone changed it meanwhile; show it again and retry")
    return a.version


def write(session: Session, a: Assignment, changes: Mapping[str, Any], *,
          expected_version: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply ``changes`` with the optimistic version check; return (before, after) for the audit.

    ``before``/``after`` hold only the changed fields plus the version. ``a`` is refreshed.
    """
    version = check_version(a, expected_version)
    before = {k: getattr(a, k) for k in changes} | {"version": version}
    stmt = (update(Assignment)
            .where(col(Assignment.id) == a.id, col(Assignment.version) == version)
            .values(**changes, version=Assignment.version + 1))
    result = session.execute(stmt, execution_options={"synchronize_session": False})
    if cast(CursorResult[Any], result).rowcount != 1:
        raise ConflictError(
            f"assignment {label(a)} was changed by someone else since version {version}: "
            "nothing was saved; show it again and retry")
    session.refresh(a)
    return before, dict(changes) | {"version": a.version}


def record(session: Session, a: Assignment, *, actor: Actor | str, now: datetime, action: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           reason: str | None = None) -> None:
    """Append the audit event of a change to ``a`` (same transaction). A change (``before``
    given: :func:`write` made it) also stamps the row with the event's real time and, for a
    late entry, who recorded it later (``recorded_late_by``, shown on the board)."""
    event = audit.record(session, now=now, actor=actor, action=action, target_type=TARGET,
                         target_id=a.id or 0, before=before, after=after, reason=reason,
                         opened_on=a.opened_on)
    if before is None:
        return
    late_by = event.actor if event.claim == LATE else None
    session.execute(update(Assignment).where(col(Assignment.id) == a.id)
                    .values(recorded_at=event.recorded_at, recorded_late_by=late_by),
                    execution_options={"synchronize_session": False})
    a.recorded_at, a.recorded_late_by = event.recorded_at, late_by


def cycle_of(session: Session, a: Assignment) -> Cycle:
    """The cycle ``a`` belongs to."""
    cycle = session.get(Cycle, a.cycle_id)
    if cycle is None:
        raise NotFound(f"cycle {a.cycle_id} of assignment {label(a)} does not exist")
    return cycle


def spec_for(session: Session, cycle: Cycle) -> PlanSpec:
    """The plan spec the cycle was started from."""
    return plans.spec_of(plans.by_id(session, cycle.plan_version_id))


def step_of(session: Session, a: Assignment) -> tuple[PlanSpec, StepSpec]:
    """The plan spec and the step ``a`` was created from."""
    spec = spec_for(session, cycle_of(session, a))
    return spec, spec.step(a.step_id)


def iso(value: date | None) -> str | None:
    """A date as ``YYYY-MM-DD`` (None stays None)."""
    return value.isoformat() if value else None
