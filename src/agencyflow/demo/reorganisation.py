"""The demo's short 2025 chapter: the Kim Thành plan across the reorganisation of 1 July 2025.

On its own embedded database (``reorganisation-2025.db`` in the data directory, so the 2027 story
is not touched): the 2025 cycle starts on 2 January under plan version 1 (the district and its 18
communes); by 30 June some work is done and a sweep has queued notices; on 1 July the cycle is
migrated — dry run first, then applied — to the bundled amendment ``kim-thanh-ocop-2025-07``
with its successor map. The chapter then reads the board as of 30 June and as of 2 July: open
work led by the old district agencies before, by the city departments and the four new communes
after; the work done before the date keeps its old lead; the audit chain verifies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from agencyflow.config import Settings
from agencyflow.db import make_engine, session_scope, upgrade
from agencyflow.domain.calendar import TIMEZONE, WorkingCalendar
from agencyflow.domain.clock import Clock
from agencyflow.domain.permissions import Actor, Role
from agencyflow.i18n import _, language
from agencyflow.models import Assignment
from agencyflow.services import (
    assignments,
    audit,
    board,
    cycles,
    delivery,
    people,
    plans,
    reminders,
)
from agencyflow.services.clock import with_clock

AMENDMENT = "kim-thanh-ocop-2025-07"
SYSTEM = Actor("system:demo", Role.SYSTEM)
COORDINATOR = Actor("dieu.phoi", Role.COORDINATOR, "NN")
#: Communes whose XA-1 (dissemination) is done before the date, and when.
DONE_EARLY = {"TT-PHU-THAI": 20, "XA-KIM-DINH": 24, "XA-DAI-DUC": 26, "XA-LAI-VU": 27}


def _vn(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TIMEZONE)


@dataclass(frozen=True)
class Chapter:
    """What the chapter shows."""

    head: str
    updated: int
    redirected: int
    users_moved: int
    dry_equals_applied: bool
    before: dict[str, int]
    after: dict[str, int]
    kept_done: list[tuple[str, str]]
    audit_events: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (``agencyflow demo --json``)."""
        return {"head": self.head, "updated": self.updated, "redirected": self.redirected,
                "users_moved": self.users_moved, "dry_equals_applied": self.dry_equals_applied,
                "open_by_lead_before": self.before, "open_by_lead_after": self.after,
                "done_before_kept": [list(p) for p in self.kept_done],
                "audit_events": self.audit_events}


def _first_half(engine: Engine, calendar: WorkingCalendar) -> None:
    with session_scope(engine) as s:
        cycles.start_plan(s, plan="kim-thanh-ocop", year=2025, now=_vn(2025, 1, 2),
                         actor=SYSTEM, calendar=calendar, start_date=date(2025, 1, 2))
        people.add_user(s, username="dieu.phoi", role="coordinator", now=_vn(2025, 1, 2),
                        actor=SYSTEM, agency_code="NN", full_name="Nguyễn Thị Điều Phối")
        people.add_user(s, username="lan.nn", role="officer", now=_vn(2025, 1, 2),
                        actor=SYSTEM, agency_code="NN", full_name="Trần Thị Lan")
    with session_scope(engine) as s:
        for member, day in DONE_EARLY.items():
            row = s.execute(select(col(Assignment.id)).where(
                col(Assignment.step_id) == "XA-1", col(Assignment.member) == member)).scalar_one()
            assignments.complete(s, assignment_id=row, actor=SYSTEM, now=_vn(2025, 3, day),
                                 calendar=calendar, outputs={"steering_decision": f"{day}/QĐ-UBND",
                                                             "meetings": 2})
    reminders.sweep(engine, now=_vn(2025, 6, 30, 8), calendar=calendar)


def _open_by_lead(engine: Engine, calendar: WorkingCalendar, day: date, hour: int
                  ) -> dict[str, int]:
    with Session(engine) as s:
        rows = board.board(s, board.BoardFilter(cycle_id=1), today=day, calendar=calendar,
                           known_at=_vn(day.year, day.month, day.day, hour)).rows
    return dict(sorted(Counter(r["lead_code"] for r in rows
                               if r["status"] not in ("done", "cancelled")).items()))


def _migrate(engine: Engine, calendar: WorkingCalendar, *, dry_run: bool
             ) -> tuple[list[str], cycles.MigrationReport]:
    with session_scope(engine) as s:
        report = cycles.migrate_cycle(s, cycle_id=1, to=AMENDMENT, now=_vn(2025, 7, 1, 8),
                                     actor=COORDINATOR, calendar=calendar,
                                     succession=plans.read_map(AMENDMENT), dry_run=dry_run)
        return cycles.migration_report_lines(report), report


def run(settings: Settings, lang: str = "vi") -> Chapter:
    """Play the chapter (see the module docstring) in ``lang``."""
    path = settings.data_dir / "reorganisation-2025.db"
    path.unlink(missing_ok=True)
    engine = with_clock(make_engine(f"sqlite:///{path}"), Clock(simulated=True))
    try:
        upgrade(engine)
        calendar = delivery.calendar(settings)
        with language(lang):
            _first_half(engine, calendar)
            dry, _report = _migrate(engine, calendar, dry_run=True)
            applied, report = _migrate(engine, calendar, dry_run=False)
        with Session(engine) as s:
            kept = [(m, s.execute(select(col(Assignment.lead_code)).where(
                col(Assignment.step_id) == "XA-1", col(Assignment.member) == m)).scalar_one())
                for m in DONE_EARLY]
            events = audit.verify(s)
        return Chapter(applied[0], len(report.plan.updates), report.redirected,
                       len(report.users), dry[1:] == applied[1:],
                       _open_by_lead(engine, calendar, date(2025, 6, 30), 17),
                       _open_by_lead(engine, calendar, date(2025, 7, 2), 9), kept, events)
    finally:
        engine.dispose()


def summary(chapter: Chapter, lang: str = "vi") -> list[str]:
    """The chapter's lines for the demo's output."""
    with language(lang):
        def leads(counts: dict[str, int]) -> str:
            return ", ".join(f"{code} {n}" for code, n in counts.items())
        return [
            _("2025: the reorganisation of 1 July (district level abolished, Hải Dương joined "
              "to Hải Phòng)"),
            "  " + chapter.head,
            "  " + _("{updated} open assignments handed to successors, {redirected} unsent "
                     "notices redirected, {users} users moved; dry run = applied: {same}").format(
                updated=chapter.updated, redirected=chapter.redirected,
                users=chapter.users_moved, same=_("yes") if chapter.dry_equals_applied
                else _("no")),
            "  " + _("open work by lead on 30/06/2025: {leads}").format(
                leads=leads(chapter.before)),
            "  " + _("open work by lead on 02/07/2025: {leads}").format(
                leads=leads(chapter.after)),
            "  " + _("done before the date, lead kept: {pairs}").format(
                pairs=", ".join(lead for _m, lead in chapter.kept_done)),
            "  " + _("audit trail: {n} events, chain intact").format(n=chapter.audit_events),
        ]
