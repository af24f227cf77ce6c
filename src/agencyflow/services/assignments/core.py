"""What every assignment use case shares: load, check permission, write with a version check, audit.

The rules and the SQL are in :mod:`agencyflow.services.assignments.rows` (one implementation for a
session and a plain DBAPI connection); this module gives them to the use cases of the full path,
which hold model rows: what a write changes is set on the row as committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from agencyflow.domain.permissions import Action, Actor
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.errors import NotFound
from agencyflow.i18n import _
from agencyflow.models import Assignment, Cycle
from agencyflow.services.assignments import rows
from agencyflow.services.assignments.rows import (
    CHUNK,
    TARGET,
    Change,
    Event,
    authorise,
    check_version,
    iso,
    label,
    move,
    require_reason,
    require_state,
)
from agencyflow.services.audit import trail as audit
from agencyflow.services.plans import specs

__all__ = ["CHUNK", "TARGET", "Change", "Event", "authorise", "begin", "begin_many",
           "check_version", "cycle_of", "iso", "label", "load", "load_many", "move", "record",
           "record_many", "require_reason", "require_state", "spec_for", "step_of", "submitter",
           "write", "write_many"]

def load(session: Session, assignment_id: int) -> Assignment:
    """The assignment with ``assignment_id`` (fresh from the database), or NotFound."""
    return load_many(session, [assignment_id])[0]


def load_many(session: Session, assignment_ids: Sequence[int]) -> list[Assignment]:
    """The assignments with ``assignment_ids``, in that order, fresh from the database (a
    query per :data:`CHUNK` ids, :func:`agencyflow.services.assignments.rows.by_ids`);
    NotFound names the first that does not exist."""
    def read(chunk: list[int]) -> Any:
        return session.execute(select(Assignment).where(col(Assignment.id).in_(chunk))
                               .execution_options(populate_existing=True)).scalars()
    return rows.by_ids(assignment_ids, read)  # type: ignore[no-any-return]


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
    found = load_many(session, [i for i, _version in wanted])
    rows.check_many(found, wanted, actor, action)
    return found


def submitter(session: Session, a: Assignment) -> str | None:
    """Who handed in ``a``'s current submission (the actor of its last submit event)."""
    return audit.last_actor(session, target_type=TARGET, target_id=a.id or 0,
                            action=Action.SUBMIT.value)


def write(session: Session, a: Assignment, changes: Mapping[str, Any], *,
          expected_version: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply ``changes`` with the optimistic version check; return (before, after) for the audit.

    ``before``/``after`` hold only the changed fields plus the version; ``a`` carries them.
    """
    return write_many(session, [(a, changes, expected_version)])[0]


def write_many(session: Session, changes: Sequence[Change]
               ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """:func:`write` for many (assignment, changes, expected version): one version-checked
    UPDATE each, in order (:func:`agencyflow.services.assignments.rows.write_many`); the first
    conflict raises (the caller's transaction rolls back)."""
    return rows.write_many(rows.tx_of(session), changes, set_committed_value)  # flushes first


def record(session: Session, a: Assignment, *, actor: Actor | str, now: datetime, action: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           reason: str | None = None) -> None:
    """Append the audit event of a change to ``a`` (same transaction). A change (``before``
    given: :func:`write` made it) also stamps the row with the event's real time and, for a
    late entry, who recorded it later (``recorded_late_by``, shown on the board)."""
    record_many(session, [Event(a, actor, now, action, before, after, reason)])


def record_many(session: Session, events: Sequence[Event]) -> None:
    """:func:`record` for many events, appended in order."""
    rows.record_many(rows.tx_of(session), events, set_committed_value)  # flushes first


def cycle_of(session: Session, a: Assignment) -> Cycle:
    """The cycle ``a`` belongs to."""
    cycle = session.get(Cycle, a.cycle_id)
    if cycle is None:
        raise NotFound(_("cycle {cycle} of assignment {label} does not exist").format(
            cycle=a.cycle_id, label=label(a)))
    return cycle


def spec_for(session: Session, cycle: Cycle) -> PlanSpec:
    """The plan spec the cycle was started from."""
    session.flush()  # a cycle being started is read back by SQL text
    return specs.of_cycle(session, cycle.id or 0)


def step_of(session: Session, a: Assignment) -> tuple[PlanSpec, StepSpec]:
    """The plan spec and the step ``a`` was created from (see
    :func:`agencyflow.services.assignments.rows.step_of`)."""
    return rows.step_of(rows.tx_of(session), a)  # flushes first
