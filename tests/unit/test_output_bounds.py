"""Outputs people record are numbers within bounds, and list texts are read within the plan
reader's bounds (issue 9, finding 5: NaN and infinity are refused wherever a number is read)."""

from __future__ import annotations

import pytest

from agencyflow.domain.outputs import validate_outputs
from agencyflow.domain.plan_types import OutputSpec
from agencyflow.errors import ValidationError

SPECS = [OutputSpec.model_validate(s) for s in (
    {"name": "count", "label": {"vi": "Số"}, "type": "integer", "min": 0},
    {"name": "score", "label": {"vi": "Điểm"}, "type": "score", "required": False},
    {"name": "items", "label": {"vi": "Danh sách"}, "type": "list", "required": False,
     "fields": [{"name": "amount", "label": {"vi": "Số tiền"}, "type": "number"}]},
)]


def _refused(values: dict[str, object]) -> str:
    with pytest.raises(ValidationError) as info:
        validate_outputs(SPECS, values, stars_for=lambda _score: None)
    return str(info.value)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e999", "9" * 5000,
                                   float("nan"), float("inf"), 10**400, 10**16])
def test_nan_infinity_and_huge_numbers_are_refused(value: object) -> None:
    assert "output count: expected a" in _refused({"count": value})
    assert "output score: expected a" in _refused({"count": 1, "score": value})


def test_a_list_given_as_text_is_read_within_bounds() -> None:
    assert "field amount: expected a number, got nan" in _refused(
        {"count": 1, "items": "[{amount: .nan}]"})
    assert "nested deeper than" in _refused({"count": 1, "items": "[" * 100 + "]" * 100})
    pairs = zip("abcdef", "bcdefg", strict=True)
    laughs = "a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{n}: &{n} [" + ",".join([f"*{p}"] * 10) + "]\n" for p, n in pairs)
    assert "aliases expand to more than" in _refused({"count": 1, "items": laughs})
    ok = validate_outputs(SPECS, {"count": "3", "items": "[{amount: 2.5}]"},
                          stars_for=lambda _score: None)
    assert ok == {"count": 3, "items": [{"amount": 2.5}]}
