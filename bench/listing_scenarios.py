"""The memory of a streamed listing: `agencyflow board --format json` over a million assignments.

``board_json_rss DB COPIES`` multiplies the cycle's assignments of DB (a prepared and started
database) to COPIES times as many rows of the same cycle (each copy its own period), then runs
the command in a fresh process with its output thrown away and reports its wall time and its
peak resident memory (the child's ``ru_maxrss``: the whole process, Python and imports
included). Run alone: ``python -m bench.listing_scenarios DB COPIES``.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

NOW = "2027-06-15"


def multiply(db: str, copies: int) -> int:
    """Add ``copies - 1`` copies of every assignment (periods ``<period>#k``), unless that was
    done already; return the rows."""
    conn = sqlite3.connect(db)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(assignment)") if row[1] != "id"]
    names = ", ".join(columns)
    done = conn.execute("SELECT 1 FROM assignment WHERE period LIKE '%#%' LIMIT 1").fetchone()
    for k in range(1, 1 if done else copies):
        chosen = ", ".join(f"period || '#{k}'" if c == "period" else c for c in columns)
        conn.execute(f"INSERT INTO assignment ({names}) SELECT {chosen} FROM assignment "
                     "WHERE period NOT LIKE '%#%'")
    conn.commit()
    [(rows,)] = conn.execute("SELECT count(*) FROM assignment")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return int(rows)


def board_json_rss(db: str, copies: str = "5") -> dict[str, Any]:
    """Seconds and peak RSS (MiB) of `agencyflow board --format json` in a fresh process."""
    rows = multiply(db, int(copies))
    env = {**os.environ, "AGENCYFLOW_DATABASE_URL": f"sqlite:///{db}",
           "AGENCYFLOW_DATA_DIR": str(Path(db).parent)}
    exe = str(Path(sys.executable).with_name("agencyflow"))
    start = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        subprocess.run([exe, "board", "--format", "json", "--now", NOW], check=True, env=env,
                       stdout=sink)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": round(seconds, 2), "rows": rows, "peak_mib": round(peak_kib / 1024, 1)}


if __name__ == "__main__":
    print(json.dumps(board_json_rss(*sys.argv[1:])))
