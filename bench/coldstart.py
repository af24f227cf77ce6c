"""Cold starts: how long a fresh `agencyflow` process takes, beside a bare `python -c pass`.

Each command runs as its own process, again and again, the commands interleaved round by round
(the machine is shared: a burst of other work lands on every command alike). The figures are the
median and the 90th percentile of the wall time, and the ratio of the median to the median of
`python -c pass` measured in the same rounds, which moves less with the machine's load than the
times themselves. Two import floors are measured the same way: `import typer` (what every command
needs) and `import sqlmodel` (what any command that writes through the SQLModel tables needs).

Run alone: ``python -m bench.coldstart [RUNS]`` (prepares its own database in a temporary folder).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: Rounds of every command (each round runs each command once, in a fresh process).
RUNS = 15
#: The assignment that `assignment show` reads (the first of the synthetic cycle).
SHOW_ID = "1"
#: The targets of issue 10 part 5, seconds (None: measured beside them, no target).
TARGETS: dict[str, float | None] = {"pass": None, "typer": None, "sqlmodel": None,
                                    "help": 0.3, "show": 0.3, "board": None, "complete": 0.5}
WHAT = {
    "pass": "`python -c pass`",
    "typer": "floor: `python -c 'import typer'`",
    "sqlmodel": "floor: `python -c 'import sqlmodel'` (any write through the SQLModel tables)",
    "help": "`agencyflow --help`",
    "show": "`agencyflow assignment show 1`",
    "board": "`agencyflow board --format json` (cold start, {rows} assignments)",
    "complete": "`agencyflow assignment complete N` (a write on SQLite, another N each run)",
}


def _commands(exe: str) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "pass": [python, "-c", "pass"],
        "typer": [python, "-c", "import typer"],
        "sqlmodel": [python, "-c", "import sqlmodel"],
        "help": [exe, "--help"],
        "show": [exe, "assignment", "show", SHOW_ID],
        "board": [exe, "board", "--format", "json", "--now", "2027-06-15"],
        "complete": [exe, "assignment", "complete"],  # the id is appended per run
    }


def _wall(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _open_ids(db: Path, count: int) -> list[int]:
    """Ids of assignments that `assignment complete` can finish (open, no declared output)."""
    import sqlite3

    conn = sqlite3.connect(db)
    ids = [i for (i,) in conn.execute(
        "SELECT id FROM assignment WHERE status = 'open' ORDER BY id DESC LIMIT ?", (count,))]
    conn.close()
    if len(ids) < count:
        raise SystemExit(f"{db}: only {len(ids)} open assignments, {count} needed")
    return ids


def measure(db: Path, runs: int = RUNS) -> dict[str, Any]:
    """Median, p90 and ratio to `python -c pass` of each command on the started database ``db``
    (its open assignments are completed, one per run: pass a copy)."""
    env = {**os.environ, "AGENCYFLOW_DATABASE_URL": f"sqlite:///{db}",
           "AGENCYFLOW_DATA_DIR": str(db.parent)}
    env.pop("AGENCYFLOW_TOKEN", None)
    exe = str(Path(sys.executable).with_name("agencyflow"))
    commands = _commands(exe)
    ids = _open_ids(db, runs + 1)
    for name, args in commands.items():  # warm-up: page cache, the calendar cache
        extra = [str(ids.pop())] if name == "complete" else []
        subprocess.run(args + extra, check=True, env=env, stdout=subprocess.DEVNULL)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            extra = [str(ids.pop())] if name == "complete" else []
            times[name].append(_wall(args + extra, env))
    base = statistics.median(times["pass"])
    return {name: _figures(values, base) for name, values in times.items()} | {
        "runs": runs, "loadavg": round(os.getloadavg()[0], 1)}


def _figures(values: list[float], base: float) -> dict[str, float]:
    ordered = sorted(values)
    median = statistics.median(ordered)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median": round(median, 3), "p90": round(p90, 3), "ratio": round(median / base, 1)}


def render(figures: dict[str, Any], rows: int) -> list[str]:
    """The cold-start table of RESULTS.md."""
    lines = ["", f"Cold starts: each command in a fresh process, {figures['runs']} interleaved "
             f"rounds on an embedded SQLite database of {rows:,} assignments; load average at the "
             f"end {figures['loadavg']}. *× pass*: the median over the median of `python -c pass` "
             "in the same rounds.", "",
             "| command | median (s) | p90 (s) | × pass | target (s) | met |",
             "|---|---|---|---|---|---|"]
    for name, target in TARGETS.items():
        f = figures[name]
        met = "—" if target is None else ("yes" if f["median"] <= target else "**no**")
        lines.append(f"| {WHAT[name].format(rows=f'{rows:,}')} | {f['median']} | {f['p90']} | "
                     f"{f['ratio']}× | {target if target is not None else '—'} | {met} |")
    return lines


def _prepared(work: Path) -> tuple[Path, int]:
    """A started synthetic cycle of 250 communes × 4 steps (1,000 assignments) in ``work``."""
    db = work / "coldstart.db"
    for args in (["prepare", str(db), "250", "4"], ["cycle_start", str(db)]):
        out = subprocess.run([sys.executable, "-m", "bench.scenarios", *args], check=True,
                             capture_output=True, text=True)
    return db, int(json.loads(out.stdout.strip().splitlines()[-1])["rows"])


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="agencyflow-coldstart-") as tmp:
        database, count = _prepared(Path(tmp))
        result = measure(database, int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
    print("\n".join(render(result, count)))
    print(json.dumps(result))
