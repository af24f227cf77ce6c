"""`make bench`: run every scenario in its own process and write bench/RESULTS.md.

Usage: python -m bench.run [--communes 10000] [--steps 20] [--write bench/RESULTS.md]
[--only core|coldstart|web|reports|dispatch|scale] (see :mod:`bench.sections`)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def scenario(name: str, *args: str) -> dict[str, Any]:
    """Run one scenario in a fresh process and return its JSON result."""
    out = subprocess.run([sys.executable, "-m", "bench.scenarios", name, *args],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def copy_db(src: Path, dst: Path) -> Path:
    """Copy a (checkpointed) SQLite database file."""
    shutil.copy(src, dst)
    return dst


def cli_seconds(db: Path, args: list[str], runs: int = 5) -> float:
    """Median wall time of `agencyflow ARGS` in a fresh process (imports included)."""
    env = {**os.environ, "AGENCYFLOW_DATABASE_URL": f"sqlite:///{db}",
           "AGENCYFLOW_DATA_DIR": str(db.parent)}
    subprocess.run([str(Path(sys.executable).with_name("agencyflow")), *args], check=True,
                   env=env, stdout=subprocess.DEVNULL)  # warm-up: builds the calendar cache
    exe = str(Path(sys.executable).with_name("agencyflow"))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([exe, *args], check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text()
                .splitlines() if ln.startswith("model name")), platform.processor())
    mem = next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
               if ln.startswith("MemTotal"))
    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) / 1024 / 1024:.0f} GiB RAM, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


SWEEP_RUNS = 5
#: Task runs of the naive design measured: enough to be sustained (a 300-run window returns
#: before Prefect's API has recorded them and hides most of the cost).
NAIVE_TASK_RUNS = 3900
#: The PostgreSQL scale of issue 13: communes × fan-out steps = 1,000,000 assignments.
SCALE = (10_000, 100)
#: The PostgreSQL server of the sweep at scale (it gets databases ``agencyflow_bench_<unique>``).
PG_URL = os.environ.get("AGENCYFLOW_BENCH_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")


def median(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The result with the median time (its other figures with it)."""
    return sorted(results, key=lambda r: r["seconds"])[len(results) // 2]


def rate(result: dict[str, Any]) -> str:
    """Rows per second of a result."""
    return f"{result['rows'] / result['seconds']:,.0f}" if result["seconds"] else "∞"


def web(db: Path) -> dict[str, Any]:
    """The web figures (bench/web_load.py) in a fresh process: the API list under load."""
    out = subprocess.run([sys.executable, "-m", "bench.web_load", str(db)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report_rows(ours_db: Path, work: Path, steps: int) -> list[dict[str, Any]]:
    """Issue 12: the yearly report at scale (docx, xlsx) and a 5,000-row progress-sheet import,
    each beside its plain-SQL floor."""
    lived = copy_db(ours_db, work / "lived.db")
    scenario("report_lived", str(lived))
    docx = scenario("report", str(lived), "docx")
    xlsx = scenario("report", str(lived), "xlsx")
    floor = scenario("floor_report", str(lived))
    small = work / "import.db"
    scenario("prepare", str(small), "250", str(steps))
    scenario("cycle_start", str(small))
    sheet = work / "sheet.xlsx"
    scenario("import_prepare", str(small), str(sheet))
    before = copy_db(small, work / "import-floor.db")
    imported = scenario("import_rows", str(small), str(sheet))
    import_floor = scenario("floor_import", str(before), str(sheet))
    return [
        {"what": f"yearly report, docx ({docx['rows']:,} assignments, a third done) — vs the "
                 "report's queries in plain sqlite3", "ours": docx, "floor": floor},
        {"what": "the same yearly report, xlsx (every overdue row listed)", "ours": xlsx,
         "floor": floor},
        {"what": f"import of a progress sheet: {imported['rows']:,} rows, one use case each — vs "
                 "plain sqlite3 doing the same reads, updates and audit inserts",
         "ours": imported, "floor": import_floor},
    ]


def run(inputs: Any) -> list[dict[str, Any]]:
    """The core table's scenarios (SQLite, the PostgreSQL sweep, the naive design) on the
    databases of ``inputs`` (:class:`bench.sections.Inputs`); returns its rows."""
    work = inputs.work
    base, load = inputs.base()
    ours_db, start = inputs.national()
    floor = scenario("floor_insert", str(copy_db(base, work / "floor.db")), str(ours_db))
    counts = scenario("board_counts", str(ours_db))
    floor_counts = scenario("floor_counts", str(ours_db))
    # The first sweep and its floors: the median of SWEEP_RUNS runs, each on a fresh copy,
    # interleaved so that a burst of other work on the machine does not land on one side only
    # (five, not three: single runs of the write-heavy sweep move by 10-30% here).
    firsts, selects, writes = [], [], []
    for i in range(SWEEP_RUNS):
        selects.append(scenario("floor_select", str(copy_db(ours_db, work / f"select{i}.db"))))
        sweep_db = copy_db(ours_db, work / f"sweep{i}.db")
        firsts.append(scenario("sweep", str(sweep_db)))
        writes.append(scenario("floor_write", str(copy_db(ours_db, work / f"write{i}.db")),
                               str(sweep_db)))
    first, select_floor, write_floor = median(firsts), median(selects), median(writes)
    by_agency = scenario("sweep_by_agency", str(copy_db(ours_db, work / "agency.db")), "25")
    rerun = scenario("sweep", str(sweep_db))
    rerun_floor = scenario("floor_select", str(sweep_db))
    pg = scenario("postgres_sweep", PG_URL, str(inputs.communes), str(inputs.steps))
    naive = scenario("naive_prefect", str(copy_db(ours_db, work / "naive.db")),
                     str(NAIVE_TASK_RUNS))
    per_task = naive["seconds"] / naive["rows"]
    naive_total = {"seconds": round(per_task * first["rows"], 1), "rows": first["rows"],
                   "peak_mib": None}
    return [
        {"what": f"plan load + validate ({load['rows']:,} agencies)", "ours": load, "floor": None},
        {"what": f"cycle start ({start['rows']:,} assignments)", "ours": start, "floor": floor},
        {"what": f"board counts per agency × status ({counts['rows']:,} assignments)",
         "ours": counts, "floor": floor_counts},
        {"what": f"reminder sweep, first run: {first['rows']:,} due, {first['written']:,} "
                 "notices written — vs the floor the issue names (plain SELECT of the due set); "
                 f"median of {SWEEP_RUNS}",
         "ours": first, "floor": select_floor},
        {"what": "the same sweep — vs a write floor (plain sqlite3: the same SELECT, INSERT of the "
                 "same outbox rows, UPDATE of each assignment's next notice day)",
         "ours": first, "floor": write_floor},
        {"what": "the same first sweep split as the Prefect flow splits it: "
                 f"{by_agency['tasks']:,} sweeps of 25 lead agencies each, one after the other, "
                 "without Prefect's task-run overhead", "ours": by_agency, "floor": select_floor},
        {"what": "reminder sweep, rerun the same day (must write nothing: "
                 f"{rerun['written']} written)", "ours": rerun, "floor": rerun_floor},
        {"what": f"PostgreSQL: reminder sweep, first run: {pg['due']:,} due, {pg['written']:,} "
                 "notices written — vs a plain SELECT of the due set (psycopg); median of 3",
         "ours": {"seconds": pg["first"], "rows": pg["due"], "peak_mib": None},
         "floor": {"seconds": pg["select"], "rows": pg["due"], "peak_mib": None}},
        {"what": "PostgreSQL: the same sweep — vs a write floor (plain psycopg: the same SELECT, "
                 "INSERT of the same outbox rows, UPDATE of each assignment's next notice day)",
         "ours": {"seconds": pg["first"], "rows": pg["due"], "peak_mib": None},
         "floor": {"seconds": pg["write_floor"], "rows": pg["due"], "peak_mib": None}},
        {"what": "PostgreSQL: the same sweep rerun (must write nothing)",
         "ours": {"seconds": pg["rerun"], "rows": 0, "peak_mib": None},
         "floor": {"seconds": pg["select_after"], "rows": 0, "peak_mib": None}},
        {"what": f"naive design: one Prefect task run per assignment — {naive['rows']:,} task "
                 f"runs measured sustained, until the server recorded them ({per_task * 1000:.1f}"
                 f" ms each; the flow returned after {naive['returned']} s), EXTRAPOLATED to "
                 f"{first['rows']:,}",
         "ours": naive_total, "floor": None},
    ]


def scale_rows(communes: int, steps: int) -> list[dict[str, Any]]:
    """PostgreSQL at ``communes × steps`` assignments: cycle start and first sweep (one run
    each) beside their plain-psycopg write floors, and the sweep's rerun."""
    start = scenario("postgres_cycle_start", PG_URL, str(communes), str(steps))
    pg = scenario("postgres_sweep", PG_URL, str(communes), str(steps), "1")
    n = start["rows"]
    return [
        {"what": f"PostgreSQL: cycle start, {n:,} assignments — vs a write floor (plain psycopg "
                 f"writing the same {start['floor_rows']:,} rows, executemany, one transaction)",
         "ours": start, "floor": {"seconds": start["floor"], "rows": n, "peak_mib": None}},
        {"what": f"PostgreSQL: first sweep at {n:,} assignments: {pg['due']:,} due, "
                 f"{pg['written']:,} notices written — vs the same write floor as above",
         "ours": {"seconds": pg["first"], "rows": pg["due"], "peak_mib": None},
         "floor": {"seconds": pg["write_floor"], "rows": pg["due"], "peak_mib": None}},
        {"what": f"PostgreSQL: that sweep rerun at {n:,} assignments (must write nothing)",
         "ours": {"seconds": pg["rerun"], "rows": 0, "peak_mib": None},
         "floor": {"seconds": pg["select_after"], "rows": 0, "peak_mib": None}},
    ]


def render_web(figures: dict[str, Any]) -> list[str]:
    """The web table: latency and throughput under load, beside the SQL floor."""
    if "skipped" in figures:
        return ["", f"Web figures skipped: {figures['skipped']}."]
    board_note = ("the board page is stream webpages' `/board` (100 rows + the counts per agency "
                  "× status), with a logged-in session cookie" if "board" in figures else
                  "the board page (stream webpages) was not in this tree: the API only")
    lines = ["", f"Web, under load: wrk in another process, {figures['clients']} connections on "
             f"2 threads, uvicorn with {figures['workers']} workers, {figures['limit']} rows a "
             f"page, on the 200,000 assignments above; {board_note}. The floor is the same SQL in "
             "plain `sqlite3`, one query after the other. *CPU/request* is the server's CPU time "
             "(all workers) divided by the requests served. Load average at the end: "
             f"{figures['loadavg']}.", "",
             "| scenario | requests/s | p50 ms | p95 ms | p99 ms | CPU/request ms | errors | "
             "floor p50 ms | floor p95 ms |", "|---|---|---|---|---|---|---|---|---|"]
    for key, floor_key, what in (
            ("api", "floor", "`GET /api/v1/assignments`, first page"),
            ("api_deep", "floor_deep", "`GET /api/v1/assignments`, a page half-way (cursor)"),
            ("board", "board_floor", "board page `/board` (100 rows + counts)")):
        if key not in figures:
            continue
        ours, floor = figures[key], figures[floor_key]
        lines.append(f"| {what} | {ours['per_s']} | {ours['p50_ms']} | {ours['p95_ms']} | "
                     f"{ours['p99_ms']} | {ours['cpu_ms_per_request']} | "
                     f"{ours['errors'] + ours['non2xx']} | {floor['p50_ms']} | "
                     f"{floor['p95_ms']} |")
    lines += ["", f"Query plan of an API page: {figures['floor_deep']['plan']}."]
    return lines


def table(rows: list[dict[str, Any]]) -> list[str]:
    """The markdown table of ``rows`` (scenario, ours, rows/s, memory, floor, ratio)."""
    lines = ["| scenario | ours (s) | rows/s | peak MiB | floor (s) | floor rows/s | "
             "ours ÷ floor |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        o, f = r["ours"], r["floor"]
        ratio = f"{o['seconds'] / f['seconds']:.2f}×" if f and f["seconds"] else "—"
        peak = "—" if o["peak_mib"] is None else o["peak_mib"]
        lines.append(
            f"| {r['what']} | {o['seconds']} | {rate(o)} | {peak} | "
            f"{f['seconds'] if f else '—'} | {rate(f) if f else '—'} | {ratio} |")
    return lines


def render(rows: list[dict[str, Any]], communes: int, steps: int) -> str:
    """The core table's part of RESULTS.md (the sections follow it)."""
    return "\n".join([
        "# Benchmark results", "",
        f"Written by `make bench` (or `make bench ONLY=core`) on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average "
        f"{os.getloadavg()[0]:.1f} at the end of the core table.", "",
        f"Machine: {machine()}.", "",
        f"Synthetic plan: {communes:,} communes × {steps} fan-out steps, one cycle; embedded "
        "SQLite (WAL) unless the row says PostgreSQL (the local server). Each scenario runs in its "
        "own process; *floor* is the same work done with plain `sqlite3` (or `psycopg`) in the "
        "same run. Peak memory is what the timed part added to the "
        "process (VmHWM − VmRSS before). The sections after this table can each be re-run alone "
        "(`make bench ONLY=name`), so each says when it was written.", "", *table(rows)]) + "\n"


def main() -> None:
    """Parse arguments, run, print and optionally write the results."""
    from bench import sections

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--write", type=Path, default=None)
    parser.add_argument("--only", choices=["core", *sorted(sections.SECTIONS)], default=None,
                        help="Run only this part (core: the table before the sections); it "
                             "replaces its part of --write's file, the rest of the file is kept.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agencyflow-bench-") as tmp:
        inputs = sections.Inputs(Path(tmp), args.communes, args.steps)
        if args.only == "core":
            new = render(run(inputs), args.communes, args.steps)
            print(new)
            if args.write:
                old = args.write.read_text(encoding="utf-8") if args.write.exists() else ""
                first = old.find("\n## ")
                rest = old[first + 1:] if first >= 0 else ""
                args.write.write_text(new + ("\n" + rest if rest else ""), encoding="utf-8")
            return
        if args.only:
            new = sections.text(args.only, inputs)
            print(new)
            if args.write:
                old = (args.write.read_text(encoding="utf-8") if args.write.exists()
                       else "# Benchmark results\n")
                args.write.write_text(sections.splice(old, args.only, new), encoding="utf-8")
            return
        text = render(run(inputs), args.communes, args.steps)
        for name in sections.SECTIONS:
            text += "\n" + sections.text(name, inputs)
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
