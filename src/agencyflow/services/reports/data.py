"""The figures of a progress report, taken from the board on one day (one rule, one place).

:func:`build` asks the board service (:mod:`agencyflow.services.board.listing`) for the rows of the
cycle as of ``today`` — the same query and the same status rule as ``agencyflow board`` — and
only folds them: totals per status, a table per lead agency and per commune, the overdue list
with the working days late, the extensions granted, and the plan's targets
(:mod:`agencyflow.services.board.targets`). Nothing here decides a status.

Which assignments count: a yearly report covers every assignment of that year's cycle; a
quarterly or monthly report those whose current due date falls inside the quarter or month
(:class:`~agencyflow.services.reports.period.ReportPeriod`). ``agency`` narrows it to the
assignments an agency leads or cooperates on, as ``board --agency`` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.status import BoardStatus
from agencyflow.domain.targets import PeriodResult
from agencyflow.models import Cycle, ExtensionRequest
from agencyflow.services.board import asof, targets
from agencyflow.services.board import listing as board
from agencyflow.services.plans import store as plans
from agencyflow.services.reports.period import ReportPeriod

S = BoardStatus
#: The four official categories and the two others, in report order.
ORDER = (S.DONE_ON_TIME, S.DONE_LATE, S.IN_PROGRESS, S.DUE_SOON, S.OVERDUE, S.WAITING,
         S.CANCELLED)


@dataclass(frozen=True)
class Figures:
    """Counts per board status of a set of assignments, and the official breakdown."""

    counts: dict[str, int]

    def n(self, status: BoardStatus) -> int:
        """The number with ``status``."""
        return self.counts.get(status.value, 0)

    @property
    def total(self) -> int:
        """Every assignment but the cancelled ones."""
        return sum(self.counts.values()) - self.n(S.CANCELLED)

    @property
    def done(self) -> int:
        """Completed, on time or late."""
        return self.n(S.DONE_ON_TIME) + self.n(S.DONE_LATE)

    @property
    def within(self) -> int:
        """Not completed and within the deadline (due soon included)."""
        return self.n(S.IN_PROGRESS) + self.n(S.DUE_SOON)

    @property
    def not_done(self) -> int:
        """Not completed: within the deadline, overdue, or not open yet."""
        return self.within + self.n(S.OVERDUE) + self.n(S.WAITING)

    def rate(self, count: int) -> float:
        """``count`` as a percentage of :attr:`total` (0 when there is nothing)."""
        return round(100 * count / self.total, 1) if self.total else 0.0

    def four(self) -> dict[str, int]:
        """The four official statuses (done on time, done late, within deadline, overdue)."""
        return {"done_on_time": self.n(S.DONE_ON_TIME), "done_late": self.n(S.DONE_LATE),
                "within": self.within, "overdue": self.n(S.OVERDUE)}


@dataclass(frozen=True)
class GroupRow:
    """One line of a table per agency or commune."""

    code: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class OverdueRow:
    """An overdue assignment: who leads it, its due date and the working days it is late."""

    id: int
    title: str
    lead_code: str
    lead_name: str
    commune: str | None
    due: date
    days_late: int


@dataclass(frozen=True)
class ExtensionRow:
    """An extension granted: the date before and after, the reason the lead gave."""

    assignment_id: int
    title: str
    lead_name: str
    old_due: date
    new_due: date
    reason: str
    decided_on: date | None


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows (rendered by the docx, xlsx, html and md writers)."""

    plan_key: str
    spec: PlanSpec
    cycle_id: int
    period: ReportPeriod
    today: date
    lang: str
    agency: str | None
    figures: Figures
    by_agency: list[GroupRow]
    by_commune: list[GroupRow]
    overdue: list[OverdueRow]
    extensions: list[ExtensionRow]
    targets: list[PeriodResult]
    names: dict[str, str] = field(default_factory=dict)

    def name(self, code: str) -> str:
        """The agency's name as the plan gives it (its code if unknown)."""
        return self.names.get(code, code)

    @property
    def issuer(self) -> str:
        """The issuing body: the plan's leader agency (e.g. UBND huyện Kim Thành)."""
        leader = self.spec.agency(self.spec.leader)
        return leader.name.get(self.lang)

    @property
    def plan_title(self) -> str:
        """The plan's title in the report's language."""
        return self.spec.title.get(self.lang)


def build(session: Session, *, plan_key: str, period: ReportPeriod, today: date, actor: Actor,
          calendar: WorkingCalendar, agency: str | None = None, lang: str = "vi",
          known_at: datetime | None = None) -> ReportData:
    """The report of plan ``plan_key`` for ``period`` with the board's figures of ``today``,
    as known at ``known_at`` — the board's rule (:mod:`agencyflow.services.board.asof`): what
    was recorded later (completions, extensions, reassignments, cancellations) is left out;
    None: everything stored."""
    require(actor, Action.READ, target=f"the report of plan {plan_key}")
    cycle = board.cycle_for(session, plan_key, period.year)
    flt = board.BoardFilter(cycle_id=cycle.id, agency=agency, late_against=cycle.late_against)
    rows = [r for r in board.rows(session, flt, today=today, calendar=calendar,
                                  known_at=known_at)
            if period.covers(r["due_current"])]
    names = _names(session, plan_key, lang)
    spec = _spec(session, cycle.id)
    return ReportData(
        plan_key=plan_key, spec=spec, cycle_id=cycle.id, period=period, today=today, lang=lang,
        agency=agency, figures=figures(rows),
        by_agency=_groups(rows, "lead_code", names),
        by_commune=_groups([r for r in rows if r["member"]], "member", names),
        overdue=_overdue(rows, names, calendar, today, cycle.late_against, lang),
        extensions=_extensions(session, cycle.id, rows, names, today, lang, known_at),
        targets=targets.report(session, plan_key, today=today, actor=actor,
                               year=period.year, known_at=known_at).results,
        names=names)


def figures(rows: list[dict[str, Any]]) -> Figures:
    """Counts per board status of board rows."""
    return Figures(dict(Counter(r["board_status"] for r in rows)))


def _names(session: Session, plan_key: str, lang: str) -> dict[str, str]:
    if lang != "en":
        return board.agency_names(session, plan_key)
    from agencyflow.models import Agency

    stmt = select(col(Agency.code), col(Agency.name_vi), col(Agency.name_en)).where(
        col(Agency.plan_key) == plan_key)
    return {code: en or vi for code, vi, en in session.execute(stmt)}


def _spec(session: Session, cycle_id: int) -> PlanSpec:
    found = session.get(Cycle, cycle_id)
    assert found is not None  # board.cycle_for just found it
    return plans.spec_of(plans.by_id(session, found.plan_version_id))


def _groups(rows: list[dict[str, Any]], key: str, names: dict[str, str]) -> list[GroupRow]:
    pairs = Counter((r[key], r["board_status"]) for r in rows)  # one pass, C-speed counting
    per: dict[str, dict[str, int]] = {}
    for (code, status), n in pairs.items():
        per.setdefault(code, {})[status] = n
    return [GroupRow(code, names.get(code, code), Figures(c)) for code, c in sorted(per.items())]


def _title(r: dict[str, Any], lang: str) -> str:
    return str((r["title_en"] or r["title_vi"]) if lang == "en" else r["title_vi"])


def _overdue(rows: list[dict[str, Any]], names: dict[str, str], calendar: WorkingCalendar,
             today: date, late_against: str, lang: str) -> list[OverdueRow]:
    column = "due_original" if late_against == "original" else "due_current"
    late: dict[date, int] = {}  # many assignments share a due date
    out = []
    for r in rows:
        if r["board_status"] != S.OVERDUE.value:
            continue
        due = r[column]
        if due not in late:
            late[due] = calendar.working_days_between(due, today)
        out.append(OverdueRow(r["id"], _title(r, lang), r["lead_code"],
                              names.get(r["lead_code"], r["lead_code"]), r["member"] or None,
                              due, late[due]))
    out.sort(key=lambda o: (-o.days_late, o.due, o.id))
    return out


def _extensions(session: Session, cycle_id: int, rows: list[dict[str, Any]],
                names: dict[str, str], today: date, lang: str,
                known_at: datetime | None = None) -> list[ExtensionRow]:
    """The approved extensions of the report's assignments decided by ``today`` (and known at
    ``known_at``: the decision's time is its audit event's)."""
    by_id = {r["id"]: r for r in rows}
    from agencyflow.models import Assignment

    E = ExtensionRequest
    stmt = (select(col(E.assignment_id), col(E.old_due), col(E.new_due), col(E.reason),
                   col(E.decided_at))
            .join(Assignment, col(Assignment.id) == col(E.assignment_id))
            .where(col(Assignment.cycle_id) == cycle_id, col(E.status) == "approved")
            .order_by(col(E.decided_at), col(E.id)))
    out = []
    for assignment_id, old_due, new_due, reason, decided_at in session.execute(stmt):
        r = by_id.get(assignment_id)
        decided = _local_day(decided_at)
        if r is None or (decided is not None and decided > today) or (
                known_at is not None and decided_at is not None
                and not asof.known(decided_at, known_at)):
            continue
        out.append(ExtensionRow(assignment_id, _title(r, lang),
                                names.get(r["lead_code"], r["lead_code"]), old_due, new_due,
                                reason, decided))
    return out


def _local_day(at: datetime | None) -> date | None:
    from agencyflow.domain.calendar import local_date

    return None if at is None else local_date(at)
