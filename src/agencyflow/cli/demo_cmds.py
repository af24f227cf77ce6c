"""`agencyflow demo`: simulate a year of the Kim Thành OCOP plan, in this process.

Runs on the configured (empty) database with a local webhook sink it starts itself; never
imports Prefect. The scenario lives in :mod:`agencyflow.demo`, the printing in
:mod:`agencyflow.cli.demo_view`.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

import typer

from agencyflow.cli import demo_view as view
from agencyflow.cli.base import console, handle_errors
from agencyflow.cli.common import settings
from agencyflow.config import Settings
from agencyflow.i18n import _, current_language
from agencyflow.services.database import make_url


@handle_errors
def demo(
    year: int = typer.Option(2027, "--year", help="The year of the cycle to simulate."),
    quiet: bool = typer.Option(False, "--quiet", help="Only the closing summary lines."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (for scripts "
                                 "and tests) instead of tables."),
) -> None:
    """Simulate the Kim Thành OCOP cycle of a year, working day by working day: reminders to a
    local sink, completions on time and late, an extension granted and one refused, a review
    sent back, an overdue assignment escalated to the leader; then what each agency received,
    the board at year end, the targets and the audit verification. Needs an empty database
    (AGENCYFLOW_DATA_DIR); takes about 20 seconds.

    Example: AGENCYFLOW_DATA_DIR=./demo-data agencyflow demo --lang en
    """
    from agencyflow.demo.runner import run

    cfg = settings()
    chatty = not (quiet or as_json)
    if chatty:
        view.header(year, make_url(cfg.resolved_database_url())
                    .render_as_string(hide_password=True))
    result = run(cfg, year=year, on_month=view.month_line if chatty else None)
    from agencyflow.demo.simulation import PLAN_KEY
    from agencyflow.services import reports

    files = reports.write_demo_files(cfg, plan_key=PLAN_KEY, year=year, lang=current_language())
    explore = explore_command(cfg, year)
    from agencyflow.demo import reorganisation

    chapter = reorganisation.run(cfg, current_language())
    if as_json:
        summary = result.as_dict() | {"files": [str(f) for f in files], "explore": explore,
                                      "reorganisation_2025": chapter.as_dict()}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        view.finish(result, tables=chatty, explore=explore)
        for line in reorganisation.summary(chapter, current_language()):
            console.print(line, highlight=False, markup=False)
        for f in files:
            console.print(_("Written: {file}").format(file=f), highlight=False)
        view.web_hint(cfg.data_dir)
    if (result.findings.audit_error is not None or not result.tally.consistent
            or not chapter.dry_equals_applied):
        raise typer.Exit(code=1)


def explore_command(cfg: Settings, year: int) -> str:
    """A shell command that shows this demo's board at year end, as the user can paste it: with
    the data directory of the embedded database (``make demo`` sets it only for the demo) and
    the ``agencyflow`` that ran, when the one on PATH is another or none."""
    exe = "agencyflow"
    script = Path(sys.argv[0])
    if script.name == "agencyflow" and script.is_file():
        found = shutil.which("agencyflow")
        if found is None or Path(found).resolve() != script.resolve():
            exe = shlex.quote(_short(script))
    prefix = ""
    if not os.environ.get("AGENCYFLOW_DATABASE_URL"):  # the embedded database of DATA_DIR
        prefix = f"AGENCYFLOW_DATA_DIR={shlex.quote(_short(cfg.data_dir))} "
    return f"{prefix}{exe} board --year {year} --now {year}-12-31"


def _short(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it, else absolute."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(absolute)
