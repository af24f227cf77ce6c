"""Bulk inserts that bypass the ORM: driver-level executemany in batches.

Measured here (shared/notes/bulk-writes.md): the ORM unit of work is ~23× slower than raw
``sqlite3.executemany``; ``exec_driver_sql`` with tuples stays within ~2×. Values must already be
driver values (dates, numbers, JSON text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection


def insert_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch: int = 20_000,
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; return how many."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    count = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, batch)):
        conn.exec_driver_sql(sql, chunk)
        count += len(chunk)
    return count
