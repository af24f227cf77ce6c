"""The API's role × route matrix: every route × every role (and own/other agency) → status.

Roles: ``coord`` (coordinator), ``nn`` (officer of NN, the lead of PLAN), ``ktht`` (officer of
KTHT: leads MARKET, cooperates on PLAN), ``xa`` (officer of commune XA-A: another agency),
``leader``, ``insp`` (inspector), ``anon`` (no token). A write cell runs on its own copy of a
seeded database, put in the state the move needs, so its expected status is exact: the
permission table of the services (the CLI's) decides, never the route.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from agencyflow.config import Settings
from agencyflow.db import make_engine, session_scope
from agencyflow.domain.clock import Clock
from agencyflow.models import ApiToken, User
from agencyflow.services.assignments import extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.clock import with_clock
from agencyflow.web.api import create_standalone
from tests.api_world import PEOPLE, seed
from tests.conftest import PG_URL, _pg_db_url
from tests.factories import CALENDAR, SYSTEM, at

ROLES = [*PEOPLE, "anon"]
ALL = dict.fromkeys(PEOPLE, 200)
AUDIT = {"coord": 200, "leader": 200, "insp": 200, "nn": 403, "ktht": 403, "xa": 403}


def only(status: int, *who: str) -> dict[str, int]:
    """``status`` for ``who``, 403 for every other user."""
    return {name: status if name in who else 403 for name in PEOPLE}


Setup = Callable[[Engine, dict[str, int]], dict[str, Any]]


def nothing(_engine: Engine, _ids: dict[str, int]) -> dict[str, Any]:
    return {}


def submitted(engine: Engine, ids: dict[str, int]) -> dict[str, Any]:
    with session_scope(engine) as session:
        assignments.submit(session, assignment_id=ids["PLAN"], actor=SYSTEM, now=at(2027, 2, 1),
                           calendar=CALENDAR, outputs=_PLAN_OUTPUTS)
    return {}


def extension(engine: Engine, ids: dict[str, int]) -> dict[str, Any]:
    with session_scope(engine) as session:
        ext = extensions.request_extension(session, assignment_id=ids["PLAN"], actor=SYSTEM,
                                           now=at(2027, 2, 1), new_due=at(2027, 4, 30).date(),
                                           reason="Chờ số liệu")
    return {"ext": ext.id}


def insp_token(engine: Engine, _ids: dict[str, int]) -> dict[str, Any]:
    with Session(engine) as session:
        stmt = select(ApiToken.id).join(User).where(User.username == "insp")
        return {"token": session.execute(stmt).scalar_one()}


_PLAN_OUTPUTS = {"plan_document": "https://kimthanh.gov.vn/kh.pdf", "budget": 120}


@dataclass(frozen=True)
class Route:
    """One route, how to call it, what state it needs and the status each role gets."""

    name: str
    method: str
    path: str
    expect: dict[str, int]
    body: dict[str, Any] | None = None
    setup: Setup | None = None  # None: a read, served by the shared world


READS = [
    Route("plans", "GET", "/plans", ALL),
    Route("plan", "GET", "/plans/walk-ocop", ALL),
    Route("cycles", "GET", "/cycles", ALL),
    Route("assignments", "GET", "/assignments?now=2027-03-01", ALL),
    Route("assignment", "GET", "/assignments/{PLAN}", ALL),
    Route("counts", "GET", "/assignments/counts?plan=walk-ocop&year=2027", ALL),
    Route("extensions", "GET", "/extensions?status=pending", ALL),
    Route("targets", "GET", "/targets?plan=walk-ocop", ALL),
    Route("notifications", "GET", "/notifications", ALL),
    Route("users", "GET", "/users", ALL),
    Route("tokens", "GET", "/tokens", ALL),
    Route("audit-events", "GET", "/audit/events", AUDIT),
    Route("audit-export", "GET", "/audit/export?format=csv", AUDIT),
]

WRITES = [
    Route("start", "POST", "/assignments/{PLAN}/start", only(200, "coord", "nn"), {}, nothing),
    Route("progress", "POST", "/assignments/{PLAN}/progress", only(200, "coord", "nn"),
          {"note": "Đã họp"}, nothing),
    Route("complete", "POST", "/assignments/{MARKET}/complete", only(200, "coord", "ktht"),
          {"outputs": {}}, nothing),
    Route("submit", "POST", "/assignments/{PLAN}/submit", only(200, "coord", "nn"),
          {"outputs": _PLAN_OUTPUTS}, nothing),
    Route("approve", "POST", "/assignments/{PLAN}/approve", only(200, "coord"), {}, submitted),
    Route("reject", "POST", "/assignments/{PLAN}/reject", only(200, "coord"),
          {"reason": "Thiếu số liệu"}, submitted),
    Route("cancel", "POST", "/assignments/{PLAN}/cancel", only(200, "coord"),
          {"reason": "Trùng"}, nothing),
    Route("reassign", "POST", "/assignments/{EVAL-A}/reassign", only(200, "coord"),
          {"to": "NN", "reason": "Xã thiếu cán bộ"}, nothing),
    Route("contribute", "POST", "/assignments/{PLAN}/contribute",
          only(201, "coord", "nn", "ktht"), {"comment": "Đã rà soát"}, nothing),
    Route("extend", "POST", "/assignments/{PLAN}/extensions", only(201, "coord", "nn"),
          {"new_due": "2027-04-30", "reason": "Chờ số liệu"}, nothing),
    Route("decide", "POST", "/extensions/{ext}/decision", only(200, "coord", "leader"),
          {"approve": True}, extension),
    Route("plan-load", "POST", "/plans", only(201, "coord"), {"bundled": "kim-thanh-ocop"},
          nothing),
    Route("plan-validate", "POST", "/plans/validate", ALL, {"bundled": "kim-thanh-ocop"},
          nothing),
    Route("cycle-start", "POST", "/cycles", only(201, "coord"),
          {"plan": "walk-ocop", "year": 2028}, nothing),
    Route("retry", "POST", "/notifications/retry", only(200, "coord"), {"all_dead": True},
          nothing),
    Route("audit-verify", "POST", "/audit/verify", AUDIT, {}, nothing),
    Route("audit-verify-export", "POST", "/audit/verify-export", AUDIT, {}, nothing),
    Route("user-add", "POST", "/users", only(201, "coord"),
          {"username": "moi", "role": "inspector"}, nothing),
    Route("user-disable", "POST", "/users/xa/disable", only(200, "coord"), {}, nothing),
    Route("token-create", "POST", "/users/insp/tokens", only(201, "coord", "insp"),
          {"name": "script"}, nothing),
    Route("token-revoke", "POST", "/tokens/{token}/revoke", only(200, "coord", "insp"), {},
          insp_token),
]


@pytest.fixture(scope="module")
def template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, dict[str, str], dict[str, int]]:
    """A seeded SQLite database file that the cells copy."""
    path = tmp_path_factory.mktemp("matrix") / "world.db"
    shutil.copy(sqlite_template, path)
    engine = with_clock(make_engine(f"sqlite:///{path}"), Clock(simulated=True))  # plays 2027
    _cycle, tokens, ids = seed(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, tokens, ids


def _client(db: Path | str, data: Path) -> TestClient:
    """The API on ``db`` (a SQLite file, or a database URL)."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    settings = Settings(data_dir=data, database_url=url, simulation=True)
    return TestClient(create_standalone(settings), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def pg_seeded(pg_template: str) -> Iterator[tuple[str, dict[str, str], dict[str, int]]]:
    """A seeded PostgreSQL database that no one connects to: the template of the PostgreSQL
    cells (a database can be cloned only while no session is open on it)."""
    name = f"af_matrix_{uuid.uuid4().hex[:10]}"
    _pg_clone(pg_template, name)
    engine = with_clock(make_engine(_pg_db_url(name)), Clock(simulated=True))  # plays 2027
    _cycle, tokens, ids = seed(engine)
    engine.dispose()
    yield name, tokens, ids
    _pg_drop(name)


def _pg_clone(template: str, name: str) -> None:
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()


def _pg_drop(name: str) -> None:
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def pg_world(pg_seeded: tuple[str, dict[str, str], dict[str, int]],
             tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[TestClient, dict[str, str], dict[str, int]]]:
    """The seeded world on PostgreSQL (its own copy) and a client on it: the read cells and
    the cells without a token run there too."""
    seeded, tokens, ids = pg_seeded
    name = f"{seeded}_reads"
    _pg_clone(seeded, name)
    client = _client(_pg_db_url(name), tmp_path_factory.mktemp("pg-reads") / "data")
    yield client, tokens, ids
    client.close()
    _pg_drop(name)


@pytest.fixture(scope="module")
def shared(template: tuple[Path, dict[str, str], dict[str, int]],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One client on one copy, for the reads and for every request without a token."""
    folder = tmp_path_factory.mktemp("reads")
    shutil.copy(template[0], folder / "world.db")
    yield _client(folder / "world.db", folder / "data")


def _call(client: TestClient, route: Route, who: str, tokens: dict[str, str],
          values: dict[str, Any]) -> Any:
    path = route.path
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    headers = {"Authorization": f"Bearer {tokens[who]}"} if who != "anon" else {}
    return client.request(route.method, "/api/v1" + path, json=route.body, headers=headers)


@pytest.mark.parametrize("route", READS + WRITES, ids=lambda r: r.name)
def test_without_a_token_every_route_is_401(route: Route, shared: TestClient,
                                            template: tuple[Path, dict[str, str],
                                                            dict[str, int]]) -> None:
    _path, tokens, ids = template
    response = _call(shared, route, "anon", tokens, {**ids, "ext": 1, "token": 1})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("route", READS, ids=lambda r: r.name)
def test_reads(route: Route, who: str, shared: TestClient,
               template: tuple[Path, dict[str, str], dict[str, int]]) -> None:
    _path, tokens, ids = template
    response = _call(shared, route, who, tokens, ids)
    assert response.status_code == route.expect[who], response.text


@pytest.mark.postgres
@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("route", READS, ids=lambda r: r.name)
def test_reads_on_postgres(route: Route, who: str,
                           pg_world: tuple[TestClient, dict[str, str], dict[str, int]]) -> None:
    client, tokens, ids = pg_world
    response = _call(client, route, who, tokens, ids)
    assert response.status_code == (401 if who == "anon" else route.expect[who]), response.text


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cell(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str],
                                                                           dict[str, int]]]:
    """A write cell's own copy of the seeded world, on SQLite and on PostgreSQL: its database
    URL, the tokens and the assignment ids."""
    if request.param == "sqlite":
        path, tokens, ids = request.getfixturevalue("template")
        shutil.copy(path, tmp_path / "cell.db")
        yield f"sqlite:///{tmp_path / 'cell.db'}", tokens, ids
        return
    seeded, tokens, ids = request.getfixturevalue("pg_seeded")
    name = f"af_cell_{uuid.uuid4().hex[:10]}"
    _pg_clone(seeded, name)
    yield _pg_db_url(name), tokens, ids
    _pg_drop(name)


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("route", WRITES, ids=lambda r: r.name)
def test_writes(route: Route, who: str, tmp_path: Path,
                cell: tuple[str, dict[str, str], dict[str, int]]) -> None:
    url, tokens, ids = cell
    engine = with_clock(make_engine(url), Clock(simulated=True))
    assert route.setup is not None
    values = {**ids, **route.setup(engine, ids)}
    engine.dispose()
    with _client(url, tmp_path / "data") as client:
        response = _call(client, route, who, tokens, values)
    assert response.status_code == route.expect[who], response.text
    if response.status_code == 403:
        assert response.json()["type"] == "urn:agencyflow:problem:forbidden"


def test_the_matrix_covers_every_route_of_the_api(shared: TestClient) -> None:
    spec = shared.get("/api/v1/openapi.json").json()
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    covered = {(r.method, _template(r.path)) for r in READS + WRITES}
    assert documented == covered


def _template(path: str) -> str:
    import re

    path = path.split("?")[0]
    names = {"/assignments/{": "{assignment_id}", "/extensions/{": "{extension_id}",
             "/tokens/{": "{token_id}"}
    for prefix, name in names.items():
        path = re.sub(re.escape(prefix) + r"[^}]+}", prefix[:-1] + name, path)
    return path.replace("/users/xa/", "/users/{username}/").replace(
        "/users/insp/", "/users/{username}/").replace("/plans/walk-ocop", "/plans/{key}")
