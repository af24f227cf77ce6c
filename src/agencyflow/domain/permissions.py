"""Roles and what each may do: one table, checked by every service that changes something.

=============  ==============================================================================
role           may
=============  ==============================================================================
coordinator    everything in the plan: start cycles, load plans, act on any assignment, decide
               extensions, reassign, cancel, manage users and tokens, read the audit trail
officer        the assignments its own agency leads (start, progress, complete, submit, request
               an extension); contribute where its agency cooperates; read
leader         read everything (the audit trail too); decide extensions
inspector      read everything; read, verify and export the audit trail
system         the scheduler and first-time set-up (before any user exists): everything
=============  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from agencyflow.errors import PermissionDenied


class Role(StrEnum):
    """A user's role (see the module table)."""

    COORDINATOR = "coordinator"
    OFFICER = "officer"
    LEADER = "leader"
    INSPECTOR = "inspector"
    SYSTEM = "system"


class Action(StrEnum):
    """Everything a user can ask agencyflow to do, for permission checks and the audit trail."""

    READ = "read"
    PLAN_LOAD = "plan.load"
    CYCLE_START = "cycle.start"
    START = "assignment.start"
    PROGRESS = "assignment.progress"
    COMPLETE = "assignment.complete"
    SUBMIT = "assignment.submit"
    APPROVE = "assignment.approve"
    REJECT = "assignment.reject"
    EXTEND = "assignment.extend"
    DECIDE = "assignment.decide"
    REASSIGN = "assignment.reassign"
    CONTRIBUTE = "assignment.contribute"
    CANCEL = "assignment.cancel"
    USER_MANAGE = "user.manage"
    AUDIT_READ = "audit.read"
    NOTIFY_ADMIN = "notifications.admin"


#: Actions an officer may take on assignments its own agency leads.
LEAD_ACTIONS = frozenset({Action.START, Action.PROGRESS, Action.COMPLETE, Action.SUBMIT,
                          Action.EXTEND, Action.CONTRIBUTE})

#: Actions allowed by role regardless of the assignment.
BY_ROLE: dict[Role, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(Action),
    Role.SYSTEM: frozenset(Action),
    Role.LEADER: frozenset({Action.READ, Action.AUDIT_READ, Action.DECIDE}),
    Role.INSPECTOR: frozenset({Action.READ, Action.AUDIT_READ}),
    Role.OFFICER: frozenset({Action.READ}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: the username recorded in the audit trail, the role and the agency."""

    username: str
    role: Role
    agency_code: str | None = None


def allowed(actor: Actor, action: Action, *, lead: str | None = None,
            cooperating: Iterable[str] = ()) -> bool:
    """True when ``actor`` may take ``action`` (on an assignment led by ``lead``)."""
    if action in BY_ROLE[actor.role]:
        return True
    if actor.role is not Role.OFFICER or actor.agency_code is None:
        return False
    if action in LEAD_ACTIONS and lead == actor.agency_code:
        return True
    return action is Action.CONTRIBUTE and actor.agency_code in set(cooperating)


def require(actor: Actor, action: Action, *, target: str, lead: str | None = None,
            cooperating: Iterable[str] = ()) -> None:
    """Raise PermissionDenied, naming the user, role, action and target, unless allowed."""
    if not allowed(actor, action, lead=lead, cooperating=cooperating):
        where = f" (agency {actor.agency_code})" if actor.agency_code else ""
        raise PermissionDenied(
            f"user {actor.username} ({actor.role.value}{where}) may not {action.value} {target}"
        )
