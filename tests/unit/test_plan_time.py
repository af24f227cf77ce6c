"""Plans of any shape in time, as the loader reads them: explicit periods, full dates, needs,
date-range targets, baselines and the registry's plan data — and the errors that name the
step or target, line and field."""

from __future__ import annotations

from datetime import date

import pytest

from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.errors import PlanError
from tests.factories import FIXTURES, PLANS

WINTER = (FIXTURES / "one-off-winter.yaml").read_text(encoding="utf-8")
TARGET = """targets:
  - id: T-W
    title: {vi: "Báo cáo xã"}
    indicator: {steps: [COMMUNE-REPORT], output: reports, aggregate: count}
    cumulative: {baseline: 4}
    periods:
      - {from: 2030-12-01, to: 2031-03-31, min: 6}
"""
REPORTS = """    outputs:
      - name: reports
        label: {vi: "Báo cáo"}
        type: list
        required: false
        fields: [{name: title, label: {vi: "Tên"}, type: text}]
"""


def _winter(extra: str = TARGET) -> str:
    marker = ("    deadline: {kind: fixed_date, month: 1, day: 23}"
              "       # 23/01/2031 is Tết: due 28/01\n")
    return WINTER.replace(marker, marker + REPORTS) + extra


def _problems(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, "p.yaml")
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def test_the_one_off_plan_reads_its_own_dates() -> None:
    spec = load_plan_text(_winter(), "p.yaml").spec
    assert (spec.period_start, spec.period_end, spec.reference_date) == (
        date(2030, 11, 15), date(2031, 4, 30), date(2030, 10, 31))
    assert (spec.period_from, spec.period_to) == (2030, 2031)
    period, = spec.targets[0].periods
    assert (period.first_day(), period.last_day()) == (date(2030, 12, 1), date(2031, 3, 31))
    # a baseline without its own date refers to the plan's reference date
    assert spec.targets[0].cumulative.as_of == date(2030, 10, 31)  # type: ignore[union-attr]
    assert {a.kind.value for a in spec.agencies} >= {"province", "ministry", "department",
                                                     "external"}


def test_every_plan_of_the_year_form_still_loads() -> None:
    from agencyflow.plans import bundled_plan_text

    spec = load_plan_text(*bundled_plan_text("kim-thanh-ocop")).spec
    assert (spec.period_start, spec.cycle_span(2025)) == (
        None, (date(2025, 1, 1), date(2025, 12, 31)))
    assert load_plan_text((PLANS / "valid.yaml").read_text(encoding="utf-8")).spec.registry is None


def test_a_baseline_needs_its_date() -> None:
    text = _winter().replace("  reference_date: 2030-10-31\n", "")
    assert _problems(text) == [(len(text.splitlines()) - 2, "targets[0].cumulative.as_of",
                                "a baseline needs the date it refers to: as_of, or the plan's "
                                "reference_date")]


def test_a_target_range_outside_the_period_and_valid_only_without_registry() -> None:
    text = _winter(TARGET.replace("{baseline: 4}", "{valid_only: true}")
                   .replace("from: 2030-12-01", "from: 2030-10-01"))
    assert [f for _, f, _ in _problems(text)] == ["targets[0].cumulative.valid_only",
                                                  "targets[0].periods[0]"]


@pytest.mark.parametrize(("needs", "why"), [
    ("{KICKOFF: any}", "'KICKOFF' is not listed in depends_on"),
    ("{COMMUNE-REPORT: 4}", "needs 4 assignments of COMMUNE-REPORT, which has only 3"),
])
def test_needs_are_checked(needs: str, why: str) -> None:
    text = WINTER.replace("    depends_on: [COMMUNE-REPORT]\n",
                          f"    depends_on: [COMMUNE-REPORT]\n    needs: {needs}\n")
    (_, field, message), = _problems(text)
    assert field.startswith("steps[2].needs.") and message == why


def test_a_full_date_in_a_yearly_step_of_a_multi_year_plan_is_refused() -> None:
    text = (PLANS / "valid.yaml").read_text(encoding="utf-8").replace(
        "deadline: {kind: fixed_date, month: 1, day: 31}",
        "deadline: {kind: fixed_date, date: 2021-01-31}")
    (_, field, message), = _problems(text)
    assert field == "steps[0].deadline.date" and message.startswith("a yearly step's fixed_date")


def test_fixed_date_takes_one_form() -> None:
    text = WINTER.replace("{kind: fixed_date, date: 2030-11-17}",
                          "{kind: fixed_date, date: 2030-11-17, month: 11}")
    (_, field, message), = _problems(text)
    assert (field, message) == ("steps[0].deadline",
                                "give either a full date or month and day, not both")
