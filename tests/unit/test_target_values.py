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


def _cumulative_target(**cumulative: Any) -> TargetSpec:
    from agencyflow.domain.plan_spec import CumulativeSpec

    return TargetSpec(id="T-N", title=Text(vi="Sản phẩm OCOP cả nước"),
                      indicator=indicator(aggregate="count_distinct", field="product",
                                          where={"stars": [3, 4, 5]}),
                      periods=[TargetPeriod(from_year=2026, to_year=2030, min=14)],
                      cumulative=CumulativeSpec(**cumulative))


def _product(name: str, stars: int, start: date, until: date) -> CompletedOutputs:
    return CompletedOutputs(start.year, "EVAL", {"products": [{"product": name, "stars": stars}]},
                            valid_from=start, valid_until=until)


def test_a_cumulative_national_target_adds_its_baseline_and_counts_only_valid_products() -> None:
    target = _cumulative_target(baseline=10, as_of=date(2025, 12, 31), valid_only=True)
    registry = [_product("Chè A", 3, date(2026, 3, 1), date(2029, 3, 1)),
                _product("Gà B", 4, date(2027, 5, 2), date(2030, 5, 2)),
                _product("Vải C", 2, date(2027, 5, 2), date(2030, 5, 2))]  # 2★: not counted

    def value(day: date) -> float:
        return evaluate([target], [], today=day, registry=registry)[0].value

    assert value(date(2026, 2, 1)) == 10            # the baseline only
    assert value(date(2027, 6, 1)) == 12            # baseline + two valid certificates
    assert value(date(2029, 2, 28)) == 12
    assert value(date(2029, 3, 1)) == 11            # Chè A expired that day
    result = evaluate([target], [], today=date(2031, 6, 1), registry=registry)[0]
    assert (result.value, result.status) == (10, TargetStatus.NOT_MET)  # as of 31/12/2030


def test_a_baseline_counts_only_from_its_date() -> None:
    target = _cumulative_target(baseline=5, as_of=date(2027, 6, 30))
    done = [evals(2026, {"product": "A", "stars": 3}), evals(2027, {"product": "B", "stars": 4})]
    assert evaluate([target], done, today=date(2027, 1, 1))[0].value == 2
    assert evaluate([target], done, today=date(2027, 7, 1))[0].value == 7


def test_a_date_range_period_counts_by_completion_day() -> None:
    target = TargetSpec(id="T-W", title=Text(vi="Báo cáo"), indicator=indicator(aggregate="count"),
                        periods=[TargetPeriod(from_year=2030, to_year=2031, min=2,
                                              start=date(2030, 11, 15), end=date(2031, 4, 30))])
    done = [CompletedOutputs(2030, "EVAL", {"products": [{"p": 1}]}, date(2030, 11, 20)),
            CompletedOutputs(2030, "EVAL", {"products": [{"p": 2}]}, date(2031, 5, 2)),
            CompletedOutputs(2030, "EVAL", {"products": [{"p": 3}]}, date(2031, 1, 28))]
    result, = evaluate([target], done, today=date(2031, 3, 1))
    assert (result.value, result.status, result.period) == (
        2, TargetStatus.MET, "15/11/2030–30/04/2031")
