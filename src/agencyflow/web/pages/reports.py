"""The progress report, downloadable (coordinator, leader): a form with the plan, the period,
the agency, the day the figures are taken on and the format; the file is made by
:func:`agencyflow.services.reports.produce.download` — the same report as ``agencyflow report``
and the monthly flow."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from agencyflow.domain.calendar import local_date
from agencyflow.domain.permissions import Action, require
from agencyflow.errors import NotFound, ValidationError
from agencyflow.i18n import _
from agencyflow.services import board, reports
from agencyflow.services import plans as plans_service
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.services.reports import FORMATS, download
from agencyflow.web.context import DB_SESSION, ctx, lang, user
from agencyflow.web.render import page

router = APIRouter()

#: The answer's Content-Type per format.
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


@router.get("/reports")
def form(request: Request, session: Session = DB_SESSION,
         current: Current = Depends(user)) -> Response:
    """The form (the newest cycle's plan and year filled in)."""
    require(current.actor, Action.REPORT, target="the reports")
    today = local_date(ctx(request).now())
    return _form(request, session, current, values={"period": str(today.year),
                                                    "as_of": today.isoformat(),
                                                    "format": "docx"})


@router.get("/reports/download")
def file(request: Request, plan: str = "", period: str = "", agency: str = "",
         as_of: str = "", format: str = "docx", session: Session = DB_SESSION,
         current: Current = Depends(user)) -> Response:
    """The report as a file (the form again, with the error next to its field, if a value is
    wrong)."""
    require(current.actor, Action.REPORT, target="the reports")
    values = {"plan": plan, "period": period, "agency": agency, "as_of": as_of,
              "format": format}
    field = "period"
    try:
        chosen = reports.parse_text(period)
        field = "as_of"
        day = _day(as_of) if as_of else local_date(ctx(request).now())
        field = "format"
        if format not in FORMATS:
            raise ValidationError(_("format {format!r}: one of {formats}").format(
                format=format, formats=", ".join(FORMATS)))
        field = "plan"
        made = download(session, ctx(request).settings, plan_key=plan, period=chosen,
                        today=day, actor=current.actor, calendar=ctx(request).calendar,
                        fmt=format, agency=agency or None, lang=lang(request),
                        known_at=board.known_at(day, ctx(request).now()))
    except (ValidationError, NotFound) as exc:
        return _form(request, session, current, status=422, values=values,
                     errors={field: str(exc)})
    return Response(made.content, media_type=MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="{made.filename()}"'})


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(_("as of {text!r}: write the day as YYYY-MM-DD").format(
            text=text)) from None


def _form(request: Request, session: Session, current: Current, *, values: dict[str, str],
          status: int = 200, errors: dict[str, str] | None = None) -> Response:
    cycles = plans_service.list_cycles(session)
    plans = sorted({c.plan_key for c in cycles})
    newest = max(cycles, key=lambda c: c.year, default=None)
    values.setdefault("plan", newest.plan_key if newest else "")
    return page(request, "reports.html", current, status=status, plans=plans, values=values,
                formats=FORMATS, errors=errors or {})
