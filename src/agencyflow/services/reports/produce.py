"""One call that every entry point (CLI, monthly flow, web) uses to make a report file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from agencyflow.config import Settings
from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.i18n import _
from agencyflow.services.reports import data as report_data
from agencyflow.services.reports.period import ReportPeriod
from agencyflow.services.reports.render import render
from agencyflow.services.reports.settings import letterhead_for, template_for


@dataclass(frozen=True)
class Made:
    """A rendered report: its data (the figures) and the file's bytes."""

    data: report_data.ReportData
    content: bytes
    fmt: str

    def filename(self) -> str:
        """``bao-cao-kim-thanh-ocop-2027-05.docx`` (``report-…`` in English)."""
        stem = "report" if self.data.lang == "en" else "bao-cao"
        agency = f"-{self.data.agency.lower()}" if self.data.agency else ""
        return f"{stem}-{self.data.plan_key}{agency}-{self.data.period.slug}.{self.fmt}"


def make(session: Session, settings: Settings, *, plan_key: str, period: ReportPeriod,
         today: date, actor: Actor, calendar: WorkingCalendar, fmt: str,
         agency: str | None = None, lang: str = "vi", known_at: datetime | None = None) -> Made:
    """The report of ``plan_key`` over ``period`` on ``today`` in ``fmt``, as known at
    ``known_at`` (the board's as-of rule; None: everything stored)."""
    built = report_data.build(session, plan_key=plan_key, period=period, today=today,
                              actor=actor, calendar=calendar, agency=agency, lang=lang,
                              known_at=known_at)
    head = letterhead_for(settings, built.spec, lang)
    return Made(built, render(built, fmt, head, template=template_for(settings)), fmt)


def download(session: Session, settings: Settings, *, plan_key: str, period: ReportPeriod,
             today: date, actor: Actor, calendar: WorkingCalendar, fmt: str,
             agency: str | None = None, lang: str = "vi", known_at: datetime | None = None
             ) -> Made:
    """:func:`make` for the web app's download, which the coordinator and the leader may use
    (``report.download``)."""
    require(actor, Action.REPORT, target=_("the report of plan {plan}").format(plan=plan_key))
    return make(session, settings, plan_key=plan_key, period=period, today=today, actor=actor,
                calendar=calendar, fmt=fmt, agency=agency, lang=lang, known_at=known_at)
