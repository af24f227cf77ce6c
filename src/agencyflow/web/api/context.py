"""What every API request needs, built once per app by :func:`agencyflow.web.api.create_api`:
the settings, the database engine and the working-day calendar (never at import time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agencyflow.config import Settings
from agencyflow.domain.calendar import TIMEZONE, WorkingCalendar
from agencyflow.services.database import Engine, engine_from_settings
from agencyflow.services.plans import calendar_for


@dataclass(frozen=True)
class ApiContext:
    """The composition root of one API app."""

    settings: Settings
    engine: Engine
    calendar: WorkingCalendar

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiContext:
        """Open the configured database (schema checked, the embedded one upgraded)."""
        return cls(settings, engine_from_settings(settings), calendar_for(settings))

    @staticmethod
    def now() -> datetime:
        """The real clock, in Vietnam time: what a write records."""
        return datetime.now(TIMEZONE)
