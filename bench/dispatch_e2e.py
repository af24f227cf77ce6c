"""End-to-end dispatch throughput: outbox rows in SQLite → render → apprise json:// → sink.

Run from the repository root::

    .venv/bin/python bench/dispatch_e2e.py [--count 3000] [--concurrency 32] [--repeat 3]

A synthetic plan (``bench/synthetic.py``) with enough communes for ``count`` opening notices is
stored, its cycle started on Mon 18/01/2027, and
``services.reminders.sweeps.sweep`` run at 09:00 that day:
the outbox then holds one pending ``opened`` notice per open assignment (digest mode is turned
off so that every notice is one message). The database is built once and copied for each
repetition. Each repetition times ``services.delivery.dispatch.dispatch`` with a real
``AppriseNotifier.from_urls`` (20 json:// channels, each serving a tenth of the communes;
``--processes`` worker processes, started and warmed up before the clock starts, as in a
long-running ``serve``) pointing at the asyncio sink of ``bench/dispatch_sink.py`` in a
*separate process*, then checks that the sink received every message and that every row is
``sent``. The load average is printed with
each figure (other work on the machine lowers it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dispatch_sink import subprocess_sink  # noqa: E402

STEPS = 20
CHANNELS = 20
START = date(2027, 1, 18)
WARM_UP = 64


def _engine(db: Path | str):  # type: ignore[no-untyped-def]
    from bench.pg_scale import real_engine

    return real_engine(db if isinstance(db, str) else f"sqlite:///{db}")


def build(db: Path | str, count: int) -> int:
    """Create the database (a SQLite file, or the URL of an empty database) with ``count``
    pending notices; return how many."""
    from agencyflow.db import session_scope, upgrade
    from agencyflow.domain.calendar import TIMEZONE, default_calendar
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.domain.plan_loader import load_plan_text
    from agencyflow.services import cycles
    from agencyflow.services.plans import store as plans
    from agencyflow.services.reminders import sweeps
    from bench.synthetic import plan_text

    engine = _engine(db)
    upgrade(engine)
    actor, calendar = Actor("bench", Role.SYSTEM), default_calendar()
    communes = -(-count * 4 // (3 * STEPS))  # three steps in four open at cycle start
    now = datetime(2027, 1, 18, 9, 0, tzinfo=TIMEZONE)
    with session_scope(engine) as session:  # recorded at the real time (pg_scale.real_engine)
        version, _ = plans.store(session, load_plan_text(plan_text(communes, STEPS), "b.yaml"),
                                 now=datetime.now(UTC), actor=actor)
        cycles.start(session, version=version, year=2027, now=datetime.now(UTC), actor=actor,
                     calendar=calendar, start_date=START)
    written = sweeps.sweep(engine, now=now, calendar=calendar).written
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE notification SET digest = false")
        conn.exec_driver_sql(
            "DELETE FROM notification WHERE id NOT IN "
            f"(SELECT id FROM notification ORDER BY id LIMIT {count})")
    engine.dispose()
    return min(written, count)


def tags_of(db: Path) -> list[str]:
    """The distinct tags of the pending notices."""
    with sqlite3.connect(db) as conn:
        return [t for (t,) in conn.execute("SELECT DISTINCT tag FROM notification ORDER BY tag")]


def run_once(db: Path, expected: int, concurrency: int, processes: int
             ) -> tuple[float, float]:
    """Dispatch every pending notice of ``db``; return (notifications/s, CPU ms per message)."""
    from agencyflow.domain.calendar import TIMEZONE
    from agencyflow.notifications import Message, Renderer
    from agencyflow.notifications.apprise_notifier import AppriseNotifier
    from agencyflow.services.delivery import dispatch

    tags = tags_of(db)
    groups = [", ".join(tags[i::CHANNELS]) for i in range(CHANNELS)]
    engine = _engine(db)
    with subprocess_sink() as (port, delivered):
        notifier = AppriseNotifier.from_urls(
            [(f"json://127.0.0.1:{port}/agency/{i}?cto=2&rto=5", group)
             for i, group in enumerate(groups) if group],
            **({"processes": processes} if processes > 1 else {}))  # type: ignore[arg-type]
        warm_up = Message("warm-up", "warm-up")  # starts the worker processes, if any
        notifier.send_many([(tags[0], warm_up)] * WARM_UP, concurrency=concurrency)
        before = delivered()  # type: ignore[operator]
        now = datetime(2027, 1, 18, 9, 5, tzinfo=TIMEZONE)
        started, cpu = time.perf_counter(), time.process_time()
        result = dispatch.dispatch(engine, notifier, Renderer, now=now, worker_id="bench",
                                   concurrency=concurrency)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        got = delivered() - before  # type: ignore[operator]
        getattr(notifier, "close", lambda: None)()
    engine.dispose()
    if result.sent != expected or got != expected:
        raise SystemExit(f"sent {result.sent}, sink received {got}, expected {expected}: "
                         f"{result.as_dict()}")
    return expected / elapsed, cpu * 1000 / expected


def main() -> None:
    """Build the outbox once, then print one line per repetition."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2,
                        help="AppriseNotifier worker processes (1: threads in this process)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dispatch-e2e-") as tmp:
        source = Path(tmp) / "source.db"
        built = time.perf_counter()
        expected = build(source, args.count)
        print(f"outbox: {expected} pending notices ({time.perf_counter() - built:.1f} s to build)")
        for i in range(args.repeat):
            db = Path(tmp) / f"run{i}.db"
            shutil.copy(source, db)
            rate, cpu_ms = run_once(db, expected, args.concurrency, args.processes)
            print(f"dispatch run {i + 1}: {rate:6.0f} notifications/s, {cpu_ms:.2f} ms CPU/msg "
                  f"in this process (concurrency {args.concurrency}, processes "
                  f"{args.processes}; load average {os.getloadavg()[0]:.2f} "
                  f"on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
