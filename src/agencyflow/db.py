"""Engines, sessions and schema upgrades.

Engines come from :func:`make_engine` (never built at import time). SQLite gets WAL, foreign keys
and a busy timeout; the embedded default database is created and upgraded automatically on first
use. Any other URL (PostgreSQL) is upgraded with ``agencyflow db upgrade``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlmodel import Session, create_engine

from agencyflow import storage
from agencyflow.config import Settings, get_settings
from agencyflow.dbapi import SCHEMA_REVISION, SQLITE_TIMEOUT  # bump the revision there
from agencyflow.errors import ConfigError, StorageError
from agencyflow.i18n import _
from agencyflow.locations import check_database_url, masked_url, supported_databases

if TYPE_CHECKING:
    from alembic.config import Config

    from agencyflow.domain.clock import Clock


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine for ``url`` with the pragmas and pool settings agencyflow relies on.

    ConfigError for a URL agencyflow does not run on, a malformed one, or a driver that is not
    installed (naming what to install).
    """
    try:
        check_database_url(url)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_TIMEOUT},
                                   **_sqlite_pool(url))
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, echo=echo, pool_pre_ping=True)
    except ImportError as exc:
        raise ConfigError(_("the PostgreSQL driver is not installed ({reason}): pip install "
                            "'psycopg[binary]'").format(reason=exc)) from None
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(_("malformed database URL {url} ({reason}); agencyflow runs on "
                            "{supported}").format(url=repr(masked_url(url)), reason=exc,
                                                  supported=supported_databases())) from None


#: Connections a SQLite file database keeps open: the web app's requests run on up to 40
#: threads, and a connection opened per request (the default pool keeps 5) costs more than the
#: page query.
SQLITE_POOL_SIZE = 20


def _sqlite_pool(url: str) -> dict[str, Any]:
    """Pool options of a SQLite URL (an in-memory database has a pool of its own kind)."""
    if url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url:
        return {}
    return {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 2 * SQLITE_POOL_SIZE}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``url``."""
    from alembic.config import Config

    script_dir = resources.files("agencyflow") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(script_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> str | None:
    """Bring the schema of ``engine``'s database to the newest revision; return it."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database), read without Alembic."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):
            conn.rollback()
            if not _has_alembic_table(conn):
                return None
            raise


def _has_alembic_table(conn: Any) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(conn).has_table("alembic_version"))


def head_revision() -> str | None:
    """The newest revision shipped with this version of agencyflow (read from the scripts)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def ensure_schema(engine: Engine, *, auto: bool) -> None:
    """Upgrade when ``auto`` (the embedded SQLite); otherwise refuse to run on an old schema."""
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise storage.database_error(exc, str(engine.url)) or ConfigError(
            f"cannot open the database {engine.url!r}: {exc.orig}") from None
    if current == SCHEMA_REVISION:
        return
    if auto:
        upgrade(engine)
        return
    raise ConfigError(
        f"the database {engine.url.render_as_string(hide_password=True)} is at revision "
        f"{current or 'none'}, this agencyflow needs {SCHEMA_REVISION}: run `agencyflow db upgrade`"
    )


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine_from_settings(settings: Settings | None = None) -> Engine:
    """The configured database engine, schema checked (and upgraded when embedded)."""
    settings = settings or get_settings()
    url = settings.resolved_database_url()
    embedded = settings.database_url is None
    if embedded:
        data_path(settings)
    engine = _engine_for(url)
    ensure_schema(engine, auto=embedded or url.startswith("sqlite"))
    if settings.simulation:  # claimed times accepted, and marked, on every write
        from agencyflow.domain.clock import Clock as SimulatedClock

        return with_clock(engine, SimulatedClock(simulated=True))
    return engine


#: The key of the clock of an engine's writes in its execution options (and of a transaction's
#: in ``Session.info``); :mod:`agencyflow.services.clock` reads it.
CLOCK_KEY = "agencyflow_clock"


def with_clock(engine: Engine, clock: Clock) -> Engine:
    """``engine`` (sharing its pool) whose sessions use ``clock`` by default (see
    :mod:`agencyflow.services.clock`)."""
    return engine.execution_options(**{CLOCK_KEY: clock})


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error. A full or read-only disk is a
    StorageError (the transaction was rolled back: nothing was written)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            if isinstance(exc, SQLAlchemyError) and (
                    problem := storage.database_error(exc, str(engine.url))):
                raise problem from None
            raise


def is_sqlite(engine: Engine) -> bool:
    """True when ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def data_path(settings: Settings) -> Path:
    """The data directory, created if needed (StorageError on a full or read-only disk)."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        kind = StorageError if storage.file_error(exc, where="", what="") else ConfigError
        raise kind(_("cannot create the data directory {path}: {reason}").format(
            path=settings.data_dir, reason=(exc.strerror or str(exc)).lower())) from None
    return settings.data_dir
