"""The schema: where the embedded database lives, engines for a URL, Alembic revisions."""

from __future__ import annotations

from agencyflow.db import current_revision, data_path, head_revision, make_engine, upgrade

__all__ = ["current_revision", "data_path", "head_revision", "make_engine", "upgrade"]
