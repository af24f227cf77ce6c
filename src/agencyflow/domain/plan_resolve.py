"""What a plan file means once defaults are resolved: a file step or target becomes its spec.

Groups in ``cooperating`` are expanded (repeats and the lead removed), ``review`` and
``reminders`` resolved against the plan defaults, ``each_year`` periods expanded into one a
year, and a baseline's date defaults to the plan's ``reference_date``.
"""

from __future__ import annotations

from agencyflow.domain.plan_file import DefaultsFile, PlanHeaderFile, StepFile, TargetFile
from agencyflow.domain.plan_spec import (
    CumulativeSpec,
    GroupSpec,
    StepBase,
    StepSpec,
    TargetPeriod,
    TargetSpec,
)
from agencyflow.domain.plan_view import GROUP_REF


def resolve_step(
    step: StepFile, header: PlanHeaderFile, defaults: DefaultsFile, groups: dict[str, GroupSpec]
) -> StepSpec:
    """The spec of a file step: groups expanded, review and reminders resolved."""
    cooperating: list[str] = []
    for ref in step.cooperating:
        codes = groups[ref[len(GROUP_REF) :]].members if ref.startswith(GROUP_REF) else [ref]
        cooperating += [c for c in codes if c not in cooperating and c != step.lead]
    reminders = defaults.reminders
    if step.reminders is not None:
        override = {k: getattr(step.reminders, k) for k in step.reminders.model_fields_set}
        reminders = reminders.model_copy(update=override)
    base = {k: getattr(step, k) for k in StepBase.model_fields}
    review = header.review_default if step.review is None else step.review
    return StepSpec(
        **base,
        cooperating=cooperating,
        review=review,
        reminders=reminders,
    )


def resolve_target(target: TargetFile, header: PlanHeaderFile) -> TargetSpec:
    """The spec of a file target: ``each_year`` expanded into one period a year, a baseline's
    date defaulting to the plan's reference date."""
    periods: list[TargetPeriod] = []
    for p in target.periods:
        first, last = p.years()
        spans = [(y, y) for y in range(first, last + 1)] if p.each_year else [(first, last)]
        periods += [TargetPeriod(from_year=a, to_year=b, min=p.min, stretch=p.stretch,
                                 start=p.from_, end=p.to)
                    for a, b in spans]  # fmt: skip
    return TargetSpec(
        id=target.id, title=target.title, clauses=target.clauses,
        indicator=target.indicator, periods=periods, cumulative=cumulative_of(target, header),
    )  # fmt: skip


def cumulative_of(target: TargetFile, header: PlanHeaderFile) -> CumulativeSpec | None:
    found = target.cumulative
    if found is None or found.as_of is not None or header.reference_date is None:
        return found
    return found.model_copy(update={"as_of": header.reference_date})
