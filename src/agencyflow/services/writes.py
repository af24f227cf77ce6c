"""Short write transactions that are safe when several workers share one database.

On SQLite a transaction that reads first and writes later can fail with "database is locked" the
moment another connection commits in between (WAL snapshots cannot be upgraded, and the busy
timeout does not help). :func:`write_transaction` therefore starts SQLite transactions with
``BEGIN IMMEDIATE`` (take the write lock first, waiting up to the busy timeout). On PostgreSQL it is
a plain transaction; row locks (``FOR UPDATE SKIP LOCKED``) do the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from agencyflow import storage


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction that holds the write lock on SQLite; commit on success."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.commit()
        except BaseException as exc:
            conn.rollback()
            if isinstance(exc, SQLAlchemyError) and (
                    problem := storage.database_error(exc, str(engine.url))):
                raise problem from None
            raise
