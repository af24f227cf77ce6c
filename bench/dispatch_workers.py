"""Dispatch by several dispatchers at once (issue 13 part 6): ``workers`` processes of
``agencyflow dispatch`` started together on one outbox, against the same delivery in one such
process. Each is a whole dispatcher as an operator runs it (its own process, its own apprise
threads, ``AGENCYFLOW_DISPATCH_PROCESSES=1``), claiming rows with leases; the time runs from
the start of the processes until every notification is ``sent`` (``wall``, process start-up
included), and ``seconds`` is the longest dispatch among them as each reports it (they start
together, so their dispatches overlap; start-up, ~2 s of imports each, is left out). The sink
is the asyncio sink of ``bench/dispatch_sink.py`` in a process of its own; the outbox is
``bench/dispatch_e2e.build``'s (SQLite: claims take turns under ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import dispatch_e2e
from bench.dispatch_sink import subprocess_sink

CONCURRENCY = 32


def _channels(path: Path, port: int, tags: list[str]) -> None:
    groups = [", ".join(tags[i::dispatch_e2e.CHANNELS]) for i in range(dispatch_e2e.CHANNELS)]
    lines = ["urls:"]
    for i, group in enumerate(g for g in groups if g):
        lines += [f'  - "json://127.0.0.1:{port}/agency/{i}?cto=2&rto=5":',
                  f'      - tag: "{group}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _sent(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM notification WHERE status = 'sent'")
                   .fetchone()[0])


def _run(db: Path, channels: Path, workers: int) -> tuple[float, float]:
    """(wall seconds from the start of the processes, the longest dispatch among them)."""
    env = os.environ | {"AGENCYFLOW_DATABASE_URL": f"sqlite:///{db}",
                        "AGENCYFLOW_APPRISE_CONFIG": str(channels),
                        "AGENCYFLOW_DATA_DIR": str(db.parent / "data"),
                        "AGENCYFLOW_SIMULATION": "true",
                        "AGENCYFLOW_DISPATCH_PROCESSES": "1",
                        "AGENCYFLOW_DISPATCH_CONCURRENCY": str(CONCURRENCY)}
    command = [str(Path(sys.executable).with_name("agencyflow")), "dispatch",
               "--now", "2027-01-18T09:05", "--format", "json"]
    started = time.perf_counter()
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(workers)]
    longest = 0.0
    for proc in procs:
        out, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(err.decode(errors="replace")[-2000:])
        longest = max(longest, float(json.loads(out.decode().splitlines()[-1])["seconds"]))
    return time.perf_counter() - started, longest


def dispatch_workers(count: str, workers: str) -> dict[str, Any]:
    """``workers`` dispatchers at once over ``count`` notifications (module docstring)."""
    with tempfile.TemporaryDirectory(prefix="dispatch-workers-") as tmp:
        built = Path(tmp) / "built.db"
        expected = dispatch_e2e.build(built, int(count))
        db = Path(tmp) / "outbox.db"
        shutil.copy(built, db)
        with subprocess_sink() as (port, _delivered):
            _channels(Path(tmp) / "channels.yaml", port, dispatch_e2e.tags_of(db))
            wall, seconds = _run(db, Path(tmp) / "channels.yaml", int(workers))
        sent = _sent(db)
    if sent != expected:
        raise RuntimeError(f"{sent} of {expected} notifications sent")
    return {"seconds": round(seconds, 3), "rows": expected, "peak_mib": None,
            "wall": round(wall, 3), "load": round(os.getloadavg()[0], 1)}
