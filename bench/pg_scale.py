"""PostgreSQL at scale (issue 13 part 6): a cycle start of ``communes × steps`` assignments
(1,000,000 in ``make bench``) beside its plain-psycopg write floor.

The floor writes exactly the rows our cycle start wrote — every table whose row count it
changed, read back from our database — into a copy of the database as it was before the start,
with psycopg's ``executemany`` (pipelined) in one transaction: the same data, none of our code.
The databases get unique names (``agencyflow_scale_<hex>…``) and are dropped at the end, so
two benches on one server never drop each other's. The first sweep and its rerun at that scale
are :func:`bench.reminder_scenarios.postgres_sweep` (one run).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any


def _libpq(url: str) -> str:
    return url.replace("+psycopg", "")


def _counts(conn: Any) -> dict[str, int]:
    """Rows per table of the application's schema."""
    tables = [r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'")]
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _new_rows(conn: Any, table: str, before: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns and the rows of ``table`` beyond the first ``before`` (by primary key order,
    ids included: the floor writes the same rows)."""
    cols = [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position", (table,))]
    quoted = ", ".join(f'"{c}"' for c in cols)
    rows = conn.execute(f'SELECT {quoted} FROM "{table}" ORDER BY 1 OFFSET %s',
                        (before,)).fetchall()
    return cols, rows


def real_engine(url: str) -> Any:
    """An engine on the real clock, as ``agencyflow`` builds one outside a simulation: what
    the bench writes is recorded at the real time and claims nothing (GUIDE, "Habits": time
    is an input for decisions, ``now``; what is recorded carries the real clock). Only the
    sweep and the dispatch are asked about a moment of the benchmark's year, as
    ``agencyflow sweep --now`` would be; they record no audit event."""
    from agencyflow.db import make_engine

    return make_engine(url)


def _start(url: str) -> int:
    from agencyflow.db import session_scope
    from agencyflow.domain.calendar import default_calendar
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.services import cycles
    from agencyflow.services.plans import store as plans
    from bench.scenarios import YEAR

    engine = real_engine(url)
    calendar, actor = default_calendar(), Actor("bench", Role.SYSTEM)
    with session_scope(engine) as session:
        version = plans.latest(session, "bench-national")
        count = cycles.start(session, version=version, year=YEAR, now=datetime.now(UTC),
                             actor=actor, calendar=calendar).assignments
    engine.dispose()
    return int(count)


def _prepared(admin: Any, base: str, name: str, communes: int, steps: int) -> str:
    """A migrated database ``name`` with the synthetic plan stored (untimed); its URL."""
    from agencyflow.db import session_scope, upgrade
    from agencyflow.domain.permissions import Actor, Role
    from agencyflow.domain.plan_loader import load_plan_text
    from agencyflow.services.plans import store as plans
    from bench.synthetic import plan_text

    admin.execute(f"CREATE DATABASE {name}")
    url = f"{base}/{name}"
    engine = real_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        plans.store(session, load_plan_text(plan_text(communes, steps), "bench.yaml"),
                    now=datetime.now(UTC), actor=Actor("bench", Role.SYSTEM))
    engine.dispose()
    return url


def postgres_cycle_start(server: str, communes: str, steps: str) -> dict[str, Any]:
    """Our cycle start and its write floor on PostgreSQL (module docstring)."""
    import psycopg

    base = server.rsplit("/", 1)[0]
    stem = f"agencyflow_scale_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(_libpq(server), autocommit=True)
    names = [f"{stem}_empty", f"{stem}_ours", f"{stem}_floor"]
    try:
        empty = _prepared(admin, base, names[0], int(communes), int(steps))
        admin.execute(f"CREATE DATABASE {names[1]} TEMPLATE {names[0]}")
        admin.execute(f"CREATE DATABASE {names[2]} TEMPLATE {names[0]}")
        with psycopg.connect(_libpq(empty)) as conn:
            before = _counts(conn)
        t = time.perf_counter()
        assignments = _start(f"{base}/{names[1]}")
        ours = time.perf_counter() - t
        floor, rows = _floor(f"{base}/{names[1]}", f"{base}/{names[2]}", before)
    finally:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
    return {"seconds": round(ours, 3), "rows": assignments, "floor": round(floor, 3),
            "floor_rows": rows, "peak_mib": None}


def _floor(ours: str, target: str, before: dict[str, int]) -> tuple[float, int]:
    """Write what our start wrote (read from ``ours``) into ``target``; (seconds, rows)."""
    import psycopg

    with psycopg.connect(_libpq(ours)) as conn:
        after = _counts(conn)
        data = {t: _new_rows(conn, t, before[t]) for t in after if after[t] != before[t]}
    with psycopg.connect(_libpq(target)) as conn:
        t = time.perf_counter()
        with conn.cursor() as cur:
            for table, (cols, rows) in data.items():
                names = ", ".join(f'"{c}"' for c in cols)
                cur.executemany(f'INSERT INTO "{table}" ({names}) VALUES '
                                f"({', '.join(['%s'] * len(cols))})", rows)
        conn.commit()
        return time.perf_counter() - t, sum(len(r) for _, r in data.values())
