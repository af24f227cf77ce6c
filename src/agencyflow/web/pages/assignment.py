"""The assignment page and its moves: every form posts to ``/assignments/{id}/{move}``, each move
calls its use case (the rules are there), a success goes back to the page (303), and a refused
input comes back as the page with the problem next to its field and the values kept (422)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from agencyflow.domain.calendar import parse_date
from agencyflow.domain.permissions import Action
from agencyflow.errors import AgencyflowError, CalendarError, NotFound, ValidationError
from agencyflow.i18n import _
from agencyflow.services import assignments
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web import forms
from agencyflow.web.context import DB_SESSION, WebContext, csrf, ctx, user
from agencyflow.web.render import page
from agencyflow.web.uploads import uploaded

router = APIRouter()

#: URL name of each move → its action.
MOVES = {a.value.removeprefix("assignment."): a for a in assignments.MOVES}
#: Moves whose form carries the step's outputs (complete/submit: all; progress: partial).
WITH_OUTPUTS = {Action.PROGRESS: True, Action.COMPLETE: False, Action.SUBMIT: False,
                Action.CONTRIBUTE: True}


@router.get("/assignments/{assignment_id}")
def show(request: Request, assignment_id: int, done: str | None = None,
         session: Session = DB_SESSION, current: Current = Depends(user)) -> Response:
    """Everything about one assignment, and the forms of the moves the viewer may make."""
    return _page(request, session, current, assignment_id, done=done)


def _page(request: Request, session: Session, current: Current, assignment_id: int, *,
          status: int = 200, open_move: str | None = None, outputs: forms.OutputsForm | None = None,
          errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
          done: str | None = None) -> Response:
    web = ctx(request)
    data = assignments.show(session, assignment_id, current.actor, now=web.now(),
                            calendar=web.calendar)
    spec, step = assignments.step_of(session, assignment_id, current.actor)
    moves = [m.value.removeprefix("assignment.")
             for m in assignments.available(session, assignment_id, current.actor)]
    stored = forms.from_stored(step.outputs, data["assignment"]["outputs"])
    blank = forms.from_stored(step.outputs, None)
    pending = next((e for e in data["extensions"] if e["status"] == "pending"), None)
    agencies = (assignments.plan_agencies(session, assignment_id)
                if "reassign" in moves else [])
    return page(request, "assignment.html", current, status=status, d=data, step=step,
                spec=spec, moves=moves, outputs=outputs or stored, stored_outputs=stored,
                blank_outputs=blank,
                errors=errors or {},
                values=values or {}, open_move=open_move, pending=pending, agencies=agencies,
                notices=assignments.notices_for(session, assignment_id, current.actor),
                done=done, max_bytes=web.settings.evidence_max_bytes)


@router.post("/assignments/{assignment_id}/{move}")
async def act(request: Request, assignment_id: int, move: str, session: Session = DB_SESSION,
              current: Current = Depends(user), form: FormData = Depends(csrf)) -> Response:
    """Make one move; back to the page, or the page with the problems."""
    action = MOVES.get(move)
    if action is None:
        raise NotFound(_("no move {move!r}").format(move=move))
    assignments.authorise(session, assignment_id, current.actor, action)
    web = ctx(request)
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    outputs_form: forms.OutputsForm | None = None
    given: dict[str, Any] = {}
    if action in WITH_OUTPUTS:
        spec, step = assignments.step_of(session, assignment_id, current.actor)
        more = typed.get("more")
        outputs_form, given = forms.parse(step.outputs, form, more=more)
        errors = {} if more else forms.field_errors(
            outputs_form, given, stars_for=spec.stars_for, partial=WITH_OUTPUTS[action])
        outputs_form.errors = errors
        if more or errors:
            return _page(request, session, current, assignment_id, status=200 if more else 422,
                         open_move=move, outputs=outputs_form, errors=errors, values=typed)
    try:
        with uploaded(form, "evidence", web.settings.evidence_max_bytes) as files:
            _MOVES[action](session, web, current, assignment_id, typed, given, files)
    except (ValidationError, CalendarError) as exc:
        session.rollback()
        return _page(request, session, current, assignment_id, status=422, open_move=move,
                     outputs=outputs_form, errors={"_form": str(exc)}, values=typed)
    return RedirectResponse(f"/assignments/{assignment_id}?done={move}", status_code=303)


def _version(typed: dict[str, str]) -> int | None:
    text = typed.get("version", "")
    return int(text) if text.isdigit() else None


def _evidence(web: WebContext, typed: dict[str, str], files: list[Any]) -> dict[str, Any]:
    links = [line.strip() for line in typed.get("links", "").splitlines() if line.strip()]
    return {"files": files, "links": links, "evidence_dir": web.settings.resolved_evidence_dir(),
            "max_bytes": web.settings.evidence_max_bytes}


Mover = Callable[[Session, WebContext, Current, int, dict[str, str], dict[str, Any], list[Any]],
                 Any]


def _start(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
           g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.start(s, assignment_id=i, actor=c.actor, now=w.now(),
                             expected_version=_version(t))


def _progress(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
              g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.progress(s, assignment_id=i, actor=c.actor, now=w.now(),
                                note=t.get("note"), figures=g or None,
                                expected_version=_version(t), **_evidence(w, t, f))


def _complete(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
              g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.complete(s, assignment_id=i, actor=c.actor, now=w.now(),
                                calendar=w.calendar, outputs=g, note=t.get("note"),
                                expected_version=_version(t), lang=w.settings.language,
                                **_evidence(w, t, f))


def _submit(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
            g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.submit(s, assignment_id=i, actor=c.actor, now=w.now(),
                              calendar=w.calendar, outputs=g, note=t.get("note"),
                              expected_version=_version(t), **_evidence(w, t, f))


def _approve(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
             g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.approve(s, assignment_id=i, actor=c.actor, now=w.now(),
                               calendar=w.calendar, reason=t.get("reason"),
                               expected_version=_version(t), lang=w.settings.language)


def _reject(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
            g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.reject(s, assignment_id=i, actor=c.actor, now=w.now(),
                              reason=t.get("reason", ""), expected_version=_version(t))


def _cancel(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
            g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.cancel(s, assignment_id=i, actor=c.actor, now=w.now(),
                              calendar=w.calendar, reason=t.get("reason", ""),
                              expected_version=_version(t))


def _extend(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
            g: dict[str, Any], f: list[Any]) -> Any:
    text = t.get("new_due", "").strip()
    if not text:
        raise ValidationError(_("give the new due date (dd/mm/yyyy)"))
    return assignments.request_extension(s, assignment_id=i, actor=c.actor, now=w.now(),
                                         new_due=parse_date(text), reason=t.get("reason", ""),
                                         expected_version=_version(t))


def _decide(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
            g: dict[str, Any], f: list[Any]) -> Any:
    ext = t.get("extension", "")
    if not ext.isdigit() or t.get("decision") not in ("approve", "refuse"):
        raise ValidationError(_("choose approve or refuse"))
    return assignments.decide_extension(s, extension_id=int(ext), actor=c.actor, now=w.now(),
                                        approve=t["decision"] == "approve",
                                        reason=t.get("reason"), expected_version=_version(t),
                                        lang=w.settings.language)


def _reassign(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
              g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.reassign(s, assignment_id=i, actor=c.actor, now=w.now(),
                                new_lead=t.get("new_lead", ""), reason=t.get("reason", ""),
                                expected_version=_version(t))


def _contribute(s: Session, w: WebContext, c: Current, i: int, t: dict[str, str],
                g: dict[str, Any], f: list[Any]) -> Any:
    return assignments.contribute(s, assignment_id=i, actor=c.actor, now=w.now(),
                                  comment=t.get("comment"), figures=g or None,
                                  agency_code=t.get("agency") or None, **_evidence(w, t, f))


_MOVES: dict[Action, Mover] = {
    Action.START: _start, Action.PROGRESS: _progress, Action.COMPLETE: _complete,
    Action.SUBMIT: _submit, Action.APPROVE: _approve, Action.REJECT: _reject,
    Action.CANCEL: _cancel, Action.EXTEND: _extend, Action.DECIDE: _decide,
    Action.REASSIGN: _reassign, Action.CONTRIBUTE: _contribute,
}


@router.get("/evidence/{evidence_id}")
def download(request: Request, evidence_id: int, session: Session = DB_SESSION,
             current: Current = Depends(user)) -> Response:
    """An evidence file, as an attachment with the type it was stored with (never sniffed:
    ``X-Content-Type-Options: nosniff`` on every answer)."""
    found = assignments.evidence_file(session, evidence_id, current.actor,
                                      ctx(request).settings.resolved_evidence_dir())
    return FileResponse(found.path, media_type=found.content_type, filename=found.filename,
                        content_disposition_type="attachment")


__all__ = ["AgencyflowError", "router"]
