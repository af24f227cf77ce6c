"""Reminder scenarios: the sweep at national scale, its floors, and the naive Prefect design."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from typing import Any

from bench.scenarios import measure

#: The first working day of 2027 at 09:00: every open assignment gets its "opened" notice.
SWEEP_AT = "2027-01-04T09:00:00+07:00"
DUE_SET = ("SELECT id, cycle_id, step_id, member, lead_code, cooperating, clauses, title_vi, "
           "title_en, due_original, due_current, opened_on, status, version, last_swept_on "
           "FROM assignment WHERE next_notice_on <= ? AND status IN ('in_progress', 'open') "
           "ORDER BY id")


def _now() -> datetime:
    return datetime.fromisoformat(SWEEP_AT)


def sweep(db: str) -> dict[str, Any]:
    """One reminder sweep (services.sweeps.sweep) over the whole cycle."""
    from agencyflow.db import make_engine
    from agencyflow.domain.calendar import default_calendar
    from agencyflow.services import sweeps

    engine = make_engine(f"sqlite:///{db}")
    calendar = default_calendar()
    calendar.is_working_day(_now().date())
    box: dict[str, Any] = {}

    def run() -> int:
        box["result"] = sweeps.sweep(engine, now=_now(), calendar=calendar)
        return box["result"].scanned

    out = measure(run)
    out["written"] = box["result"].written
    return out


def floor_select(db: str) -> dict[str, Any]:
    """The floor the issue names: plain sqlite3 selecting the same due set."""
    conn = sqlite3.connect(db)
    return measure(lambda: len(conn.execute(DUE_SET, ("2027-01-04",)).fetchall()))


def floor_write(db: str, swept_db: str) -> dict[str, Any]:
    """A write floor: plain sqlite3 selecting the due set, inserting the very notification rows
    the sweep wrote (copied from ``swept_db``, untimed) and moving each assignment's clock."""
    src = sqlite3.connect(swept_db)
    cols = [r[1] for r in src.execute("PRAGMA table_info(notification)") if r[1] != "id"]
    rows = src.execute(f"SELECT {', '.join(cols)} FROM notification").fetchall()
    moves = src.execute("SELECT next_notice_on, last_swept_on, id FROM assignment "
                        "WHERE last_swept_on IS NOT NULL").fetchall()
    src.close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    insert = (f"INSERT INTO notification ({', '.join(cols)}) VALUES "
              f"({', '.join('?' * len(cols))}) ON CONFLICT (key) DO NOTHING")

    def run() -> int:
        due = conn.execute(DUE_SET, ("2027-01-04",)).fetchall()
        conn.execute("BEGIN")
        conn.executemany(insert, rows)
        conn.executemany("UPDATE assignment SET next_notice_on = ?, last_swept_on = ? "
                         "WHERE id = ?", moves)
        conn.execute("COMMIT")
        return len(due)

    out = measure(run)
    out["written"] = len(rows)
    return out


def naive_prefect(db: str, sample: str) -> dict[str, Any]:
    """The naive design on a sample: one Prefect task run per assignment, each deciding that
    assignment's notices with the same domain policy (writes left out, so this is a lower bound).
    Uses Prefect's temporary local server; its start-up and a warm-up run are not counted. The
    caller extrapolates the time per task run to the full cycle."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    from prefect import flow, task

    from agencyflow.domain import reminders
    from agencyflow.domain.calendar import default_calendar

    calendar = default_calendar()
    policy, hours = reminders.ReminderPolicy(), reminders.OfficeHours()
    rows = sqlite3.connect(db).execute(
        "SELECT opened_on, due_current FROM assignment WHERE status = 'open' ORDER BY id "
        "LIMIT ?", (int(sample) + 2,)).fetchall()
    states = [reminders.ReminderState(
        opened_on=datetime.fromisoformat(o).date(), due=datetime.fromisoformat(d).date(),
        active=True, last_swept_on=None) for o, d in rows]

    @task
    def one(index: int) -> int:
        return len(reminders.due_notices(states[index], policy, calendar, _now(), hours))

    @flow
    def per_assignment(indexes: list[int]) -> int:
        return sum(one(i) for i in indexes)

    per_assignment([0, 1])  # starts the temporary server; untimed
    started = time.perf_counter()
    per_assignment(list(range(2, len(states))))
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "rows": len(states) - 2, "peak_mib": None}


def dispatch_rate(count: str, processes: str) -> dict[str, Any]:
    """Dispatch ``count`` pending notices to a loopback webhook sink in another process
    (bench/dispatch_e2e.py): services.dispatch with the real AppriseNotifier."""
    import tempfile
    from pathlib import Path

    from bench import dispatch_e2e

    with tempfile.TemporaryDirectory(prefix="dispatch-") as tmp:
        db = Path(tmp) / "outbox.db"
        expected = dispatch_e2e.build(db, int(count))
        rate, cpu_ms = dispatch_e2e.run_once(db, expected, 32, int(processes))
    return {"seconds": round(expected / rate, 3), "rows": expected, "peak_mib": None,
            "cpu_ms": round(cpu_ms, 2)}
