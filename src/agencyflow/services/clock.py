"""Which :class:`~agencyflow.domain.clock.Clock` a write uses: the transaction's, the engine's,
or the real one.

The composition root chooses: an engine made with :func:`with_clock` (the demo and the tests
pass a simulated clock; :func:`agencyflow.db.engine_from_settings` a simulated one only when
``AGENCYFLOW_SIMULATION`` is set) gives every session on it that clock; one transaction may
carry its own (:func:`use`: a coordinator's late entry with its reason). Without either, writes
use the real clock and claim nothing, so an entry point that forgets to choose is strict.
"""

from __future__ import annotations

from sqlmodel import Session

from agencyflow.db import CLOCK_KEY as KEY
from agencyflow.db import with_clock
from agencyflow.domain.clock import Clock

__all__ = ["KEY", "REAL", "of", "use", "with_clock"]

#: The real clock, allowing no claim.
REAL = Clock()


def use(session: Session, clock: Clock) -> None:
    """Make the session's writes use ``clock`` (until the session ends)."""
    session.info[KEY] = clock


def of(session: Session) -> Clock:
    """The clock of the session's writes (see the module docstring)."""
    clock = session.info.get(KEY)
    if clock is None:
        clock = session.get_bind().get_execution_options().get(KEY)
    return clock if isinstance(clock, Clock) else REAL
