"""`agencyflow board`: every assignment with its official status on a given day."""

from __future__ import annotations

import typer
from rich.table import Table

from agencyflow.cli.common import (
    NOW_HELP,
    Format,
    calendar,
    console,
    emit,
    handle_errors,
    parse_now,
    transaction,
)
from agencyflow.domain.calendar import local_date
from agencyflow.domain.status import LABELS, BoardStatus
from agencyflow.errors import NotFound
from agencyflow.models import PlanVersion
from agencyflow.services import board as board_service
from agencyflow.services import cycle_queries as cycles

COLUMNS = ["id", "step_id", "period", "lead", "commune", "cooperating", "title", "due",
           "original_due", "completed_on", "board_status"]


@handle_errors
def board(
    plan: str = typer.Option(None, "--plan", help="Plan key (default: the only/newest plan)."),
    year: int = typer.Option(None, "--year", help="Cycle year (default: the newest cycle)."),
    agency: str = typer.Option(None, "--agency", help="Only assignments this agency leads or "
                               "cooperates on."),
    commune: str = typer.Option(None, "--commune", help="Only this commune's assignments."),
    status: str = typer.Option(None, "--status", help="Only this status: " + ", ".join(
        s.value for s in BoardStatus)),
    now: str = typer.Option(None, help=NOW_HELP),
    lang: str = typer.Option("vi", help="vi or en."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    limit: int = typer.Option(None, help="Show at most this many rows (counts cover all)."),
) -> None:
    """List assignments with lead, cooperating agencies, due date and official status,
    and a count per agency and status.

    Example: agencyflow board --agency KTHT --now 2027-03-15
    """
    today = local_date(parse_now(now))
    with transaction() as session:
        cycle = _cycle(session, plan, year)
        version = session.get(PlanVersion, cycle.plan_version_id)
        flt = board_service.BoardFilter(cycle_id=cycle.id, agency=agency, commune=commune,
                                        status=status, late_against=cycle.late_against)
        result = board_service.board(session, flt, today=today, calendar=calendar(), limit=limit)
        names = board_service.agency_names(session, cycle.plan_key)
    rows = [_row(r, lang) for r in result.rows]
    if fmt is not Format.table:
        emit(rows, COLUMNS, fmt)
        return
    headers = ["#", "step", "period", "lead", "commune", "cooperating", "title", "due",
               "original", "done", "status"]
    emit(rows, COLUMNS, fmt, headers=headers,
         title=f"{_title(version, lang)} — {cycle.year} — {today:%d/%m/%Y}")
    _counts_table(result.counts, names, lang)


def _cycle(session, plan: str | None, year: int | None):  # type: ignore[no-untyped-def]
    if plan and year:
        return cycles.find(session, plan, year)
    found = cycles.list_cycles(session, plan)
    if year:
        found = [c for c in found if c.year == year]
    if not found:
        raise NotFound("no cycle started yet: run `agencyflow cycle start --plan KEY "
                              "--year YEAR`")
    return max(found, key=lambda c: (c.year, c.id))


def _title(version: PlanVersion | None, lang: str) -> str:
    if version is None:
        return ""
    return (version.title_en or version.title_vi) if lang == "en" else version.title_vi


def _row(r: dict, lang: str) -> dict:  # type: ignore[type-arg]
    title = (r["title_en"] or r["title_vi"]) if lang == "en" else r["title_vi"]
    return {"id": r["id"], "step_id": r["step_id"], "period": r["period"],
            "lead": r["lead_code"], "commune": r["member"] or None,
            "cooperating": r["cooperating"], "title": title, "due": r["due_current"],
            "original_due": r["due_original"] if r["due_original"] != r["due_current"] else None,
            "completed_on": r["completed_on"], "board_status": r["board_status"]}


def _counts_table(counts: dict[str, dict[str, int]], names: dict[str, str], lang: str) -> None:
    order = list(BoardStatus)
    table = Table(title="Count per agency and status" if lang == "en" else
                  "Số lượng theo cơ quan và tình trạng")
    table.add_column("agency")
    for st in order:
        table.add_column(LABELS[st][lang], justify="right")
    for code in sorted(counts):
        table.add_row(f"{code} {names.get(code, '')}".strip(),
                      *(str(counts[code].get(st.value, 0) or "") for st in order))
    totals = [sum(c.get(st.value, 0) for c in counts.values()) for st in order]
    table.add_row("[bold]total[/]", *(f"[bold]{t}[/]" for t in totals))
    console.print(table)
