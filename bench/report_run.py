"""``python -m bench.run --only reports``: the scenarios of issue 12 alone (the yearly report at
national scale as docx and xlsx, the 5,000-row progress-sheet import, each beside its plain-SQL
floor), written into their own section of RESULTS.md; the other sections are kept as they are.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.run import copy_db, machine, report_rows, scenario, table

#: The section's first line; it runs to the next ``## `` heading or the end of the file.
HEADING = "## Reports and the progress-sheet import (issue 12)"


def section(rows: list[dict[str, Any]], communes: int, steps: int) -> str:
    """The section's markdown."""
    return "\n".join([
        HEADING, "",
        f"Written by `make bench ONLY=reports` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"{machine()}; load average {os.getloadavg()[0]:.1f} at the end (other work on the "
        f"machine shares its cores). The national cycle ({communes:,} communes × {steps} steps) "
        "is lived to 15/06/2027 (a third done, on time or late; one in thirty extended) and "
        "reported for the year 2027; the import is of a sheet of 5,000 rows (a note on each: "
        "5,000 progress use cases, 5,000 audit events) exported from a 250-commune cycle. "
        "Targets: report ≤ 10 s, import ≥ 500 rows/s.", "", *table(rows)]) + "\n"


def splice(text: str, new: str) -> str:
    """``text`` with its reports section replaced by ``new`` (appended when it has none)."""
    start = text.find(HEADING)
    if start < 0:
        return text.rstrip("\n") + "\n\n" + new
    end = text.find("\n## ", start + len(HEADING))
    rest = text[end + 1:] if end >= 0 else ""
    return text[:start] + new + ("\n" + rest if rest else "")


def main(communes: int, steps: int, write: Path | None) -> None:
    """Prepare the national cycle, run the report scenarios, print and write the section."""
    with tempfile.TemporaryDirectory(prefix="agencyflow-bench-") as tmp:
        work = Path(tmp)
        base = work / "prepared.db"
        scenario("prepare", str(base), str(communes), str(steps))
        ours = copy_db(base, work / "ours.db")
        scenario("cycle_start", str(ours))
        rows = report_rows(ours, work, steps)
    text = section(rows, communes, steps)
    print(text)
    if write:
        old = write.read_text(encoding="utf-8") if write.exists() else "# Benchmark results\n"
        write.write_text(splice(old, text), encoding="utf-8")
