"""Roles and what each may do: one table, checked by every service that changes something.

=============  ==============================================================================
role           may
=============  ==============================================================================
coordinator    everything in the plan: start cycles, load plans, act on any assignment, decide
               extensions, reassign, cancel, manage users and tokens, read the audit trail
officer        the assignments its own agency leads (start, progress, complete, submit, request
               an extension); contribute where its agency cooperates; the calendar feeds of its
               own agency; read
leader         read everything (the audit trail too); decide extensions; download reports
inspector      read everything; read, verify and export the audit trail
system         the scheduler and first-time set-up (before any user exists): everything
=============  ==============================================================================

Four eyes, for every role the system included (:data:`FOUR_EYES`): nobody decides their own
extension request (approve or refuse) or approves their own submission — someone else must; and
nobody disables the last active coordinator, since nobody could manage users afterwards. The
relation is given to :func:`allowed` and :func:`require` as ``author`` (who asked for what is
being decided) and ``last_coordinator`` (the user to be disabled is the last active coordinator).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from agencyflow.errors import PermissionDenied
from agencyflow.i18n import _
from agencyflow.labels import label as words


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
    CYCLE_MIGRATE = "cycle.migrate"
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
    #: Create or revoke an agency's calendar feed (``lead``: the agency).
    FEED_MANAGE = "feed.manage"
    #: Download the progress report from the web app.
    REPORT = "report.download"


#: Actions an officer may take on assignments its own agency leads (and on its agency's feeds).
LEAD_ACTIONS = frozenset({Action.START, Action.PROGRESS, Action.COMPLETE, Action.SUBMIT,
                          Action.EXTEND, Action.CONTRIBUTE, Action.FEED_MANAGE})

#: Actions allowed by role regardless of the assignment.
BY_ROLE: dict[Role, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(Action),
    Role.SYSTEM: frozenset(Action),
    Role.LEADER: frozenset({Action.READ, Action.AUDIT_READ, Action.DECIDE, Action.REPORT}),
    Role.INSPECTOR: frozenset({Action.READ, Action.AUDIT_READ}),
    Role.OFFICER: frozenset({Action.READ}),
}


#: Decisions that must be taken by someone other than the person who asked for them.
FOUR_EYES = frozenset({Action.DECIDE, Action.APPROVE})


@dataclass(frozen=True)
class Actor:
    """Who is acting: the username recorded in the audit trail, the role and the agency."""

    username: str
    role: Role
    agency_code: str | None = None


def allowed(actor: Actor, action: Action, *, lead: str | None = None,
            cooperating: Iterable[str] = (), author: str | None = None,
            last_coordinator: bool = False) -> bool:
    """True when ``actor`` may take ``action`` (on an assignment led by ``lead``, deciding on
    something ``author`` asked for, disabling the ``last_coordinator``)."""
    return _refusal(actor, action, lead=lead, cooperating=cooperating, author=author,
                    last_coordinator=last_coordinator) is None


def _refusal(actor: Actor, action: Action, *, lead: str | None, cooperating: Iterable[str],
             author: str | None, last_coordinator: bool) -> str | None:
    """Why ``actor`` may not take ``action`` (None: allowed; "": the role does not allow it)."""
    if not _by_role(actor, action, lead, cooperating):
        return ""
    if action in FOUR_EYES and author is not None and author == actor.username:
        return _("four eyes: it was asked for by the same user, someone else must decide")
    if action is Action.USER_MANAGE and last_coordinator:
        return _("it would leave no active coordinator (nobody could manage users): add another "
                 "coordinator first")
    return None


def _by_role(actor: Actor, action: Action, lead: str | None, cooperating: Iterable[str]) -> bool:
    if action in BY_ROLE[actor.role]:
        return True
    if actor.role is not Role.OFFICER or actor.agency_code is None:
        return False
    if action in LEAD_ACTIONS and lead == actor.agency_code:
        return True
    return action is Action.CONTRIBUTE and actor.agency_code in set(cooperating)


def require(actor: Actor, action: Action, *, target: str, lead: str | None = None,
            cooperating: Iterable[str] = (), author: str | None = None,
            last_coordinator: bool = False) -> None:
    """Raise PermissionDenied, naming the user, role, action and target (and the four-eyes
    rule when that is why), unless allowed."""
    why = _refusal(actor, action, lead=lead, cooperating=cooperating, author=author,
                   last_coordinator=last_coordinator)
    if why is not None:
        role = words("role", actor.role)
        if actor.agency_code:
            role = _("{role} of {agency}").format(role=role, agency=actor.agency_code)
        text = _("user {user} ({role}) may not {action} ({target})").format(
            user=actor.username, role=role, action=words("action", action), target=target)
        raise PermissionDenied(text + (f": {why}" if why else ""))
