"""`agencyflow board`: every assignment with its official status on a given day.

It only reads, so it runs on a plain DBAPI connection when the database is ready (see
:func:`agencyflow.cli.base.reading`) and never imports SQLAlchemy, SQLModel, pydantic-settings or
Prefect: it answers in about half a second on 10,000 assignments (``make bench`` measures it).
"""

from __future__ import annotations

from typing import Any

import typer

from agencyflow.cli.attention import print_attention
from agencyflow.cli.base import NOW_HELP, Format, calendar, emit, handle_errors, parse_now, reading
from agencyflow.cli.words import header
from agencyflow.domain.calendar import local_date
from agencyflow.domain.status import BoardStatus
from agencyflow.i18n import _, current_language
from agencyflow.labels import label
from agencyflow.services import board as board_service
from agencyflow.services.board import group_members as members

COLUMNS = ["id", "step_id", "period", "lead", "commune", "cooperating", "title", "due",
           "original_due", "completed_on", "board_status", "recorded_later_by"]


@handle_errors
def board(
    plan: str = typer.Option(None, "--plan", help="Plan key (default: the only/newest plan)."),
    year: int = typer.Option(None, "--year", help="Cycle year (default: the newest cycle)."),
    agency: str = typer.Option(None, "--agency", help="Only assignments this agency leads or "
                               "cooperates on."),
    commune: str = typer.Option(None, "--commune", help="Only this commune's assignments."),
    status: str = typer.Option(None, "--status", help="Only this status: done_on_time, "
                               "done_late, in_progress, due_soon, overdue, waiting, cancelled."),
    now: str = typer.Option(None, help=NOW_HELP),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    limit: int = typer.Option(None, help="Show at most this many rows (counts cover all)."),
) -> None:
    """List assignments with lead, cooperating agencies, due date and official status,
    and a count per agency and status.

    Example: agencyflow board --agency KTHT --now 2027-03-15
    """
    lang = current_language()
    when = parse_now(now)
    today = local_date(when)
    table = fmt is Format.table  # only the table shows the counts per agency
    with reading() as conn:
        cycle = board_service.cycle_for(conn, plan, year)
        flt = board_service.resolve_filter(conn, cycle, agency=agency, commune=commune,
                                           status=status)
        workdays = calendar()
        print_attention(conn, cycle.id)  # on standard error
        if not table:  # JSON and CSV are written as the rows come from the cursor
            emit((_row(r, lang) for r in board_service.stream_rows(
                conn, flt, today=today, calendar=workdays, limit=limit, known_at=when)),
                COLUMNS, fmt)
            return
        found = board_service.rows(conn, flt, today=today, calendar=workdays, limit=limit,
                                   known_at=when)
        counts = board_service.counts(conn, flt, today=today, calendar=workdays, known_at=when)
        names = board_service.agency_names(conn, cycle.plan_key)
        member = members(conn, cycle.id).label(lang)  # the plan's own word, e.g. "Các xã"
    rows = [_row(r, lang) for r in found]
    headers = [member if c == "commune" else header(c) for c in COLUMNS]
    emit(rows, COLUMNS, fmt, headers=headers, words={"board_status": "board"},
         title=f"{_title(cycle, lang)} — {cycle.year} — {today:%d/%m/%Y}")
    _counts_table(counts, names)


def _title(cycle: board_service.BoardCycle, lang: str) -> str:
    if cycle.title_vi is None:
        return ""
    return (cycle.title_en or cycle.title_vi) if lang == "en" else cycle.title_vi


def _row(r: dict, lang: str) -> dict:  # type: ignore[type-arg]
    title = (r["title_en"] or r["title_vi"]) if lang == "en" else r["title_vi"]
    return {"id": r["id"], "step_id": r["step_id"], "period": r["period"],
            "lead": r["lead_code"], "commune": r["member"] or None,
            "cooperating": r["cooperating"], "title": title, "due": r["due_current"],
            "original_due": r["due_original"] if r["due_original"] != r["due_current"] else None,
            "completed_on": r["completed_on"], "board_status": r["board_status"],
            "recorded_later_by": r["recorded_late_by"]}


def _counts_table(counts: dict[str, dict[str, int]], names: dict[str, str]) -> None:
    order = [st.value for st in BoardStatus]
    rows: list[dict[str, Any]] = [
        {"agency": f"{code} {names.get(code, '')}".strip(),
         **{st: counts[code].get(st, 0) or "" for st in order}} for code in sorted(counts)]
    rows.append({"agency": _("total"),
                 **{st: sum(c.get(st, 0) for c in counts.values()) for st in order}})
    emit(rows, ["agency", *order], Format.table, right=order,
         headers=[header("agency"), *(label("board", st) for st in order)],
         title=_("Count per agency and status"))
