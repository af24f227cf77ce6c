"""Shared fixtures: real SQLite and PostgreSQL databases, settings, a fixed clock.

PostgreSQL tests use the server at 127.0.0.1:5432 (``AGENCYFLOW_TEST_PG_URL`` to change it). Each
test gets its own database cloned from a migrated template, so tests never see each other's rows.
When the server is missing the tests fail loudly: they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from agencyflow import i18n
from agencyflow.config import Settings
from agencyflow.db import make_engine, upgrade
from agencyflow.domain.calendar import TIMEZONE
from agencyflow.domain.clock import Clock
from agencyflow.services.clock import with_clock

PG_URL = os.environ.get("AGENCYFLOW_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")

# Prefect: never start a temporary server by accident, keep quiet (see shared/notes/prefect.md).
for _name, _value in {
    "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_UI_ENABLED": "false",
    # One terminal width for every test, whichever test first builds a console in a process
    # (under pytest-xdist a worker's first CLI test is not the serial run's).
    "COLUMNS": "200",
}.items():
    os.environ.setdefault(_name, _value)


@pytest.fixture(autouse=True)
def english_context(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test runs in an English context (what ``--lang en`` or ``Accept-Language: en`` give a
    command or a request), so that its assertions read what agencyflow says in the language the
    messages are written in; a test marked ``vietnamese`` runs in the Vietnamese default, as
    ``tests/e2e/test_vietnamese_cli.py`` and the catalog tests do. Explicit languages (a
    notification's, a report's, a web request's) are unaffected."""
    if request.node.get_closest_marker("vietnamese"):
        yield
        return
    with i18n.language("en"):
        yield


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime in Vietnam time (tests travel in time with it)."""
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database used as the template of each test's database."""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"af_tpl_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_pg_db_url(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_db_url(name: str) -> str:
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{name}"


#: The tests play whole years ahead of (and behind) the real clock: their engines carry a
#: simulated clock, as the demo's does (tests of the real clock's rules use ``real_clock``).
SIMULATED = Clock(simulated=True)


def real_clock(engine: Engine) -> Engine:
    """``engine`` without the simulation: writes must be dated by the real clock."""
    return with_clock(engine, Clock())


def _sqlite_engine(template: Path, tmp_path: Path) -> tuple[Engine, str]:
    path = tmp_path / "agencyflow.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    return with_clock(make_engine(url), SIMULATED), url


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A fresh migrated SQLite database for one test."""
    engine, _ = _sqlite_engine(sqlite_template, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_template: str) -> Iterator[Engine]:
    """A fresh migrated PostgreSQL database for one test (cloned from the template)."""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"af_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    engine = with_clock(make_engine(_pg_db_url(name)), SIMULATED)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on SQLite and on PostgreSQL."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    """Settings pointing at the test's database and a temporary data directory."""
    url = engine.url.render_as_string(hide_password=False)
    return Settings(data_dir=tmp_path / "data", database_url=url, simulation=True)
