"""The database as the entry points reach it: engines, a unit of work, the errors a request
turns into answers, and the row types they handle, so that the CLI and the web never import
:mod:`agencyflow.db`, the models, SQLModel or SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from agencyflow.db import engine_from_settings, session_scope
from agencyflow.models import ApiToken, Assignment, PlanVersion, Product
from agencyflow.models.types import dumps

__all__ = ["ApiToken", "Assignment", "Engine", "IntegrityError", "OperationalError",
           "PlanVersion", "Product", "Session", "dumps", "engine_from_settings", "make_url",
           "ping", "session_scope"]


def ping(session: Session) -> None:
    """Ask the database a trivial question: raises :class:`OperationalError` when it cannot
    answer (the health check)."""
    session.execute(text("SELECT 1"))
