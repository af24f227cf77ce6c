"""Column types shared by the tables: UTC timestamps and JSON stored as text.

Both behave the same on SQLite and PostgreSQL, and both accept plain driver values (ISO strings,
JSON text) so that bulk inserts can bypass the ORM.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator

from agencyflow.dbapi import dumps

__all__ = ["JSONText", "UTCDateTime", "dumps", "utcnow"]


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and returned as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class JSONText(TypeDecorator[Any]):
    """JSON kept as compact, key-sorted text (portable, and readable in a raw SQL dump)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else dumps(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the default for ``created_at`` columns)."""
    return datetime.now(UTC)
