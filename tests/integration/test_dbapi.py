"""Opening the database without SQLAlchemy (only when it is ready as is); SQL text anywhere."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow import dbapi
from agencyflow.db import head_revision
from tests.factories import start_cycle, store_plan


def test_the_schema_revision_is_alembics_head() -> None:
    assert head_revision() == dbapi.SCHEMA_REVISION


def test_the_migrations_build_the_schema_the_models_describe(engine: Engine) -> None:
    """Alembic's autogenerate finds nothing to do on a migrated database (SQLite and
    PostgreSQL): a model change without its migration, or the reverse, fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import agencyflow.models  # noqa: F401  (registers every table)

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_a_ready_sqlite_database_opens_and_anything_else_is_left_to_the_full_path(
        sqlite_template: Path, tmp_path: Path) -> None:
    ready = shutil.copy(sqlite_template, tmp_path / "ready.db")
    conn = dbapi.open_current(f"sqlite:///{ready}")
    assert isinstance(conn, sqlite3.Connection)
    conn.close()
    old = shutil.copy(sqlite_template, tmp_path / "old.db")
    with sqlite3.connect(old) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0000'")
    sqlite3.connect(tmp_path / "empty.db").close()
    for url in (f"sqlite:///{old}", f"sqlite:///{tmp_path / 'empty.db'}",
                f"sqlite:///{tmp_path / 'missing.db'}", "sqlite://", "sqlite:///:memory:",
                f"sqlite:///{ready}?mode=ro", "mysql://u@localhost/db"):
        assert dbapi.open_current(url) is None, url
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.postgres
def test_a_ready_postgresql_database_opens_with_psycopg(pg_engine: Engine) -> None:
    url = pg_engine.url.render_as_string(hide_password=False)
    assert url.startswith("postgresql+psycopg://")
    for form in (url, url.replace("postgresql+psycopg://", "postgresql://")):
        conn = dbapi.open_current(form)
        assert isinstance(conn, psycopg.Connection)
        conn.close()
    base = url.rsplit("/", 1)[0]
    assert dbapi.open_current(f"{base}/no_such_database_here") is None
    assert dbapi.open_current(url.replace("postgresql+psycopg", "postgresql+asyncpg")) is None


def test_fetch_binds_named_parameters_in_each_drivers_style(engine: Engine) -> None:
    cycle = start_cycle(engine, store_plan(engine), 2021)
    # A literal % must survive psycopg's paramstyle; a date is bound as SQLite stores it.
    sql = ("SELECT id, start_date FROM cycle WHERE plan_key LIKE 'tiny%' AND year = :year "
           "AND start_date <= :day AND :day <= end_date")
    params = {"year": 2021, "day": date(2021, 6, 1)}
    conn = dbapi.open_current(engine.url.render_as_string(hide_password=False))
    assert conn is not None
    try:
        raw = dbapi.fetch(conn, sql, params)
    finally:
        conn.close()
    with Session(engine) as session:
        via_session = dbapi.fetch(session, sql, params)
    with engine.connect() as connection:
        via_connection = dbapi.fetch(connection, sql, params)
    assert [r[0] for r in raw] == [r[0] for r in via_session] == [r[0] for r in via_connection]
    assert raw[0][0] == cycle.id and str(raw[0][1]) == cycle.start_date.isoformat()
