"""The database without SQLAlchemy: open a DBAPI connection for reading, run SQL text on anything.

Importing SQLAlchemy and the SQLModel tables costs ~0.6 s, more than a read-only command like
``agencyflow board`` needs in all. :func:`open_current` opens the configured database with the
driver itself — ``sqlite3`` for ``sqlite:///path``, ``psycopg`` (imported only then) for
``postgresql://`` and ``postgresql+psycopg://`` — when it is ready as it is: the file exists and its
schema is at :data:`SCHEMA_REVISION`. Otherwise it returns None and the caller takes the full path
(:func:`agencyflow.db.engine_from_settings`), which upgrades the embedded database or explains
what is wrong.

:func:`fetch` runs one SQL text written with ``:name`` parameters on a DBAPI connection or on a
SQLAlchemy Session or Connection, in the paramstyle of the driver, so that services can keep one
definition of a query for both (see :mod:`agencyflow.services.board.listing`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

#: The newest migration shipped with this version (a test checks it is Alembic's head). Kept as a
#: constant so that commands can check the schema without importing Alembic (~0.3 s).
SCHEMA_REVISION = "0014_web_evidence_type"

#: Seconds a reader waits for a writer's lock, as :func:`agencyflow.db.make_engine` sets it.
SQLITE_TIMEOUT = 30

_SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
_POSTGRES_PREFIXES = ("postgresql://", "postgresql+psycopg://")
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def open_current(url: str, *, write: bool = False) -> Any | None:
    """A DBAPI connection to ``url`` in a read transaction, or None unless it is ready as is.

    None for a URL this module does not open (in-memory SQLite, URL options, other drivers), a
    missing SQLite file, a server that refuses the connection, or a schema at another revision.
    ``write``: a transaction that will write (on SQLite: foreign keys on, as
    :func:`agencyflow.db.make_engine` sets them, and ``BEGIN IMMEDIATE``, the write lock taken
    first, so that a read followed by a write never fails on another writer's commit). The
    caller commits or rolls back.
    """
    conn = _connect(url)
    if conn is None:
        return None
    errors = _driver_errors(conn)
    try:
        if _is_sqlite(conn) and write:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("BEGIN IMMEDIATE")
        elif _is_sqlite(conn):
            conn.execute("BEGIN")  # one snapshot for every read that follows
        cur = conn.cursor()
        cur.execute("SELECT version_num FROM alembic_version")
        revision = cur.fetchone()
        cur.close()
    except errors:
        revision = None
    if revision is None or revision[0] != SCHEMA_REVISION:
        conn.close()
        return None
    return conn


def _connect(url: str) -> Any | None:
    sqlite_prefix = next((p for p in _SQLITE_PREFIXES if url.startswith(p)), None)
    if sqlite_prefix is not None:
        path = url.removeprefix(sqlite_prefix)
        if not path or path == ":memory:" or "?" in path or not os.path.isfile(path):
            return None
        import sqlite3

        return sqlite3.connect(path, timeout=SQLITE_TIMEOUT, isolation_level=None)
    pg_prefix = next((p for p in _POSTGRES_PREFIXES if url.startswith(p)), None)
    if pg_prefix is not None:
        try:
            import psycopg
        except ImportError:  # the full path says which package to install
            return None
        try:
            return psycopg.connect("postgresql://" + url.removeprefix(pg_prefix))
        except psycopg.Error:
            return None
    return None


def _is_sqlite(conn: Any) -> bool:
    return type(conn).__module__.startswith("sqlite3")


def _driver_errors(conn: Any) -> type[Exception]:
    if _is_sqlite(conn):
        import sqlite3

        return sqlite3.Error
    import psycopg

    return psycopg.Error


def dialect_of(conn: Any) -> str:
    """``"sqlite"`` or ``"postgresql"``: the database of a DBAPI connection or a SQLAlchemy
    Session/Connection."""
    if hasattr(conn, "get_bind"):
        return str(conn.get_bind().dialect.name)
    if hasattr(conn, "dialect"):
        return str(conn.dialect.name)
    return "sqlite" if _is_sqlite(conn) else "postgresql"


def fetch(conn: Any, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (``:name`` parameters) on a DBAPI connection or a SQLAlchemy
    Session/Connection (in its transaction; its errors stay SQLAlchemy errors).

    Values come back as the driver gives them: on SQLite dates are ISO text. ``date`` and
    (naive UTC) ``datetime`` parameters are bound as text on SQLite, in the form SQLAlchemy
    stores them there, so that comparisons with stored values are exact.

    On a SQLAlchemy Connection the rows are read with a cursor of its own DBAPI connection (in
    its transaction): SQLAlchemy's row objects, and turning them into tuples, cost more than
    the query itself on a cycle's 200,000 rows. A driver error is raised as SQLAlchemy's.
    """
    return _run(conn, sql, params)  # type: ignore[return-value]


def execute(conn: Any, sql: str, params: Mapping[str, Any]) -> int:
    """Run ``sql`` (``:name`` parameters) that returns no rows, as :func:`fetch` runs a query;
    return the number of rows it changed."""
    return _run(conn, sql, params, rows=False)  # type: ignore[return-value]


def fetch_driver(conn: Any, sql: str, params: Any) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` written in the driver's own paramstyle (``?`` for sqlite3,
    ``%s``/``%b`` for psycopg) on a DBAPI connection or a SQLAlchemy Session/Connection."""
    return _run(conn, sql, params, named=False)  # type: ignore[return-value]


def _run(conn: Any, sql: str, params: Any, *, named: bool = True, rows: bool = True
         ) -> list[tuple[Any, ...]] | int:
    """Run ``sql`` on the driver under ``conn``: its rows (``rows``) or its row count;
    ``named``: ``:name`` parameters, rewritten for the driver."""
    if hasattr(conn, "get_bind"):  # a SQLAlchemy Session
        conn = conn.connection()
    alchemy = hasattr(conn, "exec_driver_sql")  # a SQLAlchemy Connection
    if named:
        sql, params = _for_driver(conn.dialect.name == "sqlite" if alchemy else _is_sqlite(conn),
                                  sql, params)
    # On a SQLAlchemy Connection: a cursor of its own DBAPI connection, in its transaction
    # (SQLAlchemy's row objects cost more than the query on a cycle's 200,000 rows); a driver
    # error is raised as SQLAlchemy's.
    cur = conn.connection.cursor() if alchemy else conn.cursor()
    driver_error: Any = conn.dialect.loaded_dbapi.Error if alchemy else ()
    try:
        cur.execute(sql, params)
        return list(cur.fetchall()) if rows else int(cur.rowcount)
    except driver_error as exc:
        from sqlalchemy.exc import DBAPIError

        raise DBAPIError.instance(sql, params, exc, driver_error) from None
    finally:
        cur.close()


def stored_utc(value: Any) -> datetime | None:
    """A timestamp column as :func:`fetch` gives it (naive UTC, ISO text on SQLite) as an aware
    UTC datetime, as the models' ``UTCDateTime`` reads it; None stays None."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def dumps(value: Any) -> str:
    """The one JSON encoding used for stored JSON: compact, sorted keys, UTF-8 kept."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def stored(value: Any) -> Any:
    """A value as the tables' column types store it, for :func:`fetch` and :func:`execute`:
    an aware datetime as naive UTC (``UTCDateTime``), a dict or list as JSON text
    (``JSONText``); anything else as it is."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, dict | list):
        return dumps(value)
    return value


def decode(kind: str, value: Any) -> Any:
    """A driver's value as the column type gives it back (``kind``: text, int, json, bool, date
    or datetime): dates, aware UTC datetimes, decoded JSON, booleans (SQLite stores 0/1)."""
    if value is None or kind in ("text", "int"):
        return value
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    if kind == "bool":
        return bool(value)
    if kind == "date":
        return date.fromisoformat(value) if isinstance(value, str) else value
    return stored_utc(value)


#: Rows fetched at a time by :func:`stream`.
CHUNK_ROWS = 2000


def stream(conn: Any, sql: str, params: Mapping[str, Any], size: int = CHUNK_ROWS
           ) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``sql`` in chunks of at most ``size``, as :func:`fetch` gives them, read from
    the cursor as they are consumed: on PostgreSQL through a server-side cursor, so that a
    million rows never sit in memory at once. Consume it while ``conn`` is open."""
    if hasattr(conn, "get_bind"):  # a SQLAlchemy Session
        conn = conn.connection()
    if hasattr(conn, "exec_driver_sql"):  # a SQLAlchemy Connection
        text, values = _for_driver(conn.dialect.name == "sqlite", sql, params)
        result = conn.execution_options(stream_results=True).exec_driver_sql(text, values)
        try:
            while chunk := result.fetchmany(size):
                yield [tuple(row) for row in chunk]
        finally:
            result.close()
        return
    sqlite = _is_sqlite(conn)
    text, values = _for_driver(sqlite, sql, params)
    cur = conn.cursor() if sqlite else conn.cursor(name="agencyflow_stream")
    try:
        cur.execute(text, values)
        while chunk := cur.fetchmany(size):
            yield list(chunk)
    finally:
        cur.close()


def _for_driver(sqlite: bool, sql: str, params: Mapping[str, Any]
                ) -> tuple[str, dict[str, Any]]:
    """``sql`` and ``params`` for the driver: sqlite3 takes ``:name``, psycopg ``%(name)s``."""
    if sqlite:
        return sql, {k: _sqlite_value(v) for k, v in params.items()}
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%")), dict(params)


def _sqlite_value(value: Any) -> Any:
    if type(value) is date:
        return value.isoformat()
    if type(value) is datetime:
        return value.isoformat(sep=" ", timespec="microseconds")
    return value
