"""Benchmark scenarios of issue 12: the yearly report at national scale (docx and xlsx) and
the Excel import of a progress sheet, each beside the floor of the same queries in plain SQL.

Run through ``bench.scenarios`` (one process per scenario) by ``bench/run.py``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.scenarios import TODAY, _engine, measure

PLAN = "bench-national"


def lived(db: str) -> dict[str, Any]:
    """Make the cycle look lived on TODAY (not timed): a third of the assignments done, on
    time or late, one in thirty extended."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("""UPDATE assignment SET status = 'done', completed_on = CASE
            WHEN id % 2 = 0 THEN date(due_current, '-3 days') ELSE date(due_current, '+2 days')
            END WHERE id % 3 = 0 AND due_current IS NOT NULL AND due_current < :today""",
                     {"today": TODAY.isoformat()})
        conn.execute("""INSERT INTO extension_request (assignment_id, requested_by, requested_at,
            old_due, new_due, reason, status, decided_by, decided_at)
            SELECT id, 'bench', '2027-03-01 02:00:00.000000', due_current,
                   date(due_current, '+20 days'), 'Chờ số liệu', 'approved', 'bench',
                   '2027-03-02 02:00:00.000000'
            FROM assignment WHERE id % 30 = 1 AND due_current IS NOT NULL""")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"seconds": 0, "rows": 0, "peak_mib": None}


def report(db: str, fmt: str) -> dict[str, Any]:
    """``agencyflow report --year 2027 --format FMT`` through the service, as of TODAY."""
    from sqlmodel import Session

    from agencyflow.config import Settings
    from agencyflow.domain.calendar import default_calendar
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.services.reports import period
    from agencyflow.services.reports.produce import make

    engine = _engine(db)
    calendar = default_calendar()
    calendar.is_working_day(TODAY)
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), database_url=f"sqlite:///{db}")
    import matplotlib  # importing the libraries is not the report's work

    matplotlib.use("Agg")
    import docxtpl  # noqa: F401
    import openpyxl  # noqa: F401

    def run() -> int:
        with Session(engine) as session:
            made = make(session, settings, plan_key=PLAN, period=period.year(2027), today=TODAY,
                        actor=Actor("bench", Role.SYSTEM), calendar=calendar, fmt=fmt)
        Path(settings.data_dir / f"r.{fmt}").write_bytes(made.content)
        return sum(made.data.figures.counts.values())

    return measure(run)


FLOOR_ROWS = """SELECT a.id, a.step_id, a.period, a.member, a.lead_code, a.cooperating, a.title_vi,
  a.due_original, a.due_current, a.completed_on, a.status, CASE
  WHEN a.status = 'cancelled' THEN 'cancelled'
  WHEN a.status = 'done' AND a.completed_on <= :today
    AND (a.due_current IS NULL OR a.completed_on <= a.due_current) THEN 'done_on_time'
  WHEN a.status = 'done' AND a.completed_on <= :today THEN 'done_late'
  WHEN a.status = 'waiting' OR a.due_current IS NULL OR a.opened_on IS NULL
    OR a.opened_on > :today THEN 'waiting'
  WHEN a.due_current < :today THEN 'overdue'
  WHEN a.due_current <= :soon THEN 'due_soon'
  ELSE 'in_progress' END AS st
FROM assignment a JOIN cycle c ON c.id = a.cycle_id WHERE a.cycle_id = 1
ORDER BY a.due_current IS NULL, a.due_current, a.id"""
FLOOR_EXTENSIONS = """SELECT e.assignment_id, e.old_due, e.new_due, e.reason, e.decided_at
FROM extension_request e JOIN assignment a ON a.id = e.assignment_id
WHERE a.cycle_id = 1 AND e.status = 'approved' ORDER BY e.decided_at, e.id"""
FLOOR_NAMES = "SELECT code, name_vi FROM agency WHERE plan_key = :plan"


def floor_report(db: str) -> dict[str, Any]:
    """The floor: the report's queries (board rows with the status rule, extensions, names)
    with plain sqlite3, every row fetched."""
    conn = sqlite3.connect(db)
    params = {"today": TODAY.isoformat(), "soon": date(2027, 6, 18).isoformat()}

    def run() -> int:
        rows = conn.execute(FLOOR_ROWS, params).fetchall()
        conn.execute(FLOOR_EXTENSIONS).fetchall()
        conn.execute(FLOOR_NAMES, {"plan": PLAN}).fetchall()
        return len(rows)

    return measure(run)


def import_prepare(db: str, sheet: str) -> dict[str, Any]:
    """(Not timed.) Give one agency every open assignment of the small cycle, export its
    progress sheet, and fill in a note on every row, as an agency would."""
    from openpyxl import load_workbook
    from sqlmodel import Session

    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.services.reports import progress_sheet

    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE assignment SET lead_code = 'COORD', status = 'open', "
                     "opened_on = '2027-01-04' WHERE cycle_id = 1")
    conn.close()
    with Session(_engine(db)) as session:
        rows = progress_sheet.rows_for(session, agency="COORD",
                                       actor=Actor("bench", Role.SYSTEM), plan_key=PLAN)
        Path(sheet).write_bytes(progress_sheet.write(rows, now=datetime.now(UTC)))
    wb = load_workbook(sheet)
    ws = wb[progress_sheet.PROGRESS]
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=progress_sheet.NOTE_COL, value=f"Đã thực hiện {r}")
    wb.save(sheet)
    return {"seconds": 0, "rows": ws.max_row - 1, "peak_mib": None}


def import_rows(db: str, sheet: str) -> dict[str, Any]:
    """``agencyflow import progress SHEET`` through the service: one use case per row."""
    from agencyflow.db import session_scope
    from agencyflow.domain.calendar import default_calendar
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.services.reports.progress_import import import_progress

    engine = _engine(db)
    calendar = default_calendar()
    calendar.is_working_day(TODAY)

    def run() -> int:
        with session_scope(engine) as session:
            result = import_progress(session, Path(sheet), actor=Actor("bench", Role.SYSTEM),
                                     now=datetime.now(UTC), calendar=calendar)
        return result.applied

    return measure(run)


def floor_import(db: str, sheet: str) -> dict[str, Any]:
    """The floor: the same rows read with openpyxl (read-only) and written with plain sqlite3 —
    per row the SELECT of the assignment, the UPDATE of its state, note and version, the
    INSERT of a hash-chained audit event and the UPDATE of the chain's head onto it — in one
    transaction."""
    from openpyxl import load_workbook

    conn = sqlite3.connect(db)

    def run() -> int:
        wb = load_workbook(sheet, read_only=True, data_only=True)
        rows = [(r[0], r[7]) for r in wb["Tiến độ"].iter_rows(min_row=2, values_only=True)]
        wb.close()
        seq, prev = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone() \
            or (0, "0" * 64)
        with conn:
            for ident, note in rows:
                status, version = conn.execute(
                    "SELECT status, version FROM assignment WHERE id = ?", (ident,)).fetchone()
                conn.execute("UPDATE assignment SET status = 'in_progress', note = ?, "
                             "version = version + 1 WHERE id = ? AND version = ?",
                             (note, ident, version))
                seq += 1
                body = json.dumps({"seq": seq, "target": ident, "note": note, "prev": prev})
                digest = hashlib.sha256(body.encode()).hexdigest()
                conn.execute("INSERT INTO audit_event (seq, at, actor, action, target_type, "
                             "target_id, before, after, prev_hash, hash) VALUES "
                             "(?, '2027-06-15 02:00:00.000000', 'bench', 'assignment.progress',"
                             " 'assignment', ?, ?, ?, ?, ?)",
                             (seq, str(ident), json.dumps({"status": status}),
                              json.dumps({"note": note}), prev, digest))
                prev = digest
                # the triggers of migration 0008 let the head advance one event at a time
                conn.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, prev))
        return len(rows)

    return measure(run)


SCENARIOS = {"report_lived": lived, "report": report, "floor_report": floor_report,
             "import_prepare": import_prepare, "import_rows": import_rows,
             "floor_import": floor_import}
