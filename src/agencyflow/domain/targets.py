"""Target indicators measured from completed outputs: pure computation, no database.

A plan's target (:class:`~agencyflow.domain.plan_spec.TargetSpec`) names the steps whose completed
assignments count, one output of theirs, and how to fold it into a number
(:class:`~agencyflow.domain.plan_spec.IndicatorSpec`):

==============  ==================================================================================
aggregate       value over the completed outputs of the period's years
==============  ==================================================================================
count           the list items that match ``where``
count_distinct  the distinct values of an item ``field`` among matching items (text compared
                without case and extra spaces), e.g. producers or products, counted once per period
sum             the numbers of a number output, or of an item ``field`` of matching items
==============  ==================================================================================

``where`` keeps an item when every key has one of the listed values; the key ``stars`` uses the
stars derived from the item's score (stored next to it by :mod:`agencyflow.domain.outputs`, or
derived with the plan's rating bands when absent).

A period is a span of years (outputs counted by their cycle's year) or of days (by the day the
assignment was completed). A ``cumulative`` target adds a baseline — what stood on its date —
and with ``valid_only`` counts registry products whose certificate is valid on the day asked, so
a product stops counting on the day its certificate expires (:mod:`agencyflow.domain.products`).

Each period gets a status at ``today``: ``met`` (value ≥ min), ``not_met`` (the period's last day
is over and value < min), ``in_progress`` (otherwise: the period is current or still ahead).
``stretch_reached`` says whether the stretch value is reached (None without a stretch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from agencyflow.domain.plan_spec import IndicatorSpec, PlanSpec, TargetPeriod, TargetSpec, Text
from agencyflow.domain.plan_types import Aggregate, OutputType
from agencyflow.errors import NotFound

#: The ``where`` key that filters on derived stars.
STARS = "stars"

#: (step id, output name, list item) → the item's stars, or None.
StarsOf = Callable[[str, str, Mapping[str, Any]], "int | None"]


class TargetStatus(StrEnum):
    """Where a target period stands (see the module docstring)."""

    MET = "met"
    NOT_MET = "not_met"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class CompletedOutputs:
    """The recorded outputs of one done assignment, with its cycle year and step (and the day
    it was completed). A registry product is one too — one item in its step's output — with
    the days its certificate is valid: ``valid_from`` up to, not including, ``valid_until``."""

    year: int
    step_id: str
    outputs: Mapping[str, Any]
    completed_on: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        """Whether its certificate is valid on ``day`` (never without one)."""
        return (self.valid_from is not None and self.valid_until is not None
                and self.valid_from <= day < self.valid_until)


@dataclass(frozen=True)
class PeriodResult:
    """One target over one period: its value against ``min`` (and ``stretch``)."""

    target_id: str
    title: Text
    from_year: int
    to_year: int
    value: float
    min: float
    stretch: float | None
    status: TargetStatus
    stretch_reached: bool | None
    start: date | None = None
    end: date | None = None

    @property
    def period(self) -> str:
        """``2019–2020``, ``2021`` for a single year, ``15/11/2030–30/04/2031`` for days."""
        if self.start is not None and self.end is not None:
            return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"
        if self.from_year == self.to_year:
            return str(self.from_year)
        return f"{self.from_year}–{self.to_year}"


def stored_stars(step_id: str, output: str, item: Mapping[str, Any]) -> int | None:
    """The stars recorded next to the score of ``item`` (None if there are none)."""
    value = item.get(STARS)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def plan_stars(spec: PlanSpec) -> StarsOf:
    """Stars as recorded, or derived from the item's score with the plan's rating bands."""

    def stars_of(step_id: str, output: str, item: Mapping[str, Any]) -> int | None:
        recorded = stored_stars(step_id, output, item)
        if recorded is not None:
            return recorded
        value = item.get(_score_field(spec, step_id, output) or "")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return spec.stars_for(value)
        return None

    return stars_of


def _score_field(spec: PlanSpec, step_id: str, output: str) -> str | None:
    """The name of the score field of list ``output`` of ``step_id`` (None if there is none)."""
    try:
        out = spec.step(step_id).output(output)
    except NotFound:  # a step an older plan version had
        return None
    return next((f.name for f in out.fields if f.type is OutputType.SCORE), None) if out else None


def period_status(value: float, period: TargetPeriod, today: date) -> TargetStatus:
    """met / not_met / in_progress of ``value`` for ``period`` on ``today``."""
    if value >= period.min:
        return TargetStatus.MET
    if today > period.last_day():
        return TargetStatus.NOT_MET
    return TargetStatus.IN_PROGRESS


def _matches(indicator: IndicatorSpec, step_id: str, item: Mapping[str, Any],
             stars_of: StarsOf) -> bool:
    for key, allowed in indicator.where.items():
        value = stars_of(step_id, indicator.output, item) if key == STARS else item.get(key)
        if value is None or value not in allowed:
            return False
    return True


def _distinct_key(value: Any) -> Any:
    """Text compared without case and repeated spaces; other values as they are."""
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return value


def indicator_value(indicator: IndicatorSpec, completed: Iterable[CompletedOutputs],
                    *, stars_of: StarsOf = stored_stars) -> float:
    """Fold the outputs of ``completed`` (already restricted to the period) into one number."""
    total: float = 0
    distinct: set[Any] = set()
    for done in completed:
        if done.step_id not in indicator.steps:
            continue
        value = done.outputs.get(indicator.output)
        if not isinstance(value, list):
            total += _number(value) if indicator.aggregate is Aggregate.SUM else 0
            continue
        items = [i for i in value if isinstance(i, Mapping)
                 and _matches(indicator, done.step_id, i, stars_of)]
        if indicator.aggregate is Aggregate.COUNT:
            total += len(items)
        elif indicator.aggregate is Aggregate.SUM:
            total += sum(_number(i.get(indicator.field or "")) for i in items)
        else:
            distinct |= {_distinct_key(i.get(indicator.field or "")) for i in items} - {None, ""}
    return total + len(distinct)


def _whole(value: float) -> float:
    return int(value) if float(value).is_integer() else value


def _inside(done: CompletedOutputs, period: TargetPeriod) -> bool:
    """Whether ``done`` counts in ``period``: by its completion day for a date range, else by
    its cycle's year."""
    if period.start is not None and period.end is not None and done.completed_on is not None:
        return period.start <= done.completed_on <= period.end
    return period.from_year <= done.year <= period.to_year


def period_value(target: TargetSpec, period: TargetPeriod, done: Sequence[CompletedOutputs], *,
                 today: date, stars_of: StarsOf = stored_stars,
                 registry: Sequence[CompletedOutputs] = ()) -> float:
    """The value of ``target`` over ``period`` as of ``today``.

    A ``cumulative`` target adds its baseline once the day asked (``today``, or the period's
    last day when that is earlier) has reached the baseline's date; with ``valid_only`` it
    counts the ``registry`` products whose certificate is valid on that day instead of the
    completed outputs of the period.
    """
    cumulative = target.cumulative
    asked = min(today, period.last_day())
    if cumulative is not None and cumulative.valid_only:
        counted = [r for r in registry if r.valid_on(asked)]
    else:
        counted = [d for d in done if _inside(d, period)]
    value = indicator_value(target.indicator, counted, stars_of=stars_of)
    if cumulative is not None and (cumulative.as_of is None or cumulative.as_of <= asked):
        value += cumulative.baseline
    return _whole(value)


def evaluate(targets: Sequence[TargetSpec], completed: Iterable[CompletedOutputs], *,
             today: date, stars_of: StarsOf = stored_stars, year: int | None = None,
             registry: Sequence[CompletedOutputs] = ()) -> list[PeriodResult]:
    """Every period of every target (only those covering ``year`` when given), in plan order;
    ``registry`` holds the registry's products for ``valid_only`` targets."""
    done = list(completed)
    results: list[PeriodResult] = []
    for target in targets:
        for period in target.periods:
            if year is not None and not period.from_year <= year <= period.to_year:
                continue
            value = period_value(target, period, done, today=today, stars_of=stars_of,
                                 registry=registry)
            reached = None if period.stretch is None else value >= period.stretch
            results.append(PeriodResult(
                target.id, target.title, period.from_year, period.to_year, value, period.min,
                period.stretch, period_status(value, period, today), reached,
                period.start, period.end))
    return results
