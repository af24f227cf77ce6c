"""Assignment states and the one table of allowed moves.

==============  ============================================================================
state           meaning
==============  ============================================================================
waiting         a step it depends on is not done yet; no deadline clock, no reminders
open            handed to the lead agency; the deadline runs
in_progress     the lead agency has started (or a submission was rejected and sent back)
submitted       the lead asked for the coordinator's review (only steps with ``review``)
done            completed, outputs recorded; opens the steps that depend on it
cancelled       withdrawn by a coordinator, with a reason
==============  ============================================================================

Allowed moves (anything else raises :class:`~agencyflow.errors.TransitionError`)::

    waiting     --open-->      open          (automatic, when every dependency is done)
    open        --start-->     in_progress
    open        --complete-->  done          (steps without review)
    in_progress --complete-->  done          (steps without review)
    open        --submit-->    submitted     (steps with review)
    in_progress --submit-->    submitted     (steps with review)
    submitted   --approve-->   done
    submitted   --reject-->    in_progress   (with the reason)
    waiting|open|in_progress|submitted --cancel--> cancelled (with the reason)

``done`` and ``cancelled`` are final: no move leaves them.
"""

from __future__ import annotations

from enum import StrEnum

from agencyflow.errors import TransitionError
from agencyflow.i18n import _
from agencyflow.labels import label as words


class Status(StrEnum):
    """The stored state of an assignment (see the module docstring for the table)."""

    WAITING = "waiting"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    DONE = "done"
    CANCELLED = "cancelled"


class Move(StrEnum):
    """A named move between states."""

    OPEN = "open"
    START = "start"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    COMPLETE = "complete"
    CANCEL = "cancel"


#: (state, move) → new state. The single source of truth for what is allowed.
TRANSITIONS: dict[tuple[Status, Move], Status] = {
    (Status.WAITING, Move.OPEN): Status.OPEN,
    (Status.OPEN, Move.START): Status.IN_PROGRESS,
    (Status.OPEN, Move.COMPLETE): Status.DONE,
    (Status.IN_PROGRESS, Move.COMPLETE): Status.DONE,
    (Status.OPEN, Move.SUBMIT): Status.SUBMITTED,
    (Status.IN_PROGRESS, Move.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Move.APPROVE): Status.DONE,
    (Status.SUBMITTED, Move.REJECT): Status.IN_PROGRESS,
    (Status.WAITING, Move.CANCEL): Status.CANCELLED,
    (Status.OPEN, Move.CANCEL): Status.CANCELLED,
    (Status.IN_PROGRESS, Move.CANCEL): Status.CANCELLED,
    (Status.SUBMITTED, Move.CANCEL): Status.CANCELLED,
}

#: States in which the lead agency still owes work (reminders and deadlines apply).
ACTIVE: frozenset[Status] = frozenset({Status.OPEN, Status.IN_PROGRESS})
#: States that no move leaves.
FINAL: frozenset[Status] = frozenset({Status.DONE, Status.CANCELLED})
#: States that count as "not done" for the official breakdown.
UNFINISHED: frozenset[Status] = frozenset(
    {Status.WAITING, Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED}
)


def next_status(current: Status | str, move: Move | str, *, review: bool, label: str) -> Status:
    """Return the state that ``move`` leads to from ``current``, or raise TransitionError.

    ``review`` says whether the step needs the coordinator's review: such steps are finished by
    submit → approve, the others by complete. ``label`` names the assignment in the error.
    """
    state, action = Status(current), Move(move)
    if review and action is Move.COMPLETE:
        raise TransitionError(_(
            "assignment {label} needs the coordinator's review: submit it, it cannot be "
            "completed directly (state: {state})").format(label=label,
                                                          state=words("state", state))
        )
    if not review and action is Move.SUBMIT:
        raise TransitionError(_(
            "assignment {label} has no review step: complete it instead of submitting "
            "(state: {state})").format(label=label, state=words("state", state))
        )
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        allowed = sorted(m.value for (s, m) in TRANSITIONS if s is state)
        raise TransitionError(_(
            "assignment {label} is {state}: cannot {action} (allowed: {allowed})").format(
                label=label, state=words("state", state), action=words("move", action),
                allowed=", ".join(words("move", a) for a in allowed)
                or _("none: it is final"))
        ) from None
