"""Fixtures of the web tests: the app on the test's database, a client, the world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from agencyflow.config import Settings
from agencyflow.web.app import create_app
from tests.web_world import setup_world


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The web app on the test's database."""
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A browser-like client (cookies kept) that does not follow redirects by itself."""
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def world(engine: Engine) -> Engine:
    """The plan, the people and a running cycle in the test's database."""
    setup_world(engine)
    return engine
