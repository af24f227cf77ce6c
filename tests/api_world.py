"""A small world for the API tests: the walk plan's 2027 cycle, one user of each role with an
API token, and the API app served by a TestClient (the real app, the real database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from agencyflow.config import Settings
from agencyflow.db import session_scope
from agencyflow.domain.permissions import Actor
from agencyflow.services.people import users
from agencyflow.web.api import create_standalone
from tests.factories import SYSTEM, at
from tests.lifecycle_plan import assignment_id, setup_cycle

#: name → (role, agency) of the world's users.
PEOPLE = {
    "coord": ("coordinator", "NN"),
    "nn": ("officer", "NN"),
    "ktht": ("officer", "KTHT"),
    "xa": ("officer", "XA-A"),
    "leader": ("leader", "UBND-HUYEN"),
    "insp": ("inspector", None),
}


@dataclass
class World:
    """The database, the app's client and a token per user."""

    engine: Engine
    settings: Settings
    client: TestClient
    tokens: dict[str, str]
    cycle_id: int
    ids: dict[str, int] = field(default_factory=dict)

    def auth(self, who: str, **headers: str) -> dict[str, str]:
        """Headers that authenticate as ``who`` (plus ``headers``)."""
        return {"Authorization": f"Bearer {self.tokens[who]}", **headers}

    def call(self, who: str | None, method: str, path: str, **kwargs: Any) -> Any:
        """One request to ``/api/v1`` + ``path`` as ``who`` (None: no token)."""
        headers = self.auth(who) if who else {}
        headers |= kwargs.pop("headers", {})
        return self.client.request(method, "/api/v1" + path, headers=headers, **kwargs)


def seed(engine: Engine) -> tuple[int, dict[str, str], dict[str, int]]:
    """The walk plan's 2027 cycle and the users; return (cycle id, tokens, assignment ids)."""
    cycle = setup_cycle(engine)
    tokens: dict[str, str] = {}
    with session_scope(engine) as session:
        boss = None
        for name, (role, agency) in PEOPLE.items():
            users.add_user(session, username=name, role=role, agency_code=agency,
                           now=at(2027, 1, 4), actor=boss or SYSTEM)
            boss = boss or users.actor_for(session, "coord")
        for name in PEOPLE:
            actor: Actor = users.actor_for(session, name)
            tokens[name] = users.create_token(session, name, now=at(2027, 1, 4),
                                              actor=actor).secret
    ids = {"PLAN": assignment_id(engine, "PLAN"), "EVAL-A": assignment_id(engine, "EVAL", "XA-A"),
           "MARKET": assignment_id(engine, "MARKET", period="2027-Q1")}
    return cycle.id or 0, tokens, ids


def world_for(engine: Engine, tmp_path: Path) -> Iterator[World]:
    """Seed ``engine`` and serve the API on it."""
    cycle_id, tokens, ids = seed(engine)
    settings = Settings(data_dir=tmp_path / "data", simulation=True,  # the world plays 2027
                        database_url=engine.url.render_as_string(hide_password=False))
    with TestClient(create_standalone(settings), raise_server_exceptions=False) as client:
        yield World(engine, settings, client, tokens, cycle_id, ids)
