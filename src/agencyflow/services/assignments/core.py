"""What every assignment use case shares: load, check permission, write with a version check, audit.

A change is written with one ``UPDATE assignment SET …, version = version + 1 WHERE id = :id AND
version = :v``. When no row matches, someone else changed the assignment since it was read and
:class:`~agencyflow.errors.ConflictError` is raised; the caller's transaction then rolls back, so
nothing is half-written (the audit event is appended in the same transaction, after the update).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from agencyflow.domain.clock import LATE
from agencyflow.domain.ids import storable
from agencyflow.domain.lifecycle import Move, Status, next_status
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.errors import ConflictError, NotFound, TransitionError, ValidationError
from agencyflow.i18n import _
from agencyflow.labels import label as words
from agencyflow.models import Assignment, Cycle
from agencyflow.services.audit import trail as audit
from agencyflow.services.plans import store as plans

#: ``target_type`` of audit events about assignments.
TARGET = "assignment"


def load(session: Session, assignment_id: int) -> Assignment:
    """The assignment with ``assignment_id`` (fresh from the database), or NotFound."""
    return load_many(session, [assignment_id])[0]


#: Ids per ``SELECT … WHERE id IN (…)`` of :func:`load_many`.
CHUNK = 500


def load_many(session: Session, assignment_ids: Sequence[int]) -> list[Assignment]:
    """The assignments with ``assignment_ids``, in that order, fresh from the database (a
    query per :data:`CHUNK` ids); NotFound names the first that does not exist."""
    wanted = [i for i in assignment_ids if storable(i)]
    found: dict[int, Assignment] = {}
    for start in range(0, len(wanted), CHUNK):
        stmt = (select(Assignment).where(col(Assignment.id).in_(wanted[start:start + CHUNK]))
                .execution_options(populate_existing=True))
        found |= {a.id or 0: a for a in session.execute(stmt).scalars()}
    missing = next((i for i in assignment_ids if i not in found), None)
    if missing is not None:
        raise NotFound(_("assignment {id} does not exist").format(id=missing))
    return [found[i] for i in assignment_ids]


def begin(session: Session, assignment_id: int, actor: Actor, action: Action,
          expected_version: int | None = None, *, author: str | None = None) -> Assignment:
    """Load, check permission, then the version the user acted on (before any state check).

    ``author``: who asked for what ``action`` decides (four eyes, see domain.permissions)."""
    a = load(session, assignment_id)
    authorise(actor, action, a, author=author)
    check_version(a, expected_version)
    return a


def begin_many(session: Session, wanted: Sequence[tuple[int, int | None]], actor: Actor,
               action: Action) -> list[Assignment]:
    """:func:`begin` for many (assignment id, expected version) pairs, loaded together."""
    rows = load_many(session, [i for i, _version in wanted])
    for a, (_id, expected) in zip(rows, wanted, strict=True):
        authorise(actor, action, a)
        check_version(a, expected)
    return rows


def label(a: Assignment) -> str:
    """How errors and permission messages name an assignment: ``12 (XA-4 XA-KIM-LUONG)``."""
    return f"{a.id} ({a.step_id} {a.lead_code})"


def authorise(actor: Actor, action: Action, a: Assignment, *, author: str | None = None
              ) -> None:
    """Raise PermissionDenied unless ``actor`` may take ``action`` on ``a`` (deciding on
    something ``author`` asked for)."""
    require(actor, action, target=_("assignment {label}").format(label=label(a)), lead=a.lead_code,
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
        names = ", ".join(words("state", s) for s in allowed)
        raise TransitionError(_(
            "assignment {label} is {state}: cannot {doing} (only when {states})").format(
                label=label(a), state=words("state", a.status), doing=doing, states=names))


def require_reason(reason: str | None, doing: str) -> str:
    """The stripped reason, or ValidationError when it is missing."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("a reason is required to {doing}").format(doing=doing))
    return text


def check_version(a: Assignment, expected_version: int | None) -> int:
    """The version to update from: ``expected_version`` (what the user saw) or the one loaded."""
    if expected_version is not None and expected_version != a.version:
        raise ConflictError(_(
            "assignment {label} is at version {version}, you acted on version {expected}: "
            "someone changed it meanwhile; show it again and retry").format(
                label=label(a), version=a.version, expected=expected_version))
    return a.version


def write(session: Session, a: Assignment, changes: Mapping[str, Any], *,
          expected_version: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply ``changes`` with the optimistic version check; return (before, after) for the audit.

    ``before``/``after`` hold only the changed fields plus the version; ``a`` carries them.
    """
    return write_many(session, [(a, changes, expected_version)])[0]


Change = tuple[Assignment, Mapping[str, Any], int | None]


def write_many(session: Session, changes: Sequence[Change]
               ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """:func:`write` for many (assignment, changes, expected version): one version-checked
    UPDATE each, in order; the first conflict raises (the caller's transaction rolls back)."""
    session.flush()  # what the ORM holds goes first
    conn = session.connection()
    out = []
    for a, fields, expected_version in changes:
        version = check_version(a, expected_version)
        before = {k: getattr(a, k) for k in fields} | {"version": version}
        params = {**fields, "version": version + 1, "at_id": a.id, "at_version": version}
        if cast(CursorResult[Any], conn.execute(_WRITE, params)).rowcount != 1:
            raise ConflictError(_(
                "assignment {label} was changed by someone else since version {version}: "
                "nothing was saved; show it again and retry").format(label=label(a),
                                                                     version=version))
        for name, value in (*fields.items(), ("version", version + 1)):
            set_committed_value(a, name, value)
        out.append((before, dict(fields) | {"version": version + 1}))
    return out


_TABLE: Table = Assignment.__table__  # type: ignore[attr-defined]
#: The version-checked UPDATE (its SET clause: the columns a row's parameters name), and the
#: stamp of the event's real time; built once (building a statement per row costs more than
#: running it).
_WRITE = update(_TABLE).where(_TABLE.c.id == bindparam("at_id"),
                              _TABLE.c.version == bindparam("at_version"))
_STAMP = update(_TABLE).where(_TABLE.c.id == bindparam("at_id")).values(
    recorded_at=bindparam("to_at"), recorded_late_by=bindparam("to_late"))


@dataclass(frozen=True)
class Event:
    """The audit event of one change to an assignment (the arguments of :func:`record`)."""

    assignment: Assignment
    actor: Actor | str
    now: datetime
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None


def record(session: Session, a: Assignment, *, actor: Actor | str, now: datetime, action: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           reason: str | None = None) -> None:
    """Append the audit event of a change to ``a`` (same transaction). A change (``before``
    given: :func:`write` made it) also stamps the row with the event's real time and, for a
    late entry, who recorded it later (``recorded_late_by``, shown on the board)."""
    record_many(session, [Event(a, actor, now, action, before, after, reason)])


def record_many(session: Session, events: Sequence[Event]) -> None:
    """:func:`record` for many events, appended in order."""
    appended = audit.record_many(session, [
        audit.Entry(e.now, e.actor, e.action, TARGET, e.assignment.id or 0, e.before, e.after,
                    e.reason, e.assignment.opened_on) for e in events])
    stamps = []
    for e, event in zip(events, appended, strict=True):
        if e.before is None:
            continue
        late_by = event["actor"] if event["claim"] == LATE else None
        stamps.append({"at_id": e.assignment.id, "to_at": event["recorded_at"],
                       "to_late": late_by})
        set_committed_value(e.assignment, "recorded_at", event["recorded_at"])
        set_committed_value(e.assignment, "recorded_late_by", late_by)
    if stamps:
        session.connection().execute(_STAMP, stamps)


def cycle_of(session: Session, a: Assignment) -> Cycle:
    """The cycle ``a`` belongs to."""
    cycle = session.get(Cycle, a.cycle_id)
    if cycle is None:
        raise NotFound(_("cycle {cycle} of assignment {label} does not exist").format(
            cycle=a.cycle_id, label=label(a)))
    return cycle


def spec_for(session: Session, cycle: Cycle) -> PlanSpec:
    """The plan spec the cycle was started from."""
    return plans.spec_of(plans.by_id(session, cycle.plan_version_id))


def step_of(session: Session, a: Assignment) -> tuple[PlanSpec, StepSpec]:
    """The plan spec and the step ``a`` was created from: the cycle's version, or — for a
    step that a later version removed (``cycle migrate`` keeps its finished assignments) — the
    newest earlier version of the plan that has it."""
    spec = spec_for(session, cycle_of(session, a))
    if a.step_id in {s.id for s in spec.steps}:
        return spec, spec.step(a.step_id)
    for version in reversed(plans.list_versions(session)):
        if version.key == a.plan_key:
            older = plans.spec_of(version)
            if a.step_id in {s.id for s in older.steps}:
                return older, older.step(a.step_id)
    return spec, spec.step(a.step_id)  # NotFound, naming the step


def iso(value: date | None) -> str | None:
    """A date as ``YYYY-MM-DD`` (None stays None)."""
    return value.isoformat() if value else None
