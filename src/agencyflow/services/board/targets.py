"""The plan's targets measured from what agencies reported (see :mod:`agencyflow.domain.targets`).

Reads the ``done`` assignments of the plan's cycles — their outputs and their cycle's year — for the
steps the targets count, and evaluates them against the newest stored version of the plan. With a
``today`` in the past only assignments completed by then count, and with ``known_at`` only what
was recorded by then (completions, and outputs changed later, as of that moment), so ``--now``
shows the targets as they stood on that day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from agencyflow.dbapi import fetch
from agencyflow.domain.lifecycle import Status
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.targets import CompletedOutputs, PeriodResult, evaluate, plan_stars
from agencyflow.i18n import _
from agencyflow.services.board import asof
from agencyflow.services.plans import store as plans
from agencyflow.services.products import registry


@dataclass(frozen=True)
class TargetReport:
    """The plan the targets come from and one result per target period."""

    spec: PlanSpec
    plan_version: int
    results: list[PeriodResult]


#: ``{source}``: the assignments, or as known at a moment (:mod:`agencyflow.services.board.asof`).
COMPLETED_SQL = """SELECT c.year, a.step_id, a.outputs, a.completed_on
FROM {source} JOIN cycle c ON c.id = a.cycle_id
WHERE c.plan_key = :plan_key AND a.status = :done AND a.step_id IN ({steps})
  AND (a.completed_on IS NULL OR a.completed_on <= :today)
ORDER BY a.id"""


def completed_outputs(session: Session, plan_key: str, step_ids: set[str], *, today: date,
                      known_at: datetime | None = None) -> list[CompletedOutputs]:
    """Outputs of the done assignments of ``step_ids`` in the plan's cycles, completed by
    ``today`` and known at ``known_at`` (None: as stored), with their cycle's year."""
    if not step_ids:
        return []
    source, past = "assignment a", {}
    if known_at is not None and not asof.is_current(session, known_at):
        source, past = asof.source(session, ("status", "completed_on", "outputs")), \
            asof.params(known_at)
    steps = {f"step_{i}": s for i, s in enumerate(sorted(step_ids))}
    sql = COMPLETED_SQL.format(source=source, steps=", ".join(f":{k}" for k in steps))
    found = fetch(session, sql, {"plan_key": plan_key, "done": Status.DONE.value,
                                 "today": today, **steps, **past})
    return [CompletedOutputs(year, step_id, _outputs(outputs), _day(completed_on))
            for year, step_id, outputs, completed_on in found]


def _day(value: Any) -> date | None:
    """A stored date (a date, or ISO text from SQLite's raw rows)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _outputs(value: Any) -> dict[str, Any]:
    """Stored outputs (JSON text, or decoded already) as a dict."""
    if isinstance(value, str):
        value = json.loads(value)
    return value or {}


def report(session: Session, plan_key: str, *, today: date, actor: Actor,
           year: int | None = None, known_at: datetime | None = None) -> TargetReport:
    """Every target period of plan ``plan_key`` (only those covering ``year`` when given), from
    what was recorded by ``known_at`` (None: everything stored)."""
    require(actor, Action.READ, target=_("the targets of plan {key}").format(key=plan_key))
    version = plans.latest(session, plan_key)
    spec = plans.spec_of(version)
    steps = {s for t in spec.targets for s in t.indicator.steps}
    done = completed_outputs(session, plan_key, steps, today=today, known_at=known_at)
    results = evaluate(spec.targets, done, today=today, stars_of=plan_stars(spec), year=year,
                       registry=_registry(session, spec, known_at))
    return TargetReport(spec, version.version, results)


def _registry(session: Session, spec: PlanSpec, known_at: datetime | None
              ) -> list[CompletedOutputs]:
    """The registry's certificates (recorded by ``known_at``) when a target counts them."""
    if not any(t.cumulative and t.cumulative.valid_only for t in spec.targets):
        return []
    rows = registry.products(session, spec.key)
    if known_at is not None:
        rows = [r for r in rows if r.recorded_at <= known_at]
    return registry.as_outputs(rows, spec)
