"""Alembic environment: targets SQLModel.metadata; offline, online or on a given connection."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import agencyflow.models  # noqa: F401  (registers the tables)
from agencyflow.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    """Run the migrations on the connection the caller passed, or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _migrate(conn)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
