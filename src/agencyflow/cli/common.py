"""What commands that write share: the validated settings, the database engine, a transaction.

This is the full path (SQLAlchemy, SQLModel, pydantic-settings: ~1 s to import). Output, `--now`,
errors, the calendar and read connections are in :mod:`agencyflow.cli.base`, which a read-only
command like ``agencyflow board`` uses alone. Interactive commands never import Prefect (it costs
~1.5 s to import): flows are imported inside the commands that run them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from agencyflow.config import Settings, get_settings
from agencyflow.services import database, people
from agencyflow.services.database import Engine, Session


def settings() -> Settings:
    """The validated settings (ConfigError names a bad variable)."""
    return get_settings()


def engine() -> Engine:
    """The configured database, schema checked (the embedded one is upgraded automatically).

    When ``AGENCYFLOW_TOKEN`` is set it must be a valid token of an active user, for every
    command that opens the database, reads included (AuthenticationError otherwise)."""
    configured = settings()
    made = database.engine_from_settings(configured)
    if configured.token:
        with made.connect() as conn:
            people.dbapi_token_actor(conn, configured.token)
    return made


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction on the configured database."""
    with database.session_scope(engine()) as session:
        yield session
