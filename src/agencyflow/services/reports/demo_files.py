"""What ``agencyflow demo`` leaves in its data directory besides the database: the year's
progress report (Word) and the board (Excel), both as of the last day of the year."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from agencyflow.config import Settings
from agencyflow.db import engine_from_settings
from agencyflow.domain.permissions import Actor, Role
from agencyflow.services.board import listing as board
from agencyflow.services.plans.calendar_store import calendar_for
from agencyflow.services.reports import board_xlsx, period
from agencyflow.services.reports.produce import make

DEMO = Actor("system:demo", Role.SYSTEM)


def write(settings: Settings, *, plan_key: str, year: int, lang: str = "vi") -> list[Path]:
    """Write ``<data dir>/bao-cao-<plan>-<year>.docx`` and ``bang-theo-doi-<plan>-<year>.xlsx``
    (``report-…``/``board-…`` in English); return their paths."""
    today = date(year, 12, 31)
    calendar = calendar_for(settings)
    with Session(engine_from_settings(settings)) as session:
        made = make(session, settings, plan_key=plan_key, period=period.year(year), today=today,
                    actor=DEMO, calendar=calendar, fmt="docx", lang=lang)
        cycle = board.cycle_for(session, plan_key, year)
        flt = board.BoardFilter(cycle_id=cycle.id, late_against=cycle.late_against)
        rows = board.rows(session, flt, today=today, calendar=calendar)
        counts = board.counts(session, flt, today=today, calendar=calendar)
        names = board.agency_names(session, plan_key)
    folder = settings.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / made.filename()
    report.write_bytes(made.content)
    stem = "board" if lang == "en" else "bang-theo-doi"
    sheet = folder / f"{stem}-{plan_key}-{year}.xlsx"
    sheet.write_bytes(board_xlsx.write(rows, counts, names, today=today, lang=lang))
    return [report, sheet]
