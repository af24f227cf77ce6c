"""Numbers users give for rows (ids, years, limits), checked against what the database can hold.

SQLite's INTEGER and PostgreSQL's BIGINT hold 64 bits; the drivers refuse a larger Python int
with ``OverflowError`` before the query runs. An id beyond that range names no row at all, so the
services answer it as they answer any unknown id ("does not exist"), never with a traceback.
"""

from __future__ import annotations

#: The largest (and, negated minus one, the smallest) integer a database column can hold.
MAX_INT = 2**63 - 1


def storable(value: int) -> bool:
    """Whether ``value`` fits a 64-bit integer column (a larger id cannot name a row)."""
    return -MAX_INT - 1 <= value <= MAX_INT


def clamp_limit(limit: int | None) -> int | None:
    """A row limit the database accepts: beyond 64 bits it means "no limit"."""
    return None if limit is not None and limit > MAX_INT else limit
