"""Small builders shared by tests: actors, plans stored in a database, cycles."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from agencyflow.db import session_scope
from agencyflow.domain.calendar import TIMEZONE, WorkingCalendar
from agencyflow.domain.permissions import Actor, Role
from agencyflow.domain.plan_loader import load_plan_file, load_plan_text
from agencyflow.models import Cycle, PlanVersion
from agencyflow.services import cycles
from agencyflow.services.plans import store as plans

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = FIXTURES / "plans"
SYSTEM = Actor("system:test", Role.SYSTEM)
CALENDAR = WorkingCalendar()


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime in Vietnam time."""
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


def store_plan(engine: Engine, *, path: Path | None = None, text: str | None = None,
               now: datetime | None = None) -> PlanVersion:
    """Load a plan (a file, YAML text, or the small valid fixture) into the database."""
    loaded = load_plan_text(text, "test-plan.yaml") if text else load_plan_file(
        path or PLANS / "valid.yaml")
    with session_scope(engine) as session:
        version, _ = plans.store(session, loaded, now=now or at(2020, 1, 2), actor=SYSTEM)
    return version


def start_cycle(engine: Engine, version: PlanVersion, year: int,
                start: date | None = None) -> Cycle:
    """Start the cycle of ``year`` as the system actor; return the cycle row."""
    with session_scope(engine) as session:
        result = cycles.start(session, version=version, year=year, now=at(year, 1, 4),
                              actor=SYSTEM, calendar=CALENDAR, start_date=start)
    return result.cycle
