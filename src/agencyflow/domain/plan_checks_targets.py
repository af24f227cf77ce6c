"""Checks of targets (indicators, periods) and rating bands; see :mod:`plan_checks`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agencyflow.domain.plan_types import Aggregate, OutputSpec, OutputType
from agencyflow.domain.plan_view import Issue, Path, PlanView, duplicates
from agencyflow.i18n import _

#: Output types that can be summed.
NUMERIC = (OutputType.NUMBER, OutputType.INTEGER, OutputType.SCORE)
#: The ``where`` key that filters on stars derived from a score field.
STARS = "stars"


def check_targets(view: PlanView) -> Iterator[Issue]:
    """Duplicate target ids, indicator references and period spans."""
    yield from duplicates([((*p, "id"), t.id) for p, t in view.targets], _("target id"))
    steps = {s.id: s for _, s in view.steps}
    for path, target in view.targets:
        yield from _check_indicator((*path, "indicator"), target.indicator, steps, view)
    plan = view.period if view.period and view.period[1] <= view.period[2] else None
    for path, first, last, minimum, stretch in view.target_periods:
        if first > last:
            yield path, _("period ends ({last}) before it starts ({first})").format(
                last=last, first=first)
        elif plan and not plan[1] <= first <= last <= plan[2]:
            yield path, _("years {first}-{last} are outside the plan period {start}-{end}"
                          ).format(first=first, last=last, start=plan[1], end=plan[2])
        if stretch is not None and stretch < minimum:
            yield path, _("stretch ({stretch}) is below min ({minimum})").format(
                stretch=format(stretch, 'g'), minimum=format(minimum, 'g'))


def _check_indicator(
    path: Path, indicator: Any, steps: dict[str, Any], view: PlanView
) -> Iterator[Issue]:
    outputs: list[OutputSpec] = []
    known = view.known("step")
    for j, sid in enumerate(indicator.steps):
        if sid not in steps and sid in known:
            return  # that step could not be read; its problems are reported already
        if sid not in steps:
            yield (*path, "steps", j), _('unknown step {step}').format(step=repr(sid))
            continue
        out = steps[sid].output(indicator.output)
        if out is None:
            yield (*path, "output"), _("step {sid} has no output {output}").format(
                sid=sid, output=repr(indicator.output))
        else:
            outputs.append(out)
    for out in outputs[:1]:
        yield from _check_aggregate(path, indicator, out)
        yield from _check_where(path, indicator, out, view)


def _check_aggregate(path: Path, indicator: Any, out: OutputSpec) -> Iterator[Issue]:
    agg, name = indicator.aggregate, indicator.field
    is_list = out.type == OutputType.LIST
    if agg in (Aggregate.COUNT, Aggregate.COUNT_DISTINCT) and not is_list:
        yield (*path, "aggregate"), _("{value} needs a list output, {name} is {type}").format(
            value=agg.value, name=out.name, type=out.type)
    elif agg == Aggregate.SUM and not is_list and out.type not in NUMERIC:
        yield (*path, "aggregate"), _("sum needs a number or list output, {name} is {type}").format(
            name=out.name, type=out.type)
    elif agg == Aggregate.COUNT and name is not None:
        yield (*path, "field"), _("count counts list items; field is only for count_distinct "
                                  "and sum")
    elif agg == Aggregate.SUM and not is_list and name is not None:
        yield (*path, "field"), _("{name} is a number; sum it without a field").format(
            name=out.name)
    elif is_list and agg != Aggregate.COUNT and name is None:
        yield (*path, "field"), _("{value} over a list needs the item field to use").format(
            value=agg.value)
    elif is_list and name is not None:
        item = out.field(name)
        if item is None:
            yield (*path, "field"), _("output {name} has no item field {field}").format(
                name=out.name, field=repr(name))
        elif agg == Aggregate.SUM and item.type not in NUMERIC:
            yield (*path, "field"), _("cannot sum {name}: it is {value}").format(
                name=name, value=item.type.value)


def _check_where(path: Path, indicator: Any, out: OutputSpec, view: PlanView) -> Iterator[Issue]:
    if indicator.where and out.type != OutputType.LIST:
        yield (*path, "where"), _('where filters list items; the output is not a list')
        return
    for key in indicator.where:
        here = (*path, "where", key)
        if key == STARS:
            if not any(f.type == OutputType.SCORE for f in out.fields):
                yield here, _('stars need a score field in {name}').format(name=out.name)
            elif view.header_known and not (view.rating and view.rating[1]):
                yield here, _('stars need plan.rating bands')
        elif (item := out.field(key)) is None:
            yield here, _("output {name} has no item field {field}").format(
                name=out.name, field=repr(key))
        elif item.choices and (bad := [v for v in indicator.where[key] if v not in item.choices]):
            yield here, _("{bad} not among the choices of {key}: {choices}").format(
                bad=bad, key=key, choices=item.choices)


def check_rating(view: PlanView) -> Iterator[Issue]:
    """Bands must ascend from 0 to 100 without gaps or overlaps."""
    if not view.rating or not view.rating[1]:
        return
    path, bands = view.rating
    for i, band in enumerate(bands):
        here = (*path, i)
        if band.min > band.max:
            yield (*here, "max"), _("band max {max} is below its min {min}").format(
                max=band.max, min=band.min)
        if i == 0 and band.min != 0:
            yield (*here, "min"), _('the first band must start at 0')
        if i > 0 and band.min <= bands[i - 1].max:
            yield (*here, "min"), _("band overlaps the previous one (ends at {max})").format(
                max=bands[i - 1].max)
        elif i > 0 and band.min > bands[i - 1].max + 1:
            start = bands[i - 1].max + 1
            yield (*here, "min"), _("gap after {max}: band must start at {start}").format(
                max=bands[i - 1].max, start=start)
        if i > 0 and band.stars < bands[i - 1].stars:
            yield (*here, "stars"), _('stars must not decrease as scores rise')
    if bands[-1].max != 100:
        yield (*path, len(bands) - 1, "max"), _('the last band must end at 100')
