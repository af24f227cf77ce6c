"""Carrying out the script's acts with the real use cases, as the right user.

Each act runs in the caller's transaction through :mod:`agencyflow.services.assignments.moves` or
:mod:`agencyflow.services.assignments.extensions`: the same permission checks, lifecycle moves and
audit
events as the CLI. The lead's officer (or the coordinator for communes without one) starts,
completes, submits and asks for extensions; the coordinator reviews and grants; the leader
refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session

from agencyflow.demo import cast
from agencyflow.demo.outputs import outputs_for
from agencyflow.demo.script import EXTENSIONS, REWORK_REASON, Act, Script, Work
from agencyflow.domain.calendar import WorkingCalendar, local_date
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.errors import NotFound
from agencyflow.i18n import _
from agencyflow.models import Assignment
from agencyflow.services import assignments


@dataclass(frozen=True)
class Context:
    """What every act needs: the plan, the calendar, the script (for extension dates) and the
    language of the notices the use cases write (completions, extension decisions)."""

    spec: PlanSpec
    calendar: WorkingCalendar
    script: Script
    lang: str = "vi"


Handler = Callable[[Context, Session, Work, datetime], "Assignment | object"]


def _start(ctx: Context, session: Session, w: Work, now: datetime) -> Assignment:
    return assignments.start(session, assignment_id=w.id, actor=cast.acting_for(w.lead), now=now)


def _hand_in(ctx: Context, session: Session, w: Work, now: datetime) -> Assignment:
    use_case = (assignments.submit if w.review
                else partial(assignments.complete, lang=ctx.lang))
    outputs = outputs_for(ctx.spec.step(w.step_id), lead=w.lead, label=w.label,
                          day=local_date(now))
    return use_case(session, assignment_id=w.id, actor=cast.acting_for(w.lead), now=now,
                    calendar=ctx.calendar, outputs=outputs,
                    links=[f"https://ocop.kimthanh.example.vn/{now.year}/{w.id}.pdf"])


def _approve(ctx: Context, session: Session, w: Work, now: datetime) -> Assignment:
    return assignments.approve(session, assignment_id=w.id, actor=cast.actor(cast.COORDINATOR),
                               now=now, calendar=ctx.calendar, lang=ctx.lang)


def _reject(ctx: Context, session: Session, w: Work, now: datetime) -> Assignment:
    return assignments.reject(session, assignment_id=w.id, actor=cast.actor(cast.COORDINATOR),
                              now=now, reason=REWORK_REASON)


def _extend(ctx: Context, session: Session, w: Work, now: datetime) -> object:
    return assignments.request_extension(
        session, assignment_id=w.id, actor=cast.acting_for(w.lead), now=now,
        new_due=ctx.script.new_due(w), reason=EXTENSIONS[w.label].reason)


def _decide(ctx: Context, session: Session, w: Work, now: datetime) -> object:
    ext = EXTENSIONS[w.label]
    pending = assignments.pending_request(session, w.id)
    if pending is None:
        raise NotFound(_("no pending extension request for assignment {id} ({label})").format(
            id=w.id, label=w.label))
    decider = cast.COORDINATOR if ext.granted else cast.LEADER
    return assignments.decide_extension(session, extension_id=pending.id or 0,
                                        actor=cast.actor(decider), now=now, approve=ext.granted,
                                        reason=ext.refusal, lang=ctx.lang)


HANDLERS: dict[Act, Handler] = {
    Act.START: _start, Act.COMPLETE: _hand_in, Act.SUBMIT: _hand_in, Act.APPROVE: _approve,
    Act.REJECT: _reject, Act.EXTEND: _extend, Act.GRANT: _decide, Act.REFUSE: _decide,
}


def perform(ctx: Context, session: Session, w: Work, act: Act, now: datetime) -> object:
    """Carry out ``act`` on ``w`` at ``now``; return what the use case returned."""
    return HANDLERS[act](ctx, session, w, now)
