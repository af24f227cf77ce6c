"""Checks of targets (indicators, periods) and rating bands; see :mod:`plan_checks`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agencyflow.domain.plan_types import Aggregate, OutputSpec, OutputType
from agencyflow.domain.plan_view import Issue, Path, PlanView, duplicates

#: Output types that can be summed.
NUMERIC = (OutputType.NUMBER, OutputType.INTEGER, OutputType.SCORE)
#: The ``where`` key that filters on stars derived from a score field.
STARS = "stars"


def check_targets(view: PlanView) -> Iterator[Issue]:
    """Duplicate target ids, indicator references and period spans."""
    yield from duplicates([((*p, "id"), t.id) for p, t in view.targets], "target id")
    steps = {s.id: s for _, s in view.steps}
    for path, target in view.targets:
        yield from _check_indicator((*path, "indicator"), target.indicator, steps, view)
    plan = view.period if view.period and view.period[1] <= view.period[2] else None
    for path, first, last, minimum, stretch in view.target_periods:
        if first > last:
            yield path, f"period ends ({last}) before it starts ({first})"
        elif plan and not plan[1] <= first <= last <= plan[2]:
            yield path, f"years {first}-{last} are outside the plan period {plan[1]}-{plan[2]}"
        if stretch is not None and stretch < minimum:
            yield path, f"stretch ({stretch:g}) is below min ({minimum:g})"


def _check_indicator(
    path: Path, indicator: Any, steps: dict[str, Any], view: PlanView
) -> Iterator[Issue]:
    outputs: list[OutputSpec] = []
    known = view.known("step")
    for j, sid in enumerate(indicator.steps):
        if sid not in steps and sid in known:
            return  # that step could not be read; its problems are reported already
        if sid not in steps:
            yield (*path, "steps", j), f"unknown step {sid!r}"
            continue
        out = steps[sid].output(indicator.output)
        if out is None:
            yield (*path, "output"), f"step {sid} has no output {indicator.output!r}"
        else:
            outputs.append(out)
    for out in outputs[:1]:
        yield from _check_aggregate(path, indicator, out)
        yield from _check_where(path, indicator, out, view)


def _check_aggregate(path: Path, indicator: Any, out: OutputSpec) -> Iterator[Issue]:
    agg, name = indicator.aggregate, indicator.field
    is_list = out.type == OutputType.LIST
    if agg in (Aggregate.COUNT, Aggregate.COUNT_DISTINCT) and not is_list:
        yield (*path, "aggregate"), f"{agg.value} needs a list output, {out.name} is {out.type}"
    elif agg == Aggregate.SUM and not is_list and out.type not in NUMERIC:
        yield (*path, "aggregate"), f"sum needs a number or list output, {out.name} is {out.type}"
    elif agg == Aggregate.COUNT and name is not None:
        yield (*path, "field"), "count counts list items; field is only for count_distinct and sum"
    elif agg == Aggregate.SUM and not is_list and name is not None:
        yield (*path, "field"), f"{out.name} is a number; sum it without a field"
    elif is_list and agg != Aggregate.COUNT and name is None:
        yield (*path, "field"), f"{agg.value} over a list needs the item field to use"
    elif is_list and name is not None:
        item = out.field(name)
        if item is None:
            yield (*path, "field"), f"output {out.name} has no item field {name!r}"
        elif agg == Aggregate.SUM and item.type not in NUMERIC:
            yield (*path, "field"), f"cannot sum {name}: it is {item.type.value}"


def _check_where(path: Path, indicator: Any, out: OutputSpec, view: PlanView) -> Iterator[Issue]:
    if indicator.where and out.type != OutputType.LIST:
        yield (*path, "where"), "where filters list items; the output is not a list"
        return
    for key in indicator.where:
        here = (*path, "where", key)
        if key == STARS:
            if not any(f.type == OutputType.SCORE for f in out.fields):
                yield here, f"stars need a score field in {out.name}"
            elif view.header_known and not (view.rating and view.rating[1]):
                yield here, "stars need plan.rating bands"
        elif (item := out.field(key)) is None:
            yield here, f"output {out.name} has no item field {key!r}"
        elif item.choices and (bad := [v for v in indicator.where[key] if v not in item.choices]):
            yield here, f"{bad} not among the choices of {key}: {item.choices}"


def check_rating(view: PlanView) -> Iterator[Issue]:
    """Bands must ascend from 0 to 100 without gaps or overlaps."""
    if not view.rating or not view.rating[1]:
        return
    path, bands = view.rating
    for i, band in enumerate(bands):
        here = (*path, i)
        if band.min > band.max:
            yield (*here, "max"), f"band max {band.max} is below its min {band.min}"
        if i == 0 and band.min != 0:
            yield (*here, "min"), "the first band must start at 0"
        if i > 0 and band.min <= bands[i - 1].max:
            yield (*here, "min"), f"band overlaps the previous one (ends at {bands[i - 1].max})"
        elif i > 0 and band.min > bands[i - 1].max + 1:
            start = bands[i - 1].max + 1
            yield (*here, "min"), f"gap after {bands[i - 1].max}: band must start at {start}"
        if i > 0 and band.stars < bands[i - 1].stars:
            yield (*here, "stars"), "stars must not decrease as scores rise"
    if bands[-1].max != 100:
        yield (*path, len(bands) - 1, "max"), "the last band must end at 100"
