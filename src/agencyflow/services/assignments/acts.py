"""The lead's moves as SQL text — start, progress, complete, submit — for the full path and the
CLI's quick writes alike.

:mod:`agencyflow.services.assignments.moves` (a session, model rows) and
:mod:`agencyflow.services.assignments.quick` (a plain DBAPI connection, no SQLAlchemy imported)
run these same functions on the assignments they loaded, so every rule and statement of a move
has one implementation. What only the full path can do is passed in as :class:`Hooks`: storing
evidence files, registering rated products. The quick path's hooks raise :class:`FullPath`, and
the caller rolls back and runs the move on the full path instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from agencyflow.domain.calendar import local_date
from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.lifecycle import Move, Status
from agencyflow.domain.outputs import strip_derived, validate_outputs
from agencyflow.domain.permissions import Action, Actor
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.services.assignments import dependents, rows
from agencyflow.services.assignments.rows import Apply, Event, Tx
from agencyflow.services.reminders import event_notices

#: Default size limit of one evidence file (the CLI passes ``Settings.evidence_max_bytes``).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class FullPath(Exception):  # noqa: N818 - a signal, not an error anyone sees
    """This move needs what only the full path does (evidence files, the product registry):
    roll the transaction back and run it there."""


@dataclass(frozen=True)
class Report:
    """What a lead reports on one assignment, one row of a batch: a note, figures
    (``outputs``) and evidence, acting on ``expected_version`` when given."""

    assignment_id: int
    note: str | None = None
    outputs: Mapping[str, Any] | None = None
    files: Sequence[Path] = ()
    links: Sequence[str] = ()
    expected_version: int | None = None


def _no_evidence(_a: Any, r: Report) -> list[dict[str, Any]]:
    if r.files or r.links:
        raise FullPath
    return []


def _no_registry(a: Any, spec: PlanSpec) -> None:
    if spec.registry is not None and a.step_id in spec.registry.steps:
        raise FullPath


@dataclass(frozen=True)
class Hooks:
    """What a move asks of its path: attach a report's evidence (returning what the audit event
    lists), register the products a finished assignment rated, and set a written value on the
    object that carries the assignment."""

    attach: Callable[[Any, Report], list[dict[str, Any]]] = _no_evidence
    register: Callable[[Any, PlanSpec], None] = _no_registry
    apply: Apply = setattr


def start(tx: Tx, a: Any, *, actor: Actor, now: datetime, expected_version: int | None,
          hooks: Hooks = Hooks()) -> Any:
    """The lead starts working on the loaded, authorised ``a``: open → in_progress."""
    new = rows.move(a, Move.START)
    [(before, after)] = rows.write_many(
        tx, [(a, {"status": new.value, "started_at": now}, expected_version)], hooks.apply)
    rows.record_many(tx, [Event(a, actor, now, Action.START.value, before, after)], hooks.apply)
    return a


def hand_in(tx: Tx, which: Move, action: Action, loaded: Sequence[Any],
            reports: Sequence[Report], *, actor: Actor, now: datetime, calendar: DayCounter,
            lang: str = "vi", hooks: Hooks = Hooks()) -> Sequence[Any]:
    """Complete or submit the ``loaded`` (authorised) assignments with their ``reports``:
    validate outputs, write, attach evidence, audit, then what reaching done does."""
    _report(tx, action, loaded, reports, lambda a, r: _hand_in_changes(tx, a, r, which, actor, now),
            actor=actor, now=now, hooks=hooks)
    for a in loaded:
        if Status(a.status) is Status.DONE:
            finished(tx, a, actor=actor, now=now, calendar=calendar, lang=lang, hooks=hooks)
    return loaded


def progress(tx: Tx, loaded: Sequence[Any], reports: Sequence[Report], *, actor: Actor,
             now: datetime, hooks: Hooks = Hooks()) -> Sequence[Any]:
    """Report progress on the ``loaded`` (authorised) assignments: a note, partial figures
    (validated, not required) and evidence; an open assignment moves to in_progress."""
    _report(tx, Action.PROGRESS, loaded, reports,
            lambda a, r: _progress_changes(tx, a, r, now), actor=actor, now=now, hooks=hooks)
    return loaded


def _report(tx: Tx, action: Action, loaded: Sequence[Any], reports: Sequence[Report],
            changes: Callable[[Any, Report], dict[str, Any]], *, actor: Actor, now: datetime,
            hooks: Hooks) -> None:
    """Every row's ``changes`` checked and written in order, then one audit event each, with
    the evidence attached."""
    written = rows.write_many(tx, [(a, changes(a, r), r.expected_version)
                                   for a, r in zip(loaded, reports, strict=True)], hooks.apply)
    rows.record_many(tx, [
        Event(a, actor, now, action.value, before, after | {"evidence": hooks.attach(a, r)})
        for a, r, (before, after) in zip(loaded, reports, written, strict=True)], hooks.apply)


def _progress_changes(tx: Tx, a: Any, r: Report, now: datetime) -> dict[str, Any]:
    text = (r.note or "").strip()
    if not (text or r.outputs or r.files or r.links):
        raise ValidationError(_("a progress report needs a note, figures or evidence"))
    changes: dict[str, Any] = {}
    if Status(a.status) is Status.OPEN:
        changes |= {"status": rows.move(a, Move.START).value, "started_at": now}
    else:
        rows.require_state(a, [Status.IN_PROGRESS], _("report progress"))
    if text:
        changes["note"] = text
    if r.outputs:
        changes["outputs"] = outputs(tx, a, r.outputs, partial=True)
    return changes


def _hand_in_changes(tx: Tx, a: Any, r: Report, which: Move, actor: Actor, now: datetime
                     ) -> dict[str, Any]:
    new = rows.move(a, which)
    changes: dict[str, Any] = {"status": new.value,
                               "outputs": outputs(tx, a, r.outputs or {}, partial=False)}
    if (r.note or "").strip():
        changes["note"] = (r.note or "").strip()
    if a.started_at is None:
        changes["started_at"] = now
    return changes | (done_fields(actor, now) if new is Status.DONE else {"submitted_at": now})


def finished(tx: Tx, a: Any, *, actor: Actor, now: datetime, calendar: DayCounter, lang: str,
             hooks: Hooks = Hooks()) -> None:
    """What every path to done does next: register the products it rated (a registry step's),
    open the dependents, tell the coordinator (in ``lang``)."""
    hooks.register(a, rows.spec_for(tx, a))
    dependents.open_dependents(tx, a, actor=actor, now=now, calendar=calendar)
    event_notices.completed(tx.conn, a, now=now, lang=lang)


def done_fields(actor: Actor, now: datetime) -> dict[str, Any]:
    """The fields reaching done sets."""
    return {"completed_at": now, "completed_on": local_date(now), "completed_by": actor.username}


def outputs(tx: Tx, a: Any, given: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Stored figures merged with ``given`` (given wins), validated against the step."""
    spec, step = rows.step_of(tx, a)
    merged = strip_derived(step.outputs, a.outputs or {}) | dict(given)
    return validate_outputs(step.outputs, merged, stars_for=spec.stars_for, partial=partial)
