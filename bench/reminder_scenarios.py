"""Reminder scenarios: the sweep at national scale, its floors, and the naive Prefect design."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
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
    """One reminder sweep (services.reminders.sweeps.sweep) over the whole cycle."""
    from agencyflow.db import make_engine
    from agencyflow.domain.calendar import default_calendar
    from agencyflow.services.reminders import sweeps

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


def sweep_by_agency(db: str, per_task: str) -> dict[str, Any]:
    """The first sweep as the Prefect flow splits it: one sweep per batch of ``per_task`` lead
    agencies (flows.reminder_sweep.agency_batches), run one after the other in this process
    without Prefect (its task-run overhead is measured by the naive-design row)."""
    from agencyflow.db import make_engine
    from agencyflow.domain.calendar import default_calendar
    from agencyflow.flows.reminder_sweep import agency_batches
    from agencyflow.services.reminders import sweeps

    engine = make_engine(f"sqlite:///{db}")
    calendar = default_calendar()
    calendar.is_working_day(_now().date())
    box: dict[str, Any] = {}

    def run() -> int:
        due = sweeps.due_by_agency(engine, now=_now())
        batches = agency_batches(due, int(per_task))
        results = [sweeps.sweep(engine, now=_now(), calendar=calendar, leads=b) for b in batches]
        box.update(tasks=len(batches), written=sum(r.written for r in results))
        return sum(r.scanned for r in results)

    out = measure(run)
    out.update(box)
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
    Uses Prefect's temporary local server; its start-up and a warm-up run are not counted; the
    time runs until the server has recorded every task run (``returned``: when the flow
    returned). The caller extrapolates the time per task run to the full cycle."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
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
    returned = time.perf_counter() - started
    recorded, last = _until_recorded(len(states))
    seconds = last - started  # until the last task run was recorded
    return {"seconds": round(seconds, 3), "rows": len(states) - 2, "peak_mib": None,
            "returned": round(returned, 3), "recorded": recorded - 2}


def _until_recorded(task_runs: int, stalled: float = 60) -> tuple[int, float]:
    """Wait until Prefect's API has recorded ``task_runs`` task runs, or until its count has
    not grown for ``stalled`` s (its event queue overflowed and dropped some: the temporary
    server keeps 10,000 events in memory); return the count and when (``perf_counter``) it
    last grew. A flow returns before the server
    has written its task runs (they travel as events), so a window that stops at the return
    measures only part of the cost; sustained, the next flow would pay the rest."""
    from prefect import get_client

    count, moved = -1, time.perf_counter()
    with get_client(sync_client=True) as client:
        while time.perf_counter() - moved < stalled:
            now = int(client._client.post("/task_runs/count", json={}).json())
            if now != count:
                count, moved = now, time.perf_counter()
            if now >= task_runs:
                break
            time.sleep(0.2)
    return count, moved


def dispatch_rate(count: str, processes: str) -> dict[str, Any]:
    """Dispatch ``count`` pending notices to a loopback webhook sink in another process
    (bench/dispatch_e2e.py): services.delivery.dispatch with the real AppriseNotifier."""
    import tempfile
    from pathlib import Path

    from bench import dispatch_e2e

    with tempfile.TemporaryDirectory(prefix="dispatch-") as tmp:
        db = Path(tmp) / "outbox.db"
        expected = dispatch_e2e.build(db, int(count))
        rate, cpu_ms = dispatch_e2e.run_once(db, expected, 32, int(processes))
    return {"seconds": round(expected / rate, 3), "rows": expected, "peak_mib": None,
            "cpu_ms": round(cpu_ms, 2)}


def postgres_sweep(server: str, communes: str, steps: str, runs: str = "3") -> dict[str, Any]:
    """The first sweep, its rerun and the SELECT floor on PostgreSQL (``server``: a URL of the
    server; databases ``agencyflow_bench_<unique>`` and ``…_run`` are created there and dropped
    at the end, so that two benches at once never drop each other's). The synthetic plan is
    stored and its cycle started untimed; each figure is the median of ``runs`` runs, each on a
    fresh copy of the database (``CREATE DATABASE … TEMPLATE``). The write floor (one run) is plain
    psycopg doing the same SELECT, INSERTs of the rows the sweep wrote and UPDATEs of the clocks
    (``executemany``, pipelined by psycopg)."""
    import statistics
    import uuid

    import psycopg

    from agencyflow.db import session_scope, upgrade
    from agencyflow.domain.calendar import default_calendar
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.domain.plan_loader import load_plan_text
    from agencyflow.services import cycles
    from agencyflow.services.plans import store as plans
    from agencyflow.services.reminders import sweeps
    from bench.scenarios import YEAR
    from bench.synthetic import plan_text

    base = server.rsplit("/", 1)[0]
    admin = psycopg.connect(server.replace("+psycopg", ""), autocommit=True)
    source = f"agencyflow_bench_{uuid.uuid4().hex[:10]}"
    copy = f"{source}_run"

    def fresh(name: str, template: str | None = None) -> str:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return f"{base}/{name}"

    calendar, actor = default_calendar(), Actor("bench", Role.SYSTEM)
    calendar.is_working_day(_now().date())
    from bench.pg_scale import real_engine

    engine = real_engine(fresh(source))
    upgrade(engine)
    with session_scope(engine) as session:  # recorded at the real time, as on SQLite
        version, _ = plans.store(session, load_plan_text(plan_text(int(communes), int(steps)),
                                                         "bench.yaml"),
                                 now=datetime.now(UTC), actor=actor)
        started = cycles.start(session, version=version, year=YEAR, now=datetime.now(UTC),
                               actor=actor, calendar=calendar).assignments
    engine.dispose()
    with psycopg.connect(f"{base}/{source}".replace("+psycopg", ""),
                         autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    selects, firsts, reruns, after = [], [], [], []
    written = 0
    for _ in range(int(runs)):
        url = fresh(copy, source)
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            sql = DUE_SET.replace("?", "%s")
            t = time.perf_counter()
            due = len(conn.execute(sql, ("2027-01-04",)).fetchall())
            selects.append(time.perf_counter() - t)
        run_engine = real_engine(url)
        t = time.perf_counter()
        written = sweeps.sweep(run_engine, now=_now(), calendar=calendar).written
        firsts.append(time.perf_counter() - t)
        t = time.perf_counter()
        again = sweeps.sweep(run_engine, now=_now(), calendar=calendar).written
        reruns.append(time.perf_counter() - t)
        assert again == 0, "a rerun wrote notices"
        run_engine.dispose()
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            t = time.perf_counter()
            conn.execute(sql, ("2027-01-04",)).fetchall()
            after.append(time.perf_counter() - t)
    with psycopg.connect(url.replace("+psycopg", "")) as conn:  # the swept copy: what it wrote
        cols = [f'"{r[0]}"' for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'notification' AND column_name <> 'id' ORDER BY ordinal_position")]
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM notification").fetchall()
        moves = conn.execute("SELECT next_notice_on, last_swept_on, id FROM assignment "
                             "WHERE last_swept_on IS NOT NULL").fetchall()
    url = fresh(copy, source)
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        insert = (f"INSERT INTO notification ({', '.join(cols)}) VALUES "
                  f"({', '.join(['%s'] * len(cols))}) ON CONFLICT (key) DO NOTHING")
        t = time.perf_counter()
        conn.execute(sql, ("2027-01-04",)).fetchall()
        with conn.cursor() as cur:
            cur.executemany(insert, rows)
            cur.executemany("UPDATE assignment SET next_notice_on = %s, last_swept_on = %s "
                            "WHERE id = %s", moves)
        conn.commit()
        write_floor = time.perf_counter() - t
    admin.execute(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")
    admin.execute(f"DROP DATABASE IF EXISTS {source} WITH (FORCE)")
    return {"assignments": started, "due": due, "written": written,
            "select": round(statistics.median(selects), 4),
            "first": round(statistics.median(firsts), 4),
            "rerun": round(statistics.median(reruns), 4),
            "select_after": round(statistics.median(after), 4),
            "write_floor": round(write_floor, 4)}
