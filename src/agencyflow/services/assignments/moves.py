"""Assignment use cases of the lead agency and the coordinator: one transaction each.

Every use case loads the assignment, checks the actor's permission
(:mod:`agencyflow.domain.permissions`), computes the new state with
:func:`agencyflow.domain.lifecycle.next_status`, writes with the optimistic version check of
:mod:`agencyflow.services.assignments.core` and appends one audit event (``assignment.<move>``,
before/after = the changed fields) in the caller's transaction. ``expected_version`` lets a user
say which version they acted on; a different stored version raises ConflictError.

- ``start``: open → in_progress. ``progress``: a note, partial figures and evidence; an open
  assignment moves to in_progress implicitly.
- ``complete`` (steps without review) and ``submit`` (steps with review) validate the step's
  outputs (:mod:`agencyflow.domain.outputs`; figures reported with ``progress`` count, the values
  given now win) and attach evidence. ``approve`` makes a submission done; ``reject`` sends it back
  to in_progress with a reason. Lateness of a reviewed step counts to its approval: the step is
  done when the coordinator accepts it (``submitted_at`` keeps the day it was handed in).
- Reaching done sets ``completed_at``/``completed_on`` (Vietnam date)/``completed_by``, opens
  the dependents (:mod:`agencyflow.services.assignments.dependents`) and tells the plan's
  coordinator (a
  ``completed`` notice, :mod:`agencyflow.services.reminders.event_notices`, in ``lang``).
- ``cancel`` (coordinator, reason required) withdraws pending extension requests and may unblock
  dependents whose other prerequisites are done.

The hand-ins and progress reports also come in batches (``progress_many``, ``complete_many``,
``submit_many``: a :class:`Report` per assignment, all checked, then written, one audit event
each, in the caller's transaction); the single-row use cases are batches of one, so both paths
keep one rule.

Extensions and reassignment live in :mod:`agencyflow.services.assignments.extensions`,
contributions in :mod:`agencyflow.services.assignments.contributions`, the read model in
:mod:`agencyflow.services.assignments.views`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.lifecycle import Move
from agencyflow.domain.permissions import Action, Actor
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.models import Assignment, ExtensionRequest
from agencyflow.services.assignments import acts, core, dependents, evidence
from agencyflow.services.assignments.acts import DEFAULT_MAX_BYTES, Report, done_fields
from agencyflow.services.assignments.rows import tx_of
from agencyflow.services.assignments.views import show
from agencyflow.services.products import registry

__all__ = ["Report", "Storage", "approve", "cancel", "complete", "complete_many", "progress",
           "progress_many", "reject", "show", "start", "submit", "submit_many"]

def start(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
          expected_version: int | None = None) -> Assignment:
    """The lead starts working: open → in_progress."""
    a = core.begin(session, assignment_id, actor, Action.START, expected_version)
    return acts.start(tx_of(session), a, actor=actor, now=now,
                      expected_version=expected_version, hooks=_hooks(session, actor, now))


@dataclass(frozen=True)
class Storage:
    """Where evidence files go and how large one may be (the CLI passes the settings')."""

    evidence_dir: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


def progress(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
             note: str | None = None, figures: Mapping[str, Any] | None = None,
             files: Sequence[Path] = (), links: Sequence[str] = (),
             evidence_dir: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
             expected_version: int | None = None) -> Assignment:
    """Report progress: a note, partial figures (validated, not required) and evidence.

    An open assignment moves to in_progress; an in-progress one stays.
    """
    report = Report(assignment_id, note, figures, files, links, expected_version)
    return progress_many(session, [report], actor=actor, now=now,
                         storage=Storage(evidence_dir, max_bytes))[0]


def progress_many(session: Session, reports: Sequence[Report], *, actor: Actor, now: datetime,
                  storage: Storage = Storage()) -> list[Assignment]:
    """:func:`progress` for many assignments in the caller's transaction: every row checked
    first, then written, one audit event each; the first refusal raises."""
    loaded = core.begin_many(session, [(r.assignment_id, r.expected_version) for r in reports],
                             actor, Action.PROGRESS)
    acts.progress(tx_of(session), loaded, reports, actor=actor, now=now,
                  hooks=_hooks(session, actor, now, storage))
    return loaded


def complete(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
             calendar: DayCounter, outputs: Mapping[str, Any] | None = None,
             files: Sequence[Path] = (), links: Sequence[str] = (), note: str | None = None,
             evidence_dir: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
             expected_version: int | None = None, lang: str = "vi") -> Assignment:
    """Finish a step without review: outputs validated, evidence attached, dependents opened,
    the coordinator told (in ``lang``)."""
    report = Report(assignment_id, note, outputs, files, links, expected_version)
    return complete_many(session, [report], actor=actor, now=now, calendar=calendar,
                         storage=Storage(evidence_dir, max_bytes), lang=lang)[0]


def complete_many(session: Session, reports: Sequence[Report], *, actor: Actor, now: datetime,
                  calendar: DayCounter, storage: Storage = Storage(), lang: str = "vi"
                  ) -> list[Assignment]:
    """:func:`complete` for many assignments (checked first, then written, in order)."""
    return _hand_in(session, Move.COMPLETE, Action.COMPLETE, reports, actor=actor, now=now,
                    calendar=calendar, storage=storage, lang=lang)


def submit(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
           calendar: DayCounter, outputs: Mapping[str, Any] | None = None,
           files: Sequence[Path] = (), links: Sequence[str] = (), note: str | None = None,
           evidence_dir: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
           expected_version: int | None = None) -> Assignment:
    """Hand a reviewed step in for the coordinator's review (outputs validated as for complete)."""
    report = Report(assignment_id, note, outputs, files, links, expected_version)
    return submit_many(session, [report], actor=actor, now=now, calendar=calendar,
                       storage=Storage(evidence_dir, max_bytes))[0]


def submit_many(session: Session, reports: Sequence[Report], *, actor: Actor, now: datetime,
                calendar: DayCounter, storage: Storage = Storage()) -> list[Assignment]:
    """:func:`submit` for many assignments (checked first, then written, in order)."""
    return _hand_in(session, Move.SUBMIT, Action.SUBMIT, reports, actor=actor, now=now,
                    calendar=calendar, storage=storage)


def _hand_in(session: Session, which: Move, action: Action, reports: Sequence[Report], *,
             actor: Actor, now: datetime, calendar: DayCounter, storage: Storage,
             lang: str = "vi") -> list[Assignment]:
    """Complete or submit (:func:`agencyflow.services.assignments.acts.hand_in`)."""
    loaded = core.begin_many(session, [(r.assignment_id, r.expected_version) for r in reports],
                             actor, action)
    acts.hand_in(tx_of(session), which, action, loaded, reports, actor=actor, now=now,
                 calendar=calendar, lang=lang, hooks=_hooks(session, actor, now, storage))
    return loaded


def _hooks(session: Session, actor: Actor, now: datetime, storage: Storage | None = None
           ) -> acts.Hooks:
    """What the moves of :mod:`~agencyflow.services.assignments.acts` ask of the full path:
    evidence stored, products registered, written values set on the model rows."""
    def attach(a: Assignment, r: Report) -> list[dict[str, Any]]:
        return _attach(session, a, actor, now, r, storage or Storage())

    def register(a: Assignment, spec: PlanSpec) -> None:
        registry.record_evaluation(session, a, spec, actor=actor, now=now)

    return acts.Hooks(attach=attach, register=register, apply=set_committed_value)


def approve(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
            calendar: DayCounter, reason: str | None = None,
            expected_version: int | None = None, lang: str = "vi") -> Assignment:
    """The coordinator accepts a submission: submitted → done; dependents open, the
    coordinator's ``completed`` notice is written (in ``lang``) unless it leads ``a``. Whoever
    submitted it cannot approve it (four eyes)."""
    a = core.load(session, assignment_id)
    core.authorise(actor, Action.APPROVE, a, author=core.submitter(session, a))
    core.check_version(a, expected_version)
    new = core.move(a, Move.APPROVE)
    before, after = core.write(session, a, {"status": new.value, **done_fields(actor, now)},
                               expected_version=expected_version)
    core.record(session, a, actor=actor, now=now, action=Action.APPROVE.value, before=before,
                after=after, reason=(reason or "").strip() or None)
    acts.finished(tx_of(session), a, actor=actor, now=now, calendar=calendar, lang=lang,
                  hooks=_hooks(session, actor, now))
    return a


def reject(session: Session, *, assignment_id: int, actor: Actor, now: datetime, reason: str,
           expected_version: int | None = None) -> Assignment:
    """The coordinator sends a submission back with a reason: submitted → in_progress."""
    a = core.begin(session, assignment_id, actor, Action.REJECT, expected_version)
    new = core.move(a, Move.REJECT)
    text = core.require_reason(reason, _("send assignment {label} back").format(
        label=core.label(a)))
    before, after = core.write(session, a, {"status": new.value, "submitted_at": None},
                               expected_version=expected_version)
    core.record(session, a, actor=actor, now=now, action=Action.REJECT.value, before=before,
                after=after, reason=text)
    return a


def cancel(session: Session, *, assignment_id: int, actor: Actor, now: datetime,
           calendar: DayCounter, reason: str, expected_version: int | None = None
           ) -> Assignment:
    """The coordinator withdraws an unfinished assignment, with a reason."""
    a = core.begin(session, assignment_id, actor, Action.CANCEL, expected_version)
    new = core.move(a, Move.CANCEL)
    text = core.require_reason(reason, _("cancel assignment {label}").format(
        label=core.label(a)))
    before, after = core.write(session, a, {"status": new.value},
                               expected_version=expected_version)
    after["withdrawn_extensions"] = _withdraw_extensions(session, a, actor, now)
    core.record(session, a, actor=actor, now=now, action=Action.CANCEL.value, before=before,
                after=after, reason=text)
    dependents.open_dependents(session, a, actor=actor, now=now, calendar=calendar)
    return a


def _attach(session: Session, a: Assignment, actor: Actor, now: datetime, r: Report,
            storage: Storage) -> list[dict[str, Any]]:
    """Attach ``r``'s evidence to ``a``; the list of what was added goes into the audit event."""
    if not (r.files or r.links):
        return []
    if r.files and storage.evidence_dir is None:
        raise ValidationError(_("no evidence directory is configured: cannot store files"))
    return evidence.attach(session, assignment_id=a.id or 0, files=r.files, links=r.links,
                           added_by=actor.username, now=now,
                           evidence_dir=storage.evidence_dir or Path(),
                           max_bytes=storage.max_bytes)


def _withdraw_extensions(session: Session, a: Assignment, actor: Actor, now: datetime
                         ) -> list[int]:
    """Mark the pending extension requests of a cancelled assignment ``withdrawn``."""
    pending = list(session.execute(select(col(ExtensionRequest.id)).where(
        col(ExtensionRequest.assignment_id) == a.id, col(ExtensionRequest.status) == "pending"))
        .scalars())
    if pending:
        session.execute(update(ExtensionRequest).where(col(ExtensionRequest.id).in_(pending))
                        .values(status="withdrawn", decided_by=actor.username, decided_at=now),
                        execution_options={"synchronize_session": False})
    return [i for i in pending if i is not None]
