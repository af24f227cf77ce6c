"""The sections of RESULTS.md after its core table, each runnable alone.

``make bench`` writes the whole file: the core table (SQLite: plan load, cycle start, counts,
sweeps; the PostgreSQL sweep; the naive Prefect design), then every section below in order.
``make bench ONLY=name`` runs one section and replaces it in the file, keeping the rest as it was
(its heading line marks where it starts; it runs to the next ``## `` heading or the end). Each
section states when it was written and the machine's load average at its end, since sections of
one file can come from different runs on a shared machine.

The databases a section needs are prepared once per run (:class:`Inputs`): the national cycle
(``communes × steps`` assignments, started) and a small one (a twentieth of the communes).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import coldstart
from bench.run import (
    PG_URL,
    SCALE,
    cli_seconds,
    copy_db,
    machine,
    median,
    render_web,
    report_rows,
    scale_rows,
    scenario,
    table,
    web,
)


@dataclass
class Inputs:
    """The databases of one run, prepared on first use."""

    work: Path
    communes: int
    steps: int
    _ready: dict[str, Any] = field(default_factory=dict)

    def base(self) -> tuple[Path, dict[str, Any]]:
        """The national plan loaded, no cycle yet, and the load's figures."""
        if "base" not in self._ready:
            path = self.work / "prepared.db"
            load = scenario("prepare", str(path), str(self.communes), str(self.steps))
            self._ready["base"] = (path, load)
        return self._ready["base"]

    def national(self) -> tuple[Path, dict[str, Any]]:
        """The national cycle started (never written by a section: they work on copies), and
        the cycle start's figures."""
        if "national" not in self._ready:
            path = copy_db(self.base()[0], self.work / "ours.db")
            self._ready["national"] = (path, scenario("cycle_start", str(path)))
        return self._ready["national"]

    def small(self) -> tuple[Path, int]:
        """A cycle of a twentieth of the communes, started, and its number of assignments."""
        if "small" not in self._ready:
            path = self.work / "small.db"
            scenario("prepare", str(path), str(self.communes // 20), str(self.steps))
            self._ready["small"] = (path, scenario("cycle_start", str(path))["rows"])
        return self._ready["small"]


def _written(name: str) -> str:
    return (f"Written by `make bench ONLY={name}` (or `make bench`) on "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}; load average "
            f"{os.getloadavg()[0]:.1f} at the end (other work on the machine shares its cores).")


def coldstarts(inputs: Inputs) -> list[str]:
    """Issue 10 part 5: fresh-process starts beside `python -c pass`, and the streamed listing's
    memory over 1,000,000 assignments."""
    small, small_rows = inputs.small()
    board_all = cli_seconds(small, ["board", "--now", "2027-06-15", "--format", "json"])
    board_one = cli_seconds(small, ["board", "--now", "2027-06-15", "--commune", "XA-00001"])
    listing = scenario("board_json_rss", str(copy_db(inputs.national()[0],
                                                     inputs.work / "million.db")), "5")
    cold = coldstart.measure(copy_db(small, inputs.work / "cold.db"))
    rows = [
        {"what": f"`agencyflow board --format json`, all {small_rows:,} assignments, "
                 "fresh process (median of 5)",
         "ours": {"seconds": round(board_all, 3), "rows": small_rows, "peak_mib": None},
         "floor": None},
        {"what": f"`agencyflow board --commune XA-00001` on {small_rows:,} assignments, "
                 "fresh process (median of 5)",
         "ours": {"seconds": round(board_one, 3), "rows": small_rows, "peak_mib": None},
         "floor": None},
        {"what": f"`agencyflow board --format json` streamed, all {listing['rows']:,} "
                 "assignments, fresh process; peak MiB: the whole process's peak RSS (target "
                 "< 256)", "ours": listing, "floor": None},
    ]
    return [_written("coldstart"), "", *table(rows), *coldstart.render(cold, small_rows)]


#: Rounds of one dispatcher then two, interleaved (a burst of other work lands on both sides).
WORKER_ROUNDS = 3


def dispatching(inputs: Inputs) -> list[str]:
    """Issues 9 and 13: dispatch to a loopback webhook sink in one process (threads), through
    worker processes, and by one and by two `agencyflow dispatch` processes on one outbox."""
    threads = scenario("dispatch", "3000", "1")
    processes = scenario("dispatch", "3000", "2")
    rows = [
        {"what": f"dispatch to a loopback webhook sink (another process), {threads['rows']:,} "
                 "notifications, apprise on 32 threads in one process", "ours": threads,
         "floor": None},
        {"what": "the same dispatch through 2 worker processes "
                 "(AGENCYFLOW_DISPATCH_PROCESSES=2, the default)", "ours": processes,
         "floor": None},
    ]
    for database, server in (("SQLite", ""), ("PostgreSQL", PG_URL)):
        rows += _workers(database, server)
    return [_written("dispatch") + " The `agencyflow dispatch --loop` processes start warm "
            "and are released at one moment (bench/dispatch_workers.py); *cores used* is the "
            "CPU time of the dispatchers and the sink over the dispatch's wall time (2.0 = "
            "both cores of this machine). The floor of the dispatchers is the same number of "
            "JSON POSTs of a reminder's size to the same sink by as many processes of 32 "
            "threads with plain `http.client` keep-alive connections: no outbox, claims, "
            "apprise or records (`bench.dispatch_workers.floor`).", "", *table(rows)]


def _workers(database: str, server: str) -> list[dict[str, Any]]:
    """One dispatcher against two on an outbox in ``database``, interleaved rounds."""
    ones, twos, floor_ones, floor_twos = [], [], [], []
    for _ in range(WORKER_ROUNDS):
        ones.append(scenario("dispatch_workers", "3000", "1", *([server] if server else [])))
        floor_ones.append(scenario("dispatch_floor", "3000", "1"))
        twos.append(scenario("dispatch_workers", "3000", "2", *([server] if server else [])))
        floor_twos.append(scenario("dispatch_floor", "3000", "2"))
    one, two = median(ones), median(twos)
    floor_one, floor_two = median(floor_ones), median(floor_twos)
    return [
        {"what": f"{database} outbox: `agencyflow dispatch --loop` in one process, "
                 f"{one['rows']:,} notifications (threads, 32 sends at once; median of "
                 f"{WORKER_ROUNDS}: {_runs(ones)}); {_cpu(one)}", "ours": one,
         "floor": floor_one},
        {"what": f"{database} outbox: the same by two `agencyflow dispatch --loop` processes "
                 f"(median of {WORKER_ROUNDS}: {_runs(twos)}; rows claimed "
                 f"{' + '.join(f'{n:,}' for n in two['claimed'])}); {_cpu(two)}; target ≥ 1.5× "
                 f"one process: {one['seconds'] / two['seconds']:.2f}×", "ours": two,
         "floor": floor_two},
    ]


def _runs(results: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['seconds']:.1f} s (load {r['load']})" for r in results)


def _cpu(result: dict[str, Any]) -> str:
    per = " + ".join(f"{c:.2f}" for c in result["cpu_ms"])
    return (f"CPU per notification: dispatchers {per} ms, sink {result['sink_cpu_ms']:.2f} ms; "
            f"cores used {result['cpu_busy']:.2f}")


def scale(inputs: Inputs) -> list[str]:
    """Issue 13 part 6: PostgreSQL at 1,000,000 assignments beside plain-psycopg floors."""
    communes, steps = SCALE
    rows = table(scale_rows(communes, steps))  # first: the heading says when it ended
    return [_written("scale") + f" {communes:,} communes × {steps} steps on the local "
            "PostgreSQL server, in a database of its own. Targets: cycle start and first sweep "
            "within 2× of the write floor.", "", *rows]


def web_load(inputs: Inputs) -> list[str]:
    """Issue 11 part 6: the board page and the API list under load."""
    figures = render_web(web(inputs.national()[0]))
    return [_written("web"), *figures]


def reports(inputs: Inputs) -> list[str]:
    """Issue 12: the yearly report at national scale and the progress-sheet import."""
    rows = table(report_rows(inputs.national()[0], inputs.work, inputs.steps))
    return [_written("reports") + f" The national cycle ({inputs.communes:,} communes × "
            f"{inputs.steps} steps) is lived to 15/06/2027 (a third done, on time or late; one "
            "in thirty extended) and reported for the year 2027; the import is of a sheet of "
            "5,000 rows (a note on each: 5,000 progress use cases, 5,000 audit events) exported "
            "from a 250-commune cycle. Targets: report ≤ 10 s, import ≥ 500 rows/s.", "", *rows]


@dataclass(frozen=True)
class Section:
    heading: str
    run: Callable[[Inputs], list[str]]


#: Every section, in the order of the file; the key is the name ``ONLY=`` takes.
SECTIONS: dict[str, Section] = {
    "coldstart": Section("## Cold starts and the streamed listing (issue 10)", coldstarts),
    "web": Section("## Web under load (issue 11)", web_load),
    "reports": Section("## Reports and the progress-sheet import (issue 12)", reports),
    "dispatch": Section("## Dispatch: threads, processes and workers (issues 9 and 13)",
                        dispatching),
    "scale": Section("## PostgreSQL at 1,000,000 assignments (issue 13)", scale),
}


def text(name: str, inputs: Inputs) -> str:
    """The section ``name``'s markdown, heading first."""
    section = SECTIONS[name]
    return "\n".join([section.heading, "", *section.run(inputs)]) + "\n"


def splice(old: str, name: str, new: str) -> str:
    """``old`` with section ``name`` replaced by ``new``; appended when ``old`` has none."""
    heading = SECTIONS[name].heading
    start = old.find(heading)
    if start < 0:
        return old.rstrip("\n") + "\n\n" + new
    end = old.find("\n## ", start + len(heading))
    rest = old[end + 1:] if end >= 0 else ""
    return old[:start] + new + ("\n" + rest if rest else "")
