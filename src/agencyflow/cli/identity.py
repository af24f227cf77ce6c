"""Who is acting: `--as USER`, or the system actor (until users and tokens land)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from agencyflow.cli.common import os_actor
from agencyflow.domain.permissions import Actor, Role


def resolve_actor(session: Session, as_user: str | None, *, now: datetime) -> Actor:
    """The acting user (placeholder until users land: the system actor)."""
    return Actor(as_user or os_actor(), Role.SYSTEM)
