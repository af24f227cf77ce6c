"""The figures of a progress report, taken from the board on one day (one rule, one place).

:func:`build` reads the board's rows of the cycle as of ``today`` — the same row set and the same
status rule as ``agencyflow board`` (:mod:`agencyflow.services.board.folds` gives them as SQL
parts) — and only folds them, in SQL rather than row by row in Python: the counts per lead
agency, commune and status in one GROUP BY (the totals, the table per agency and per commune are
its sums), the overdue rows with the working days late, the extensions granted joined on the
same rows, and the plan's targets (:mod:`agencyflow.services.board.targets`). Nothing here
decides a status.

Which assignments count: a yearly report covers every assignment of that year's cycle; a
quarterly or monthly report those whose current due date falls inside the quarter or month
(:class:`~agencyflow.services.reports.period.ReportPeriod`). ``agency`` narrows it to the
assignments an agency leads or cooperates on, as ``board --agency`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.dbapi import fetch
from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.status import BoardStatus
from agencyflow.domain.targets import PeriodResult
from agencyflow.i18n import _
from agencyflow.models import Cycle
from agencyflow.services.board import asof, folds, targets
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
    require(actor, Action.READ, target=_("the report of plan {plan}").format(plan=plan_key))
    cycle = board.cycle_for(session, plan_key, period.year)
    whole = period.whole_cycle()
    flt = board.BoardFilter(cycle_id=cycle.id, agency=agency, late_against=cycle.late_against,
                            due_from=None if whole else period.start,
                            due_to=None if whole else period.end)
    tally = folds.tally(session, flt, today=today, calendar=calendar, known_at=known_at)
    names = _names(session, plan_key, lang)
    spec = _spec(session, cycle.id)
    return ReportData(
        plan_key=plan_key, spec=spec, cycle_id=cycle.id, period=period, today=today, lang=lang,
        agency=agency, figures=_figures(tally),
        by_agency=_groups(tally, 0, names),
        by_commune=_groups([t for t in tally if t[1]], 1, names),
        overdue=_overdue(session, flt, today, calendar, known_at, names, lang),
        extensions=_extensions(session, folds.scope(session, flt, today=today,
                                                    calendar=calendar, known_at=known_at),
                               names, today, lang, known_at),
        targets=targets.report(session, plan_key, today=today, actor=actor,
                               year=period.year, known_at=known_at).results,
        names=names)


Tally = list[tuple[str, str | None, str, int]]


def _figures(tally: Tally) -> Figures:
    """Counts per board status of (lead, commune, status, n) groups."""
    counts: dict[str, int] = {}
    for _lead, _member, status, n in tally:
        counts[status] = counts.get(status, 0) + n
    return Figures(counts)


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


def _groups(tally: Tally, key: int, names: dict[str, str]) -> list[GroupRow]:
    """A table per lead (``key`` 0) or commune (1) of the tally."""
    per: dict[str, dict[str, int]] = {}
    for group in tally:
        counts = per.setdefault(str(group[key]), {})
        counts[group[2]] = counts.get(group[2], 0) + group[3]
    return [GroupRow(code, names.get(code, code), Figures(c)) for code, c in sorted(per.items())]


def _title(vi: str, en: str | None, lang: str) -> str:
    return (en or vi) if lang == "en" else vi


OVERDUE_SQL = """SELECT a.id, a.title_vi, a.title_en, a.lead_code, a.member, {due}
FROM {source}{where}"""


def _overdue(session: Session, flt: board.BoardFilter, today: date, calendar: WorkingCalendar,
             known_at: datetime | None, names: dict[str, str], lang: str) -> list[OverdueRow]:
    """The board's overdue rows of ``flt``, with the working days late measured as the board
    measures lateness (against the current or the original due date)."""
    s = folds.scope(session, replace(flt, status=S.OVERDUE.value), today=today,
                    calendar=calendar, known_at=known_at)
    due_column = board.DUE_COLUMN["original" if flt.late_against == "original" else "current"]
    sql = OVERDUE_SQL.format(due=due_column, source=s.source, where=s.where())
    late: dict[Any, tuple[date, int]] = {}  # many assignments share a due date
    out = []
    for id_, title_vi, title_en, lead, member, due in fetch(session, sql, s.params):
        if due not in late:
            day = asof.typed("date", due)
            late[due] = (day, calendar.working_days_between(day, today))
        day, days_late = late[due]
        out.append(OverdueRow(id_, _title(title_vi, title_en, lang), lead,
                              names.get(lead, lead), member or None, day, days_late))
    out.sort(key=lambda o: (-o.days_late, o.due, o.id))
    return out


EXTENSIONS_SQL = """SELECT e.assignment_id, e.old_due, e.new_due, e.reason, e.decided_at,
  a.title_vi, a.title_en, a.lead_code
FROM extension_request e JOIN {source} ON a.id = e.assignment_id{where}
ORDER BY e.decided_at, e.id"""


def _extensions(session: Session, scope: folds.Scope, names: dict[str, str], today: date,
                lang: str, known_at: datetime | None = None) -> list[ExtensionRow]:
    """The approved extensions of the report's assignments (``scope``) decided by ``today``
    (and known at ``known_at``: the decision's time is its audit event's)."""
    sql = EXTENSIONS_SQL.format(source=scope.source, where=scope.where("e.status = 'approved'"))
    out = []
    for (assignment_id, old_due, new_due, reason, decided_at, title_vi, title_en,
         lead) in fetch(session, sql, scope.params):
        decided_at = asof.typed("datetime", decided_at)
        decided = _local_day(decided_at)
        if (decided is not None and decided > today) or (
                known_at is not None and decided_at is not None
                and not asof.known(decided_at, known_at)):
            continue
        out.append(ExtensionRow(assignment_id, _title(title_vi, title_en, lang),
                                names.get(lead, lead), asof.typed("date", old_due),
                                asof.typed("date", new_due),
                                reason, decided))
    return out


def _local_day(at: datetime | None) -> date | None:
    from agencyflow.domain.calendar import local_date

    return None if at is None else local_date(at)
