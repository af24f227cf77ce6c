"""Business time and recorded time: what a write may claim, and what is recorded of it.

Every use case takes ``now``: the time its decisions use (is it late? what is due?). What is
*recorded* of a write is the real clock, ``recorded_at``, read from a :class:`Clock` when the
audit event is appended; the audit trail is ordered by sequence and by that time, never by a
claimed one. ``now`` may differ from the real clock (by more than :data:`TOLERANCE`) only in two
honest cases, and the event says which (``claim``):

==========  ==================================================================================
claim       when
==========  ==================================================================================
(none)      ``now`` is the real clock: every ordinary write
simulated   the clock is a simulation (``Clock(simulated=True)``: the demo, the tests, a site
            that sets ``AGENCYFLOW_SIMULATION``); any ``now`` is accepted and marked as such
late        a coordinator (or the system) records what happened on paper: ``now`` is in the
            past, the clock carries the reason (``Clock(late_reason=…)``), and ``now`` is
            neither before the assignment opened nor after the real clock
==========  ==================================================================================

Anything else is refused: a time after the real clock, an officer's (or leader's, or
inspector's) past time — officers cannot backdate — and a late entry without a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from agencyflow.domain.calendar import local_date
from agencyflow.domain.permissions import Actor, Role
from agencyflow.errors import PermissionDenied, ValidationError

#: How far ``now`` may be from the real clock and still be "now" (a command reads the clock
#: when it starts and writes a moment later; a national cycle start takes seconds).
TOLERANCE = timedelta(minutes=5)
#: ``claim`` of a simulated write.
SIMULATED = "simulated"
#: ``claim`` of a coordinator's late entry.
LATE = "late"
#: Roles that may record a late entry (with a reason).
LATE_ENTRY_ROLES = frozenset({Role.COORDINATOR, Role.SYSTEM})


def system_now() -> datetime:
    """The machine's clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    """The real clock of writes, and what claims it allows (see the module docstring)."""

    simulated: bool = False
    late_reason: str | None = None
    source: Callable[[], datetime] = system_now

    def read(self) -> datetime:
        """The real time now (aware)."""
        return self.source()


@dataclass(frozen=True)
class Stamp:
    """What is recorded of a write: the real time, and the claim its business time makes."""

    recorded_at: datetime
    claim: str | None = None
    claim_reason: str | None = None


def stamp(clock: Clock, *, now: datetime, actor: Actor | None, after: datetime | None = None,
          opened_on: date | None = None, target: str = "") -> Stamp:
    """The stamp of a write decided at ``now`` by ``actor``; raise when the claim is not honest.

    ``after`` is the previous event's recorded time: recorded times never go backwards (if the
    host's clock steps back, the event takes the previous time). ``opened_on`` is the day the
    assignment ``target`` opened, before which nothing is recorded about it.
    """
    real = clock.read()
    recorded = max(real, after) if after is not None else real
    if abs(now - real) <= TOLERANCE:
        return Stamp(recorded)
    if clock.simulated:
        return Stamp(recorded, SIMULATED)
    when = f"{now:%Y-%m-%d %H:%M}"
    if now > real:
        raise ValidationError(
            f"a change cannot be dated {when}, after the real clock ({real:%Y-%m-%d %H:%M} UTC)"
            ": --now on a change may only name a past moment")
    who = actor.username if actor else "unknown"
    if actor is None or actor.role not in LATE_ENTRY_ROLES:
        role = actor.role.value if actor else "no role"
        raise PermissionDenied(
            f"user {who} ({role}) may not date a change in the past ({when}): only a "
            "coordinator records a late entry of what happened on paper, with a reason")
    reason = (clock.late_reason or "").strip()
    if not reason:
        raise ValidationError(
            f"a change dated in the past ({when}) is a late entry: give the reason it is "
            "recorded late (--late-reason)")
    if opened_on is not None and local_date(now) < opened_on:
        raise ValidationError(
            f"{target or 'the assignment'} opened on {opened_on:%d/%m/%Y}: a late entry cannot "
            f"be dated before that ({local_date(now):%d/%m/%Y})")
    return Stamp(recorded, LATE, reason)
