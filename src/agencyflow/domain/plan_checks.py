"""Graph and cross-reference checks of a plan, shared by the file loader and :class:`PlanSpec`.

The checks read a :class:`PlanView` — the parts of a plan with the path each part has in its source
(the plan file, or the spec's own fields) — and return every issue as ``(path, message)``. The
loader turns paths into file positions; a spec built in code joins them into one error.
Targets and rating bands are checked in :mod:`agencyflow.domain.plan_checks_targets`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agencyflow.domain.plan_checks_targets import check_rating, check_targets
from agencyflow.domain.plan_checks_time import check_time
from agencyflow.domain.plan_types import (
    AfterStep,
    FixedDate,
    MonthEnd,
    OutputSpec,
    OutputType,
    QuarterEnd,
    Recurrence,
)
from agencyflow.domain.plan_view import (
    GROUP_REF,
    Issue,
    Path,
    PlanView,
    duplicates,
)

if TYPE_CHECKING:
    from agencyflow.domain.plan_parts import StepBase

def check_view(view: PlanView) -> list[Issue]:
    """Every cross-reference and graph issue of ``view``."""
    issues = list(_check_header(view))
    issues += _check_agencies(view)
    issues += _check_groups(view)
    issues += _check_steps(view)
    issues += _check_cycles(view)
    issues += _check_policies(view)
    issues += check_targets(view)
    issues += check_rating(view)
    issues += _check_clauses(view)
    issues += check_time(view)
    return issues


def _check_clauses(view: PlanView) -> Iterator[Issue]:
    """A labelled clause must be cited by some step or target (else it is a typo)."""
    if view.ghosts.get("step") or view.ghosts.get("target"):
        return  # an unreadable step or target may be the one citing it
    cited = {c for _, s in view.steps for c in s.clauses}
    cited |= {c for _, t in view.targets for c in t.clauses}
    for path, clause in view.clauses:
        if clause not in cited:
            yield path, f"clause {clause!r} is cited by no step or target"


def _agency_codes(view: PlanView) -> set[str]:
    return view.known("agency")




def _check_header(view: PlanView) -> Iterator[Issue]:
    codes = _agency_codes(view)
    for item, role in ((view.leader, "leader"), (view.coordinator, "coordinator")):
        if item and item[1] not in codes:
            yield item[0], f"unknown agency {item[1]!r} as plan {role}"
    explicit = view.span is not None and view.span[3]  # its dates are checked instead
    if view.period and view.period[1] > view.period[2] and not explicit:  # targets skip theirs
        yield view.period[0], f"period ends ({view.period[2]}) before it starts ({view.period[1]})"


def _check_agencies(view: PlanView) -> Iterator[Issue]:
    yield from duplicates([((*p, "code"), a.code) for p, a in view.agencies], "agency code")
    parents = {a.code: a.parent for _, a in view.agencies}
    for path, agency in view.agencies:
        if agency.parent is None:
            continue
        if agency.parent not in parents:
            yield (*path, "parent"), f"unknown agency {agency.parent!r}"
            continue
        seen: set[str] = {agency.code}
        code: str | None = agency.parent
        while code is not None and code not in seen:
            seen.add(code)
            code = parents.get(code)
        if code == agency.code:
            yield (*path, "parent"), f"agency {agency.code} is its own ancestor"


def _check_groups(view: PlanView) -> Iterator[Issue]:
    codes = _agency_codes(view)
    for name, (path, group) in view.groups.items():
        members = [((*path, "members", j), m) for j, m in enumerate(group.members)]
        yield from duplicates(members, f"member of group {name}:")
        for mpath, member in members:
            if member not in codes:
                yield mpath, f"unknown agency {member!r}"


def _check_steps(view: PlanView) -> Iterator[Issue]:
    yield from duplicates([((*p, "id"), s.id) for p, s in view.steps], "step id")
    ids = view.known("step")
    for path, step in view.steps:
        yield from _check_parties(view, path, step)
        deps = [((*path, "depends_on", j), d) for j, d in enumerate(step.depends_on)]
        yield from duplicates(deps, "dependency")
        for dpath, dep in deps:
            if dep == step.id:
                yield dpath, "a step cannot depend on itself"
            elif dep not in ids:
                yield dpath, f"unknown step {dep!r}"
        yield from _check_deadline((*path, "deadline"), step)
        yield from check_outputs((*path, "outputs"), step.outputs, nested=False)


def _check_parties(view: PlanView, path: Path, step: StepBase) -> Iterator[Issue]:
    codes, groups = _agency_codes(view), view.known("group")
    if step.lead is not None and step.fan_out is not None:
        yield (*path, "fan_out"), "give either lead or fan_out, not both"
    elif step.lead is None and step.fan_out is None:
        yield (*path, "lead"), "a step needs a lead agency (lead) or a group to fan out over"
    if step.lead is not None and step.lead not in codes:
        yield (*path, "lead"), f"unknown agency {step.lead!r}"
    if step.fan_out is not None and step.fan_out not in groups:
        yield (*path, "fan_out"), f"unknown group {step.fan_out!r}"
    for j, ref in enumerate(getattr(step, "cooperating", [])):
        if ref.startswith(GROUP_REF) and ref[len(GROUP_REF) :] not in groups:
            yield (*path, "cooperating", j), f"unknown group {ref[len(GROUP_REF) :]!r}"
        elif not ref.startswith(GROUP_REF) and ref not in codes:
            yield (*path, "cooperating", j), f"unknown agency {ref!r}"


def _check_deadline(path: Path, step: StepBase) -> Iterator[Issue]:
    rule, rec = step.deadline, step.recurrence
    period_kinds = (Recurrence.ONCE, Recurrence.YEARLY)
    if isinstance(rule, AfterStep) and rule.step not in step.depends_on:
        yield (*path, "step"), f"after_step {rule.step!r} must also be listed in depends_on"
    elif isinstance(rule, FixedDate):
        if rec not in period_kinds:
            yield (*path, "kind"), f"fixed_date cannot be used by a {rec.value} step"
        elif rule.month is not None and rule.day is not None and \
                rule.day > calendar.monthrange(2001, rule.month)[1]:
            yield (*path, "day"), f"{rule.day}/{rule.month} is not a date in every year"
    elif isinstance(rule, MonthEnd):
        if rec == Recurrence.QUARTERLY:
            yield (*path, "kind"), "a quarterly step uses quarter_end, not month_end"
        elif rec == Recurrence.MONTHLY and rule.month is not None:
            yield (*path, "month"), "a monthly step's month_end takes no month (it is each month)"
        elif rec in period_kinds and rule.month is None:
            yield (*path, "month"), f"a {rec.value} step's month_end needs a month"
    elif isinstance(rule, QuarterEnd):
        if rec == Recurrence.MONTHLY:
            yield (*path, "kind"), "a monthly step uses month_end, not quarter_end"
        elif rec == Recurrence.QUARTERLY and rule.quarter is not None:
            yield (*path, "quarter"), "a quarterly step's quarter_end takes no quarter"
        elif rec in period_kinds and rule.quarter is None:
            yield (*path, "quarter"), f"a {rec.value} step's quarter_end needs a quarter"


def check_outputs(path: Path, outputs: list[OutputSpec], nested: bool) -> Iterator[Issue]:
    """Issues of an output list: duplicate names, list fields, ``min`` on non-numbers."""
    yield from duplicates([((*path, i, "name"), o.name) for i, o in enumerate(outputs)], "output")
    for i, out in enumerate(outputs):
        here = (*path, i)
        if out.type == OutputType.LIST and nested:
            yield (*here, "type"), "a list item field cannot itself be a list"
        elif out.type == OutputType.LIST and not out.fields:
            yield (*here, "fields"), "a list output needs its item fields"
        elif out.type != OutputType.LIST and out.fields:
            yield (*here, "fields"), "only a list output has item fields"
        if out.min is not None and out.type not in (OutputType.NUMBER, OutputType.INTEGER):
            yield (*here, "min"), "min is only for number and integer outputs"
        if out.choices and out.type != OutputType.TEXT:
            yield (*here, "choices"), "choices are only for text outputs"
        yield from duplicates(
            [((*here, "choices", j), c) for j, c in enumerate(out.choices)], "choice"
        )
        if out.type == OutputType.LIST and not nested:
            yield from check_outputs((*here, "fields"), out.fields, nested=True)


def _check_cycles(view: PlanView) -> Iterator[Issue]:
    """One issue per dependency cycle, naming its path (``A -> B -> A``)."""
    steps = {s.id: (p, s) for p, s in view.steps}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = finished
    reported: set[frozenset[str]] = set()

    def visit(sid: str, trail: list[str]) -> Iterator[Issue]:
        state[sid] = 1
        path, step = steps[sid]
        for j, dep in enumerate(step.depends_on):
            if dep not in steps or dep == sid:
                continue
            if state.get(dep) == 1:
                cycle = [*trail[trail.index(dep) :], sid, dep]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    yield (*path, "depends_on", j), "dependency cycle: " + " -> ".join(cycle)
            elif dep not in state:
                yield from visit(dep, [*trail, sid])
        state[sid] = 2

    for sid in steps:
        if sid not in state:
            yield from visit(sid, [])


def _check_policies(view: PlanView) -> Iterator[Issue]:
    codes = _agency_codes(view) | {"leader", "coordinator"}
    for path, policy in view.policies:
        before = [((*path, "before", j), str(n)) for j, n in enumerate(policy.before)]
        yield from duplicates(before, "reminder day")
        for k, esc in enumerate(policy.escalations):
            if esc.to not in codes:
                why = f"unknown agency {esc.to!r} (use an agency code, leader or coordinator)"
                yield (*path, "escalations", k, "to"), why
