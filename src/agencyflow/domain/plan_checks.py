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
from agencyflow.i18n import _

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
            yield path, _("clause {clause} is cited by no step or target").format(
                clause=repr(clause))


def _agency_codes(view: PlanView) -> set[str]:
    return view.known("agency")




def _check_header(view: PlanView) -> Iterator[Issue]:
    codes = _agency_codes(view)
    for item, role in ((view.leader, "leader"), (view.coordinator, "coordinator")):
        if item and item[1] not in codes:
            yield item[0], _("unknown agency {value} as plan {role}").format(
                value=repr(item[1]), role=role)
    explicit = view.span is not None and view.span[3]  # its dates are checked instead
    if view.period and view.period[1] > view.period[2] and not explicit:  # targets skip theirs
        yield view.period[0], _("period ends ({last}) before it starts ({first})").format(
            last=view.period[2], first=view.period[1])


def _check_agencies(view: PlanView) -> Iterator[Issue]:
    yield from duplicates([((*p, "code"), a.code) for p, a in view.agencies], _("agency code"))
    parents = {a.code: a.parent for _, a in view.agencies}
    for path, agency in view.agencies:
        if agency.parent is None:
            continue
        if agency.parent not in parents:
            yield (*path, "parent"), _("unknown agency {code}").format(
                code=repr(agency.parent))
            continue
        seen: set[str] = {agency.code}
        code: str | None = agency.parent
        while code is not None and code not in seen:
            seen.add(code)
            code = parents.get(code)
        if code == agency.code:
            yield (*path, "parent"), _("agency {code} is its own ancestor").format(
                code=agency.code)


def _check_groups(view: PlanView) -> Iterator[Issue]:
    codes = _agency_codes(view)
    for name, (path, group) in view.groups.items():
        members = [((*path, "members", j), m) for j, m in enumerate(group.members)]
        yield from duplicates(members, _("member of group {name}:").format(name=name))
        for mpath, member in members:
            if member not in codes:
                yield mpath, _('unknown agency {code}').format(code=repr(member))


def _check_steps(view: PlanView) -> Iterator[Issue]:
    yield from duplicates([((*p, "id"), s.id) for p, s in view.steps], _("step id"))
    ids = view.known("step")
    for path, step in view.steps:
        yield from _check_parties(view, path, step)
        deps = [((*path, "depends_on", j), d) for j, d in enumerate(step.depends_on)]
        yield from duplicates(deps, _("dependency"))
        for dpath, dep in deps:
            if dep == step.id:
                yield dpath, _('a step cannot depend on itself')
            elif dep not in ids:
                yield dpath, _('unknown step {step}').format(step=repr(dep))
        yield from _check_deadline((*path, "deadline"), step)
        yield from check_outputs((*path, "outputs"), step.outputs, nested=False)


def _check_parties(view: PlanView, path: Path, step: StepBase) -> Iterator[Issue]:
    codes, groups = _agency_codes(view), view.known("group")
    if step.lead is not None and step.fan_out is not None:
        yield (*path, "fan_out"), _('give either lead or fan_out, not both')
    elif step.lead is None and step.fan_out is None:
        yield (*path, "lead"), _('a step needs a lead agency (lead) or a group to fan out over')
    if step.lead is not None and step.lead not in codes:
        yield (*path, "lead"), _('unknown agency {code}').format(code=repr(step.lead))
    if step.fan_out is not None and step.fan_out not in groups:
        yield (*path, "fan_out"), _('unknown group {group}').format(group=repr(step.fan_out))
    for j, ref in enumerate(getattr(step, "cooperating", [])):
        if ref.startswith(GROUP_REF) and ref[len(GROUP_REF) :] not in groups:
            yield (*path, "cooperating", j), _("unknown group {group}").format(
                group=repr(ref[len(GROUP_REF):]))
        elif not ref.startswith(GROUP_REF) and ref not in codes:
            yield (*path, "cooperating", j), _('unknown agency {code}').format(code=repr(ref))


def _check_deadline(path: Path, step: StepBase) -> Iterator[Issue]:
    rule, rec = step.deadline, step.recurrence
    period_kinds = (Recurrence.ONCE, Recurrence.YEARLY)
    if isinstance(rule, AfterStep) and rule.step not in step.depends_on:
        yield (*path, "step"), _("after_step {step} must also be listed in depends_on").format(
            step=repr(rule.step))
    elif isinstance(rule, FixedDate):
        if rec not in period_kinds:
            yield (*path, "kind"), _("fixed_date cannot be used by a {value} step").format(
                value=rec.value)
        elif rule.month is not None and rule.day is not None and \
                rule.day > calendar.monthrange(2001, rule.month)[1]:
            yield (*path, "day"), _("{day}/{month} is not a date in every year").format(
                day=rule.day, month=rule.month)
    elif isinstance(rule, MonthEnd):
        if rec == Recurrence.QUARTERLY:
            yield (*path, "kind"), _('a quarterly step uses quarter_end, not month_end')
        elif rec == Recurrence.MONTHLY and rule.month is not None:
            yield (*path, "month"), _("a monthly step's month_end takes no month (it is each "
                                      "month)")
        elif rec in period_kinds and rule.month is None:
            yield (*path, "month"), _("a {value} step's month_end needs a month").format(
                value=rec.value)
    elif isinstance(rule, QuarterEnd):
        if rec == Recurrence.MONTHLY:
            yield (*path, "kind"), _('a monthly step uses month_end, not quarter_end')
        elif rec == Recurrence.QUARTERLY and rule.quarter is not None:
            yield (*path, "quarter"), _("a quarterly step's quarter_end takes no quarter")
        elif rec in period_kinds and rule.quarter is None:
            yield (*path, "quarter"), _("a {value} step's quarter_end needs a quarter").format(
                value=rec.value)


def check_outputs(path: Path, outputs: list[OutputSpec], nested: bool) -> Iterator[Issue]:
    """Issues of an output list: duplicate names, list fields, ``min`` on non-numbers."""
    names = [((*path, i, "name"), o.name) for i, o in enumerate(outputs)]
    yield from duplicates(names, _("output"))
    for i, out in enumerate(outputs):
        here = (*path, i)
        if out.type == OutputType.LIST and nested:
            yield (*here, "type"), _('a list item field cannot itself be a list')
        elif out.type == OutputType.LIST and not out.fields:
            yield (*here, "fields"), _('a list output needs its item fields')
        elif out.type != OutputType.LIST and out.fields:
            yield (*here, "fields"), _('only a list output has item fields')
        if out.min is not None and out.type not in (OutputType.NUMBER, OutputType.INTEGER):
            yield (*here, "min"), _('min is only for number and integer outputs')
        if out.choices and out.type != OutputType.TEXT:
            yield (*here, "choices"), _('choices are only for text outputs')
        yield from duplicates(
            [((*here, "choices", j), c) for j, c in enumerate(out.choices)], _("choice")
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
                    yield (*path, "depends_on", j), _("dependency cycle: {cycle}").format(
                        cycle=" -> ".join(cycle))
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
        yield from duplicates(before, _("reminder day"))
        for k, esc in enumerate(policy.escalations):
            if esc.to not in codes:
                why = _("unknown agency {to} (use an agency code, leader or coordinator)").format(
                    to=repr(esc.to))
                yield (*path, "escalations", k, "to"), why
