"""Planning a cycle's move to a new plan version (and to successor agencies): pure, no database.

:func:`plan_migration` takes the cycle's assignments as :class:`Slot` snapshots and says what
must change, as operations the service applies in one transaction (and the dry run prints):

- an assignment that is done or cancelled is never touched;
- an unfinished assignment of a step the new version removed is **cancelled**, with the reason;
  so is one whose period or fan-out member the new version no longer has (unless a successor
  map hands the member's work to a member of the new group: then it is **carried**, same slot);
- an unfinished assignment of a kept step is **updated** where the new version or the successor
  map changes it: the lead (the plan's new lead when it was still the plan's old one — a
  reassignment made by hand is kept — then its successor), the cooperating agencies (the new
  version's list when it changed, then their successors), the due date when the deadline rule
  or recurrence changed (an extension already granted is kept when it is later), the title,
  clauses and review flag;
- a slot of the new version that no assignment covers is **created** (a new step, a new period,
  a new member that succeeds nobody); ``once`` steps done in an earlier cycle are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agencyflow.domain.deadlines import (
    DayCounter,
    Period,
    due_after_dependency,
    due_date,
    periods,
)
from agencyflow.domain.lifecycle import UNFINISHED, Status
from agencyflow.domain.plan_diff import DEADLINE_FIELDS, Change, changed_steps, diff_plans
from agencyflow.domain.plan_spec import PlanSpec, StepSpec
from agencyflow.domain.successors import SuccessorMap, remap


@dataclass(frozen=True)
class Slot:
    """What a migration needs to know of one stored assignment."""

    id: int
    step_id: str
    period: str
    member: str
    lead_code: str
    cooperating: tuple[str, ...]
    status: str
    due_original: date | None
    due_current: date | None
    opened_on: date | None
    title_vi: str
    title_en: str | None
    review: bool
    clauses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Update:
    """Change the fields ``changes`` of assignment ``slot``; ``why`` lists the causes."""

    slot: Slot
    changes: dict[str, Any]
    why: tuple[str, ...]


@dataclass(frozen=True)
class Cancel:
    """Cancel the unfinished assignment ``slot`` because of ``why``."""

    slot: Slot
    why: str


@dataclass(frozen=True)
class Create:
    """A new assignment of ``step_id`` for ``period`` (and fan-out ``member``)."""

    step_id: str
    period: Period
    member: str
    lead: str
    cooperating: tuple[str, ...]
    due: date | None
    waits: bool


@dataclass
class MigrationPlan:
    """Everything a migration does to the assignments (see the module docstring)."""

    changes: list[Change]
    updates: list[Update] = field(default_factory=list)
    cancels: list[Cancel] = field(default_factory=list)
    creates: list[Create] = field(default_factory=list)
    kept: int = 0


@dataclass(frozen=True)
class Context:
    """The inputs shared by every step of one migration."""

    old: PlanSpec
    new: PlanSpec
    succession: SuccessorMap | None
    year: int
    start: date
    calendar: DayCounter
    changed: dict[str, set[str]]


def _members(spec: PlanSpec, step: StepSpec) -> list[str]:
    return spec.members(step.fan_out) if step.fan_out else [""]


def _succ(ctx: Context, code: str, step: str, member: str) -> str | None:
    return ctx.succession.successor(code, step=step, member=member) if ctx.succession else None


def _lead(ctx: Context, slot: Slot, old: StepSpec, new: StepSpec, members: list[str]) -> str:
    """The lead after the migration (see the module docstring)."""
    planned_old = slot.member if old.fan_out else (old.lead or "")
    planned_new = slot.member if new.fan_out else (new.lead or "")
    if new.fan_out and slot.member not in members:
        planned_new = planned_old  # a carried member: its successor leads (below)
    lead = planned_new if slot.lead_code == planned_old else slot.lead_code
    return _succ(ctx, lead, slot.step_id, slot.member) or lead


def _due(ctx: Context, slot: Slot, new: StepSpec, period: Period) -> dict[str, Any]:
    """The due-date fields when the step's deadline rule or recurrence changed."""
    if not DEADLINE_FIELDS & ctx.changed.get(slot.step_id, set()):
        return {}
    if new.deadline.kind == "after_step":
        due = (due_after_dependency(new.deadline, slot.opened_on, ctx.calendar)
               if slot.opened_on and slot.status != Status.WAITING else None)
    else:
        due = due_date(new.deadline, period, ctx.calendar)
    if due == slot.due_original:
        return {}
    current = due
    if slot.due_current and slot.due_original and slot.due_current > slot.due_original and due:
        current = max(due, slot.due_current)  # an extension granted stays if it is later
    return {"due_original": due, "due_current": current}


def _fields(ctx: Context, slot: Slot, old: StepSpec, new: StepSpec, period: Period,
            members: list[str]) -> dict[str, Any]:
    changed = ctx.changed.get(slot.step_id, set())
    lead = _lead(ctx, slot, old, new, members)
    coop: Iterable[str] = new.cooperating if "cooperating" in changed else slot.cooperating
    if ctx.succession:
        coop = remap(coop, ctx.succession, step=slot.step_id, member=slot.member, lead=lead)
    out: dict[str, Any] = {"lead_code": lead, "cooperating": [c for c in coop if c != lead]}
    out |= _due(ctx, slot, new, period)
    if "title" in changed:
        out |= {"title_vi": new.title.vi, "title_en": new.title.en}
    if "clauses" in changed:
        out["clauses"] = list(new.clauses)
    if "review" in changed and slot.status != Status.SUBMITTED:
        out["review"] = new.review
    current = {"lead_code": slot.lead_code, "cooperating": list(slot.cooperating),
               "due_original": slot.due_original, "due_current": slot.due_current,
               "title_vi": slot.title_vi, "title_en": slot.title_en,
               "clauses": list(slot.clauses), "review": slot.review}
    return {k: v for k, v in out.items() if current[k] != v}


def _why(ctx: Context, slot: Slot, changes: dict[str, Any]) -> tuple[str, ...]:
    """Machine-readable causes of an update: ``successor`` and/or the changed plan fields."""
    causes = sorted(ctx.changed.get(slot.step_id, set()) & {
        "lead", "fan_out", "cooperating", "deadline", "recurrence", "title", "clauses", "review"})
    if ctx.succession and ("lead_code" in changes or "cooperating" in changes) and any(
            ctx.succession.entry(c) for c in (slot.lead_code, *slot.cooperating)):
        causes.insert(0, "successor")
    return tuple(causes)


def _existing(ctx: Context, out: MigrationPlan, old: StepSpec, new: StepSpec,
              slots: Sequence[Slot]) -> set[tuple[str, str]]:
    """Update, carry or cancel the step's assignments; return the slots they cover."""
    members = _members(ctx.new, new)
    by_label = {p.label: p for p in periods(new.recurrence.value, ctx.year, ctx.start)}
    covered: set[tuple[str, str]] = set()
    for slot in slots:
        member = slot.member
        if new.fan_out and member not in members:
            member = _succ(ctx, member, slot.step_id, member) or member
        if slot.period not in by_label or member not in members:
            if Status(slot.status) in UNFINISHED:
                why = "period" if slot.period not in by_label else "member"
                out.cancels.append(Cancel(slot, why))
            continue
        covered.add((slot.period, member))
        if Status(slot.status) not in UNFINISHED:
            out.kept += 1
            continue
        changes = _fields(ctx, slot, old, new, by_label[slot.period], members)
        if changes:
            out.updates.append(Update(slot, changes, _why(ctx, slot, changes)))
        else:
            out.kept += 1
    return covered


def _created(ctx: Context, step: StepSpec, covered: set[tuple[str, str]]) -> list[Create]:
    made = []
    for period in periods(step.recurrence.value, ctx.year, ctx.start):
        for member in _members(ctx.new, step):
            if (period.label, member) in covered:
                continue
            lead = member or step.lead or ""
            coop = [c for c in step.cooperating if c != lead]
            due = due_date(step.deadline, period, ctx.calendar)
            made.append(Create(step.id, period, member, lead, tuple(coop), due,
                               bool(step.depends_on)))
    return made


def plan_migration(old: PlanSpec, new: PlanSpec, slots: Sequence[Slot], *, year: int,
                   start: date, calendar: DayCounter, succession: SuccessorMap | None = None,
                   once_done: Iterable[str] = ()) -> MigrationPlan:
    """What moving a cycle of ``year`` (started on ``start``) from ``old`` to ``new`` does."""
    changes = diff_plans(old, new)
    ctx = Context(old, new, succession, year, start, calendar, changed_steps(changes))
    out = MigrationPlan(changes)
    by_step: dict[str, list[Slot]] = {}
    for slot in slots:
        by_step.setdefault(slot.step_id, []).append(slot)
    new_ids = {s.id for s in new.steps}
    for step_id, rows in by_step.items():
        if step_id not in new_ids:
            out.cancels += [Cancel(s, "step") for s in rows if Status(s.status) in UNFINISHED]
            out.kept += sum(1 for s in rows if Status(s.status) not in UNFINISHED)
    skip = set(once_done)
    old_ids = {s.id for s in old.steps}
    for step in new.steps_in_dependency_order():
        rows = by_step.get(step.id, [])
        before = old.step(step.id) if step.id in old_ids else step
        covered = _existing(ctx, out, before, step, rows) if rows else set()
        done_before = step.recurrence.value == "once" and step.id in skip and not rows
        if (rows or step.id not in old_ids) and not done_before:
            out.creates += _created(ctx, step, covered)
    return out
