"""`agencyflow targets`: the plan's targets measured from completed outputs."""

from __future__ import annotations

import typer

from agencyflow.cli.base import (
    AS_HELP,
    NOW_HELP,
    Format,
    console,
    emit,
    handle_errors,
    parse_now,
    styled,
)
from agencyflow.cli.common import transaction
from agencyflow.cli.identity import resolve_actor
from agencyflow.domain.calendar import local_date
from agencyflow.domain.permissions import Action
from agencyflow.domain.targets import PeriodResult
from agencyflow.i18n import current_language
from agencyflow.services import board

COLUMNS = ["target", "title", "period", "value", "min", "stretch", "status", "stretch_reached"]
DATA_COLUMNS = ["target", "title", "from_year", "to_year", "value", "min", "stretch", "status",
                "stretch_reached"]


@handle_errors
def targets(
    plan: str = typer.Option(..., "--plan", help="Plan key (loaded with `agencyflow plan load`)."),
    year: int = typer.Option(None, "--year", help="Only the periods that include this year."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Each target's value against its minimum per period: met, not met or in progress.

    Values come from the outputs of completed assignments (e.g. products rated 3–4 stars);
    with --now, only what was completed by that day counts. Anyone may read the targets.

    Example: agencyflow targets --plan kim-thanh-ocop --year 2021 --now 2021-12-31
    """
    when, lang = parse_now(now), current_language()
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when, action=Action.READ)
        report = board.targets_report(session, plan, today=local_date(when), known_at=when,
                                      actor=actor, year=year)
    rows = [_row(r, lang) for r in report.results]
    title = f"{report.spec.title.get(lang)} — {local_date(when):%d/%m/%Y}"
    if fmt is Format.table:
        console.print(styled((title, "bold")), highlight=False)
    emit(rows, COLUMNS if fmt is Format.table else DATA_COLUMNS, fmt,
         words={"status": "target"})


def _row(result: PeriodResult, lang: str) -> dict[str, object]:
    return {"target": result.target_id, "title": result.title.get(lang), "period": result.period,
            "from_year": result.from_year, "to_year": result.to_year, "value": result.value,
            "min": _num(result.min), "stretch": _num(result.stretch),
            "status": result.status.value,
            "stretch_reached": result.stretch_reached}


def _num(value: float | None) -> float | None:
    return int(value) if value is not None and float(value).is_integer() else value
