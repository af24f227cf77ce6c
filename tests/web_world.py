"""A world for the web tests: the lifecycle test plan running in the current year, one user per
role (each with a password), and a client that logs in through the login form.

The web records the real clock, so the plan's period and the cycle follow today's date: the
cycle starts 40 days ago, in the year of that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from agencyflow.db import session_scope
from agencyflow.domain.calendar import TIMEZONE
from agencyflow.domain.permissions import Actor, Role
from agencyflow.models import Cycle
from agencyflow.services.people import passwords, users
from tests.factories import CALENDAR, SYSTEM, store_plan
from tests.lifecycle_plan import WALK_PLAN

#: Every user's password in the web tests.
PASSWORD = "mật-khẩu-thử-1"


@dataclass(frozen=True)
class Person:
    """A user of the web world."""

    username: str
    role: Role
    agency: str | None

    @property
    def actor(self) -> Actor:
        """The person as an actor of the services."""
        return Actor(self.username, self.role, self.agency)


COORDINATOR = Person("dieu.phoi", Role.COORDINATOR, "NN")
LEADER = Person("chu.tich", Role.LEADER, "UBND-HUYEN")
INSPECTOR = Person("thanh.tra", Role.INSPECTOR, None)
NN_OFFICER = Person("can.bo.nn", Role.OFFICER, "NN")
KTHT_OFFICER = Person("can.bo.ktht", Role.OFFICER, "KTHT")
XA_A_OFFICER = Person("can.bo.xa-a", Role.OFFICER, "XA-A")
XA_B_OFFICER = Person("can.bo.xa-b", Role.OFFICER, "XA-B")
PEOPLE = (COORDINATOR, LEADER, INSPECTOR, NN_OFFICER, KTHT_OFFICER, XA_A_OFFICER, XA_B_OFFICER)


def now() -> datetime:
    """The real clock in Vietnam time."""
    return datetime.now(TIMEZONE)


def cycle_start() -> date:
    """The day the test cycle starts: 40 days ago."""
    return now().date() - timedelta(days=40)


def plan_text() -> str:
    """The lifecycle plan, its period around the cycle's year."""
    year = cycle_start().year
    return WALK_PLAN.replace("period: {from_year: 2027, to_year: 2028}",
                             f"period: {{from_year: {year - 1}, to_year: {year + 1}}}")


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return passwords.hash_password(PASSWORD)


def add_people(engine: Engine) -> None:
    """Every person of :data:`PEOPLE`, each with :data:`PASSWORD` (the coordinator's set by
    the service, the others get the same Argon2 hash: hashing costs ~0.1 s each)."""
    with session_scope(engine) as session:
        for person in PEOPLE:
            user = users.add_user(session, username=person.username, role=person.role.value,
                                  now=now(), actor=SYSTEM, agency_code=person.agency)
            user.password_hash = _password_hash()
            session.add(user)


def setup_world(engine: Engine, *, start: bool = True) -> Cycle | None:
    """Store the plan, add the people and (unless ``start`` is False) start the cycle."""
    from agencyflow.services import cycles

    version = store_plan(engine, text=plan_text(), now=now())
    add_people(engine)
    if not start:
        return None
    begin = cycle_start()
    with session_scope(engine) as session:
        return cycles.start(session, version=version, year=begin.year, now=now(),
                            actor=SYSTEM, calendar=CALENDAR, start_date=begin).cycle


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Log ``client`` in through the login form; return it."""
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post("/login", data={"username": username, "password": password,
                                           "login_token": token.group(1), "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)
