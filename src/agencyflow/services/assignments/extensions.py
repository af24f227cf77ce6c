"""Extensions (gia hạn) and reassignment: the coordinator's changes to a running assignment.

- ``request_extension``: the lead asks for a later due date with a reason, before or after the
  deadline, while the assignment is open, in progress or submitted; one pending request at a time.
- ``decide_extension``: a coordinator or leader other than the requester (four eyes) approves
  (``due_current`` becomes the new date, ``due_original`` is kept: the plan's ``late_against``
  says which one lateness is measured against) or refuses with a reason; either way the lead
  is told (an ``extension_decided`` notice, :mod:`agencyflow.services.reminders.event_notices`).
- ``reassign``: a coordinator hands the assignment to another agency of the plan, with a reason;
  the new lead is removed from the cooperating agencies.

Every use case bumps the assignment's version (optimistic check), so two requests or two decisions
made at once cannot both win, and appends an audit event on the assignment. The reminder hooks
(:mod:`agencyflow.services.reminders.hooks`) keep the outbox consistent with the new date or lead.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import check_in_calendar
from agencyflow.domain.ids import storable
from agencyflow.domain.lifecycle import Status
from agencyflow.domain.permissions import Action, Actor
from agencyflow.errors import NotFound, TransitionError, ValidationError
from agencyflow.i18n import _
from agencyflow.labels import label as words
from agencyflow.models import Agency, Assignment, ExtensionRequest
from agencyflow.services.assignments import core
from agencyflow.services.reminders import event_notices
from agencyflow.services.reminders import hooks as reminder_hooks

#: States in which an extension may be requested or a lead changed.
RUNNING = (Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED)
UNFINISHED = (Status.WAITING, *RUNNING)


def request_extension(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
                      new_due: date, reason: str, expected_version: int | None = None
                      ) -> ExtensionRequest:
    """The lead asks to move the due date to ``new_due`` (later than the current one)."""
    a = core.begin(session, assignment_id, actor, Action.EXTEND, expected_version)
    core.require_state(a, RUNNING, _("request an extension"))
    text = core.require_reason(reason, _("request an extension of assignment {label}").format(
        label=core.label(a)))
    check_in_calendar(new_due, _("the new due date"))
    if a.due_current is not None and new_due <= a.due_current:
        raise ValidationError(_(
            "assignment {label} is due {due}: an extension must ask for a later date, not {day}"
        ).format(label=core.label(a), due=f"{a.due_current:%d/%m/%Y}", day=f"{new_due:%d/%m/%Y}"))
    if (pending := pending_request(session, assignment_id)) is not None:
        raise ValidationError(_(
            "assignment {label} already has a pending extension request #{id} (to {day}): wait "
            "for the decision").format(label=core.label(a), id=pending.id,
                                       day=f"{pending.new_due:%d/%m/%Y}"))
    before, after = core.write(session, a, {}, expected_version=expected_version)
    ext = ExtensionRequest(assignment_id=assignment_id, requested_by=actor.username,
                           requested_at=now, old_due=a.due_current or new_due, new_due=new_due,
                           reason=text)
    session.add(ext)
    session.flush()
    after |= {"extension": ext.id, "due_current": a.due_current, "requested_due": new_due}
    core.record(session, a, actor=actor, now=now, action=Action.EXTEND.value, before=before,
                after=after, reason=text)
    return ext


def pending_request(session: Session, assignment_id: int) -> ExtensionRequest | None:
    """The pending extension request of an assignment, if any."""
    stmt = select(ExtensionRequest).where(col(ExtensionRequest.assignment_id) == assignment_id,
                                          col(ExtensionRequest.status) == "pending")
    return session.execute(stmt).scalars().first()


def decide_extension(session: Session, *, extension_id: int, actor: Actor, now: datetime,
                     approve: bool, reason: str | None = None,
                     expected_version: int | None = None, lang: str = "vi"
                     ) -> ExtensionRequest:
    """Approve (the due date moves) or refuse (a reason is required) a pending request; the
    lead's ``extension_decided`` notice is written in ``lang`` (the site's language). Whoever
    requested it cannot decide it (four eyes)."""
    ext = (session.get(ExtensionRequest, extension_id, populate_existing=True)
           if storable(extension_id) else None)
    if ext is None:
        raise NotFound(_("extension request {id} does not exist").format(id=extension_id))
    a = core.begin(session, ext.assignment_id, actor, Action.DECIDE, expected_version,
                   author=ext.requested_by)
    if ext.status != "pending":
        raise TransitionError(_("extension request {id} of assignment {label} is {status} "
                                "already: it cannot be decided again").format(
            id=extension_id, label=core.label(a), status=words("extension", ext.status)))
    text = (reason or "").strip() or None
    if not approve:
        text = core.require_reason(reason, _("refuse extension request {id}").format(
            id=extension_id))
    if approve:  # a request stored before dates were bounded
        check_in_calendar(ext.new_due, _("extension request {id} asks for").format(
            id=extension_id))
    changes = {"due_current": ext.new_due} if approve else {}
    before, after = core.write(session, a, changes, expected_version=expected_version)
    ext.status = "approved" if approve else "refused"
    ext.decided_by, ext.decided_at, ext.decision_reason = actor.username, now, text
    session.add(ext)
    session.flush()
    before["extension_status"] = "pending"
    after |= {"extension": ext.id, "extension_status": ext.status}
    core.record(session, a, actor=actor, now=now, action=Action.DECIDE.value, before=before,
                after=after, reason=text)
    if approve:
        reminder_hooks.on_due_changed(session, a, now)
    event_notices.extension_decided(session, a, ext, now=now, lang=lang)
    return ext


def reassign(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
             new_lead: str, reason: str, expected_version: int | None = None) -> Assignment:
    """Hand an unfinished assignment to ``new_lead`` (an agency of the plan), with a reason."""
    a = core.begin(session, assignment_id, actor, Action.REASSIGN, expected_version)
    core.require_state(a, UNFINISHED, _("reassign"))
    text = core.require_reason(reason, _("reassign assignment {label}").format(
        label=core.label(a)))
    code = new_lead.strip()
    if code == a.lead_code:
        raise ValidationError(_("assignment {label} is already led by {code}").format(
            label=core.label(a), code=code))
    _require_agency(session, a.plan_key, code)
    old_lead = a.lead_code
    changes = {"lead_code": code, "cooperating": [c for c in a.cooperating if c != code]}
    before, after = core.write(session, a, changes, expected_version=expected_version)
    core.record(session, a, actor=actor, now=now, action=Action.REASSIGN.value, before=before,
                after=after, reason=text)
    reminder_hooks.on_lead_changed(session, a, now, old_lead=old_lead)
    return a


def _require_agency(session: Session, plan_key: str, code: str) -> None:
    """ValidationError unless ``code`` is an agency of the plan ``plan_key``."""
    found = session.execute(select(col(Agency.id)).where(
        col(Agency.plan_key) == plan_key, col(Agency.code) == code)).first()
    if found is None:
        raise ValidationError(_("\"{code}\" is not an agency of plan {plan}").format(
            code=code, plan=plan_key))
