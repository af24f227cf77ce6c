"""Target arithmetic without a database: aggregates, where filters, derived stars, statuses."""

from __future__ import annotations

from datetime import date
from typing import Any

from agencyflow.domain.plan_loader import load_plan_file
from agencyflow.domain.plan_spec import IndicatorSpec, TargetPeriod, TargetSpec, Text
from agencyflow.domain.targets import (
    CompletedOutputs,
    TargetStatus,
    evaluate,
    indicator_value,
    period_status,
    plan_stars,
)
from tests.factories import PLANS


def indicator(**kwargs: Any) -> IndicatorSpec:
    return IndicatorSpec(**{"steps": ["EVAL"], "output": "products", **kwargs})


def evals(year: int, *items: dict[str, Any]) -> CompletedOutputs:
    return CompletedOutputs(year, "EVAL", {"products": list(items)})


DONE = [
    evals(2020, {"producer": "HTX A", "score": 55, "stars": 3, "weight": 2},
          {"producer": "Hộ B", "score": 40, "stars": 2, "weight": 1.5}),
    evals(2020, {"producer": " htx  a", "score": 60, "stars": 3, "weight": 1}),
    CompletedOutputs(2020, "OTHER", {"products": [{"producer": "HTX Z", "stars": 3}]}),
]


def test_count_count_distinct_and_sum() -> None:
    assert indicator_value(indicator(aggregate="count"), DONE) == 3
    assert indicator_value(indicator(aggregate="count", where={"stars": 3}), DONE) == 2
    assert indicator_value(indicator(aggregate="count_distinct", field="producer"), DONE) == 2
    assert indicator_value(indicator(aggregate="sum", field="weight"), DONE) == 4.5
    assert indicator_value(indicator(aggregate="sum", field="weight", where={"stars": [2]}),
                           DONE) == 1.5


def test_sum_of_a_number_output_skips_missing_values() -> None:
    spec = IndicatorSpec(steps=["S"], output="fairs", aggregate="sum")
    done = [CompletedOutputs(2021, "S", {"fairs": 2}), CompletedOutputs(2021, "S", {}),
            CompletedOutputs(2021, "S", {"fairs": 1.5})]
    assert indicator_value(spec, done) == 3.5


def test_stars_are_derived_from_the_score_when_not_stored() -> None:
    spec = load_plan_file(PLANS / "valid.yaml").spec   # bands: 0–49 → 2★, 50–100 → 3★
    done = [evals(2020, {"producer": "A", "score": 72}, {"producer": "B", "score": 12},
                  {"producer": "C", "score": 10, "stars": 3})]   # stored stars win
    assert indicator_value(indicator(aggregate="count", where={"stars": 3}), done,
                           stars_of=plan_stars(spec)) == 2


def test_status_of_a_period() -> None:
    period = TargetPeriod(from_year=2019, to_year=2020, min=1, stretch=2)
    assert period_status(1, period, date(2019, 3, 1)) is TargetStatus.MET
    assert period_status(0, period, date(2020, 12, 31)) is TargetStatus.IN_PROGRESS
    assert period_status(0, period, date(2021, 1, 1)) is TargetStatus.NOT_MET
    assert period_status(0, period, date(2018, 5, 1)) is TargetStatus.IN_PROGRESS


def test_evaluate_counts_each_period_over_its_own_years() -> None:
    target = TargetSpec(id="T", title=Text(vi="Mục tiêu"),
                        indicator=indicator(aggregate="count_distinct", field="producer"),
                        periods=[TargetPeriod(from_year=2020, to_year=2020, min=3, stretch=4),
                                 TargetPeriod(from_year=2021, to_year=2021, min=1)])
    done = [*DONE, evals(2021, {"producer": "HTX A"})]
    results = evaluate([target], done, today=date(2021, 6, 1))
    assert [(r.period, r.value, r.status.value, r.stretch_reached) for r in results] == [
        ("2020", 2, "not_met", False), ("2021", 1, "met", None)]
    assert [r.period for r in evaluate([target], done, today=date(2021, 6, 1), year=2021)] == [
        "2021"]
