"""The database as the entry points reach it: engines, a unit of work, and the
row types they handle, so that the CLI never imports :mod:`agencyflow.db`, the models or
SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import Engine, make_url
from sqlmodel import Session

from agencyflow.db import engine_from_settings, session_scope
from agencyflow.models import Assignment, Product
from agencyflow.models.types import dumps

__all__ = ["Assignment", "Engine", "Product", "Session", "dumps", "engine_from_settings",
           "make_url", "session_scope"]
