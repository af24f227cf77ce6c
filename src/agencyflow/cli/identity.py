"""Who is acting: `--as USER`, a token from AGENCYFLOW_TOKEN, or the system (bootstrap only).

The rule, in this one place (:func:`resolve_actor`):

1. ``--as USER`` → that user, who must exist and be active;
2. else ``AGENCYFLOW_TOKEN`` → the token's user (the token must be valid and not revoked);
3. else, while the database has no user at all → the system actor ``system:<os user>``, so that a
   fresh install can be set up (load a plan, add the first coordinator);
4. else, for reading (``action`` in :data:`OPEN_ACTIONS`: the board, plan and cycle lists, targets)
   → :data:`ANONYMOUS`, because the board is read by everyone in the office;
5. else → :class:`AuthenticationError`: every command that changes something, and reading the
   audit trail, must name a user once users exist.

An unknown or disabled user, or an invalid or revoked token, is always an error — never a silent
fall-back to anonymous reading. ``--as`` trusts whoever runs the command on this machine (they can
open the database anyway); tokens are for scripts and remote callers.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agencyflow.cli.base import parse_now
from agencyflow.domain.permissions import Action, Actor, Role
from agencyflow.errors import AuthenticationError
from agencyflow.i18n import N_, _
from agencyflow.services import people

if TYPE_CHECKING:
    from agencyflow.services.database import Session

#: Actions that need no identity once users exist: reading the board, plans, cycles and targets.
OPEN_ACTIONS = frozenset({Action.READ})

#: The reader without a name: an officer of no agency, which the permission table lets READ only.
ANONYMOUS = Actor("anonymous", Role.OFFICER, None)

NO_IDENTITY = N_("this database has users: act as one with --as USER or set "
                 "AGENCYFLOW_TOKEN (see `agencyflow user list`)")


def resolve_actor(session: Any, as_user: str | None, *, now: datetime,
                  action: Action | None = None) -> Actor:
    """The acting user by the module rule; ``action`` is what the command is about to do
    (None: it changes something). ``session``: a SQLAlchemy session, or a plain DBAPI
    connection when no token is set (a token's use is recorded, which takes a session: see
    :func:`agencyflow.cli.assignment_show.show`)."""
    token = None
    if hasattr(session, "get_bind"):
        from agencyflow.config import get_settings

        session.flush()  # SQL text does not flush what the session holds
        token = get_settings().token
    if as_user:
        return people.user_actor(session, as_user)
    if token:
        return people.authenticate_token(session, token, now)
    if not people.dbapi_has_users(session):
        return Actor(os_actor(), Role.SYSTEM)
    if action in OPEN_ACTIONS:
        return ANONYMOUS
    raise AuthenticationError(_(NO_IDENTITY))


def os_actor() -> str:
    """The name recorded as actor when no agencyflow user is given (bootstrap, system jobs)."""
    try:
        return f"system:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return "system"


#: A use case run as a user: ``(session, actor, now) -> result``.
Act = Callable[["Session", Actor, datetime], Any]


def act_as(as_user: str | None, now: str | datetime | None, act: Act, *, reading: bool = False,
           late_reason: str | None = None) -> Any:
    """Run ``act`` in one transaction as the resolved user at ``--now`` (the way every command
    that acts as someone starts; ``reading`` allows the anonymous reader). ``late_reason``
    (``--late-reason``) lets a coordinator record a past ``--now`` as a late entry; whether a
    claimed time is accepted is the services' rule (:mod:`agencyflow.domain.clock`)."""
    from agencyflow.cli.common import transaction
    from agencyflow.services import clock

    when = now if isinstance(now, datetime) else parse_now(now)
    with transaction() as session:
        if late_reason:
            clock.use(session, replace(clock.of(session), late_reason=late_reason))
        action = Action.READ if reading else None
        return act(session, resolve_actor(session, as_user, now=when, action=action), when)
