"""Checks of a plan's shape in time and of its registry; see :mod:`plan_checks`.

- an explicit period must not end before it starts;
- a deadline that can be placed by date alone (``fixed_date``, ``month_end`` and ``quarter_end``
  with their month or quarter) must fall inside the plan period — never before its start nor
  after its end — and a full ``fixed_date`` of a yearly step only in a plan of one cycle;
- ``needs`` names prerequisites listed in ``depends_on``, and at most as many assignments as
  the prerequisite has; an ``on_demand`` step counts its deadline from when it opens;
- a target's date range lies inside the plan period, a baseline has the date it refers to;
- ``plan.registry`` names readable evaluation steps and an ``on_demand`` re-evaluation step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from agencyflow.domain.deadlines import Period, occurrence
from agencyflow.domain.plan_types import (
    AfterCycleStart,
    FixedDate,
    MonthEnd,
    OutputType,
    QuarterEnd,
    Recurrence,
)
from agencyflow.domain.plan_view import Issue, Path, PlanView
from agencyflow.i18n import _


def check_time(view: PlanView) -> Iterator[Issue]:
    """Every issue of the plan's period, deadlines against it, needs, targets and registry."""
    if view.span is not None and view.span[3] and view.span[1] > view.span[2]:
        yield view.span[0], _("period ends ({last}) before it starts ({first})").format(
            last=view.span[2], first=view.span[1])
    for path, step in view.steps:
        yield from _check_bounds((*path, "deadline"), step, view)
        yield from _check_needs(path, step, view)
    yield from _check_target_days(view)
    yield from _check_registry(view)


def _check_bounds(path: Path, step: Any, view: PlanView) -> Iterator[Issue]:
    """A deadline placed by date alone must fall inside the plan period."""
    rule, span = step.deadline, view.span
    if span is None or span[1] > span[2]:
        return
    _where, start, end, explicit = span
    if step.recurrence == Recurrence.ON_DEMAND:
        if not isinstance(rule, AfterCycleStart):
            yield (*path, "kind"), (_("an on_demand step's deadline is after_cycle_start "
                                      "(working days after it opens)"))
        return
    if isinstance(rule, FixedDate) and rule.date is not None:
        if step.recurrence == Recurrence.YEARLY and start.year != end.year and not explicit:
            yield (*path, "date"), (_("a yearly step's fixed_date repeats every year: give "
                                      "month and day (a full date is for once steps and one-off "
                                      "periods)"))
            return
        yield from _inside((*path, "date"), step.id, rule.date, start, end)
    elif explicit and step.recurrence in (Recurrence.ONCE, Recurrence.YEARLY):
        due = _placed(rule, Period("", start, end))
        if due is not None:
            yield from _inside(path, step.id, due, start, end)


def _placed(rule: Any, period: Period) -> date | None:
    """The calendar day a date-only rule gives in ``period`` (None: it needs more than dates)."""
    if isinstance(rule, FixedDate) and rule.month is not None and rule.day is not None:
        return occurrence(period, rule.month, rule.day)
    if isinstance(rule, MonthEnd) and rule.month is not None:
        return occurrence(period, rule.month)
    if isinstance(rule, QuarterEnd) and rule.quarter is not None:
        return occurrence(period, 3 * rule.quarter)
    return None


def _inside(path: Path, step_id: str, day: date, start: date, end: date) -> Iterator[Issue]:
    if day < start:
        yield path, _("step {step_id} would be due on {day}, before the period starts "
                      "({start})").format(step_id=step_id, day=day, start=start)
    elif day > end:
        yield path, _("step {step_id} would be due on {day}, after the period ends ({end})").format(
            step_id=step_id, day=day, end=end)


def _check_needs(path: Path, step: Any, view: PlanView) -> Iterator[Issue]:
    steps = {s.id: s for _, s in view.steps}
    for prereq, need in step.needs.items():
        here = (*path, "needs", prereq)
        if prereq not in step.depends_on:
            yield here, _('{prereq} is not listed in depends_on').format(prereq=repr(prereq))
        elif isinstance(need, int) and prereq in steps:
            found = steps[prereq]
            group = view.groups.get(found.fan_out or "")
            count = len(group[1].members) if group else (1 if found.lead else None)
            if count is not None and need > count:
                yield here, _("needs {need} assignments of {prereq}, which has only {count}"
                              ).format(need=need, prereq=prereq, count=count)


def _check_target_days(view: PlanView) -> Iterator[Issue]:
    span = view.span
    for path, first, last in view.target_days:
        if first > last:
            yield path, _("period ends ({last}) before it starts ({first})").format(
                last=last, first=first)
        elif span and span[1] <= span[2] and not span[1] <= first <= last <= span[2]:
            yield path, _("{first}..{last} is outside the plan period {start}..{end}").format(
                first=first, last=last, start=span[1], end=span[2])
    for path, target in view.targets:
        cumulative = target.cumulative
        if cumulative is None:
            continue
        here = (*path, "cumulative")
        if cumulative.baseline and cumulative.as_of is None and view.header_known \
                and view.reference_date is None:
            yield (*here, "as_of"), (_("a baseline needs the date it refers to: as_of, or the "
                                       "plan's reference_date"))
        if cumulative.valid_only and view.header_known and view.registry is None:
            yield (*here, "valid_only"), _("valid_only counts registry products: add "
                                           "plan.registry")
        elif cumulative.valid_only and view.registry is not None:
            registry = view.registry[1]
            if target.indicator.output != registry.output or \
                    not set(target.indicator.steps) <= set(registry.steps):
                yield (*here, "valid_only"), (_("valid_only counts registry products: the "
                                                "indicator must read the registry's steps and "
                                                "output"))


def _check_registry(view: PlanView) -> Iterator[Issue]:
    if view.registry is None:
        return
    path, registry = view.registry
    steps, known = {s.id: s for _, s in view.steps}, view.known("step")
    for j, sid in enumerate(registry.steps):
        if sid not in steps:
            if sid not in known:
                yield (*path, "steps", j), _('unknown step {step}').format(step=repr(sid))
            continue
        out = steps[sid].output(registry.output)
        if out is None or out.type != OutputType.LIST:
            yield (*path, "output"), _("step {sid} has no list output {output}").format(
                sid=sid, output=repr(registry.output))
        elif out.field("product") is None or not any(
                f.type == OutputType.SCORE for f in out.fields):
            yield (*path, "output"), (_("{output} of {sid} needs a product field and a score "
                                        "field to be a product evaluation").format(
                output=registry.output, sid=sid))
    again = steps.get(registry.reevaluation_step)
    if again is None:
        if registry.reevaluation_step not in known:
            yield (*path, "reevaluation_step"), _("unknown step {step}").format(
                step=repr(registry.reevaluation_step))
    elif again.recurrence != Recurrence.ON_DEMAND or again.fan_out is None:
        yield (*path, "reevaluation_step"), (_("step {id} must be recurrence: on_demand with a "
                                               "fan_out over the communes").format(id=again.id))
