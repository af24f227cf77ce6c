"""Targets (a server-drawn SVG chart per target, of one year of the plan or all) and the
cycle's timeline (steps on a month axis, due dates, today's line; the whole cycle or one
commune's)."""

from __future__ import annotations

from itertools import groupby

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from agencyflow.domain.calendar import local_date
from agencyflow.services import board, plans
from agencyflow.services.board import group_members as members
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web import charts
from agencyflow.web.context import DB_SESSION, ctx, lang, user
from agencyflow.web.pages.common import day_of, newest_cycle
from agencyflow.web.render import page

router = APIRouter()


@router.get("/targets")
def targets_page(request: Request, plan: str | None = None, year: int | None = None,
                 asof: str | None = None, session: Session = DB_SESSION,
                 current: Current = Depends(user)) -> Response:
    """Each target of the plan, its periods' values against the minimum, as a chart."""
    today = day_of(asof, local_date(ctx(request).now()))
    cycle = newest_cycle(session, plan, None)
    years = sorted({c.year for c in plans.list_cycles(session, cycle.plan_key)},
                   reverse=True) if cycle else []
    charts_by_target = []
    if cycle is not None:
        found = board.targets_report(session, cycle.plan_key, today=today, actor=current.actor,
                                     year=year)
        for target_id, results in groupby(found.results, key=lambda r: r.target_id):
            rows = list(results)
            bars, height, top = charts.target_bars(rows)
            charts_by_target.append({"id": target_id, "title": rows[0].title, "bars": bars,
                                     "height": height, "top": top, "rows": rows})
    return page(request, "targets.html", current, cycle=cycle, charts=charts_by_target,
                today=today, width=charts.WIDTH, label_w=charts.LABEL, years=years,
                year=year)


@router.get("/timeline")
def timeline_page(request: Request, plan: str | None = None, year: int | None = None,
                  commune: str | None = None, session: Session = DB_SESSION,
                  current: Current = Depends(user)) -> Response:
    """The steps of a cycle (default: the newest) on a month axis; with ``commune``, that
    member's own assignments of the fan-out steps."""
    today = local_date(ctx(request).now())
    cycle = newest_cycle(session, plan, year)
    drawing, group, member = None, None, None
    if cycle is not None:
        row = plans.find(session, cycle.plan_key, cycle.year)
        assert row is not None
        group = members(session, cycle.id)
        if commune:  # a code or a name, matched as the board does; unknown: the nearest named
            member = board.resolve_filter(session, cycle, commune=commune).commune
        drawing = charts.timeline(plans.lines(session, cycle.id, member), row.start_date,
                                  row.end_date, today, lang(request))
    return page(request, "timeline.html", current, cycle=cycle, drawing=drawing, today=today,
                communes=board.menu(group.options) if group else [],
                member_label=group.label(lang(request)) if group else None,
                commune=member or "")
