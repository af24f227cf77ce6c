"""Measured scenarios, each run in its own process: `python -m bench.scenarios NAME DB [ARGS]`.

Each prints one JSON object: seconds of the timed part, rows handled, and the peak resident memory
the timed part added (VmHWM after minus VmRSS before, in MiB).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

YEAR = 2027
TODAY = date(2027, 6, 15)


def _mem_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(fn: Callable[[], int]) -> dict[str, Any]:
    """Time ``fn`` (returns the rows it handled) and the memory it added at its peak."""
    before = _mem_kib("VmRSS")
    start = time.perf_counter()
    rows = fn()
    seconds = time.perf_counter() - start
    peak = max(0, _mem_kib("VmHWM") - before) / 1024
    return {"seconds": round(seconds, 4), "rows": rows, "peak_mib": round(peak, 1)}


def _engine(db: str):  # type: ignore[no-untyped-def]
    from agencyflow.db import make_engine

    return make_engine(f"sqlite:///{db}")


def prepare(db: str, communes: str, steps: str) -> dict[str, Any]:
    """A migrated database with the synthetic plan stored (plan load is timed)."""
    from agencyflow.db import session_scope, upgrade
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.domain.plan_loader import load_plan_text
    from agencyflow.services.plans import store as plans
    from bench.synthetic import plan_text

    engine = _engine(db)
    upgrade(engine)
    text = plan_text(int(communes), int(steps))

    def run() -> int:
        loaded = load_plan_text(text, "bench-national.yaml")
        with session_scope(engine) as session:
            plans.store(session, loaded, now=datetime.now(UTC), actor=Actor("bench", Role.SYSTEM))
        return len(loaded.spec.agencies)

    result = measure(run)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return result


def cycle_start(db: str) -> dict[str, Any]:
    """`agencyflow cycle start` for the synthetic plan (one transaction, bulk insert)."""
    from agencyflow.db import session_scope
    from agencyflow.domain.calendar import default_calendar
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.services import cycles
    from agencyflow.services.plans import store as plans

    engine = _engine(db)
    calendar = default_calendar()
    with session_scope(engine) as session:
        version = plans.latest(session, "bench-national")
        plans.spec_of(version)  # parsing the stored plan is not part of the insert path

    def run() -> int:
        with session_scope(engine) as session:
            started = cycles.start(session, version=version, year=YEAR, now=datetime.now(UTC),
                                   actor=Actor("bench", Role.SYSTEM), calendar=calendar)
        return started.assignments

    return measure(run)


def floor_insert(db: str, source_db: str) -> dict[str, Any]:
    """The floor: the same assignment rows inserted with plain sqlite3 executemany."""
    from agencyflow.services.cycles.opening import COLUMNS

    src = sqlite3.connect(source_db)
    rows = src.execute(f"SELECT {', '.join(COLUMNS)} FROM assignment").fetchall()
    cycle = src.execute("SELECT * FROM cycle").fetchone()
    src.close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    marks = ", ".join("?" * len(COLUMNS))
    sql = f"INSERT INTO assignment ({', '.join(COLUMNS)}) VALUES ({marks})"

    def run() -> int:
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO cycle VALUES ({', '.join('?' * len(cycle))})", cycle)
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
        return len(rows)

    return measure(run)


def board_counts(db: str) -> dict[str, Any]:
    """The board's count per agency and status (the service on a SQLAlchemy session)."""
    from sqlmodel import Session

    from agencyflow.domain.calendar import default_calendar
    from agencyflow.services.board import listing as board

    engine = _engine(db)
    calendar = default_calendar()
    calendar.is_working_day(TODAY)

    def run() -> int:
        with Session(engine) as session:
            counts = board.counts(session, board.BoardFilter(), today=TODAY, calendar=calendar)
        return sum(sum(c.values()) for c in counts.values())

    return measure(run)


FLOOR_COUNTS = """
SELECT lead_code, CASE
  WHEN status = 'cancelled' THEN 'cancelled'
  WHEN status = 'done' AND completed_on <= :today
    AND (due_current IS NULL OR completed_on <= due_current)
    THEN 'done_on_time'
  WHEN status = 'done' AND completed_on <= :today THEN 'done_late'
  WHEN status = 'waiting' OR due_current IS NULL OR opened_on IS NULL OR opened_on > :today
    THEN 'waiting'
  WHEN due_current < :today THEN 'overdue'
  WHEN due_current <= :soon THEN 'due_soon'
  ELSE 'in_progress' END AS st, count(*)
FROM assignment GROUP BY lead_code, st
"""


def floor_counts(db: str) -> dict[str, Any]:
    """The floor: the same status count query with plain sqlite3."""
    conn = sqlite3.connect(db)
    params = {"today": TODAY.isoformat(), "soon": date(2027, 6, 18).isoformat()}

    def run() -> int:
        return sum(n for _, _, n in conn.execute(FLOOR_COUNTS, params))

    return measure(run)


SCENARIOS: dict[str, Callable[..., dict[str, Any]]] = {
    "prepare": prepare,
    "cycle_start": cycle_start,
    "floor_insert": floor_insert,
    "board_counts": board_counts,
    "floor_counts": floor_counts,
}

if __name__ == "__main__":
    from bench import (
        dispatch_workers,
        listing_scenarios,
        pg_scale,
        reminder_scenarios,
        report_scenarios,
    )

    SCENARIOS.update(report_scenarios.SCENARIOS)

    SCENARIOS.update({"sweep": reminder_scenarios.sweep,
                      "floor_select": reminder_scenarios.floor_select,
                      "floor_write": reminder_scenarios.floor_write,
                      "naive_prefect": reminder_scenarios.naive_prefect,
                      "postgres_sweep": reminder_scenarios.postgres_sweep,
                      "sweep_by_agency": reminder_scenarios.sweep_by_agency,
                      "dispatch": reminder_scenarios.dispatch_rate,
                      "board_json_rss": listing_scenarios.board_json_rss,
                      "postgres_cycle_start": pg_scale.postgres_cycle_start,
                      "dispatch_workers": dispatch_workers.dispatch_workers,
                      "dispatch_floor": dispatch_workers.floor})
    name, *args = sys.argv[1:]
    print(json.dumps(SCENARIOS[name](*args)))
