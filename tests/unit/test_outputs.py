"""Outputs: coercion of every type, required and optional, min, lists, derived stars, errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agencyflow.domain.outputs import (
    parse_assignments,
    stars_key,
    strip_derived,
    validate_outputs,
)
from agencyflow.domain.plan_spec import OutputSpec
from agencyflow.errors import ValidationError


def spec(name: str, type_: str, **kw: Any) -> OutputSpec:
    """An OutputSpec with a Vietnamese label."""
    return OutputSpec(name=name, label={"vi": name.upper()}, type=type_, **kw)


def ocop_stars(score: float) -> int | None:
    """The official OCOP bands."""
    for low, stars in ((90, 5), (70, 4), (50, 3), (30, 2), (0, 1)):
        if score >= low:
            return stars
    return None


PRODUCTS = spec("products", "list", fields=[
    spec("product", "text"), spec("producer", "text"), spec("score", "score"),
    spec("level", "text", required=False)])
SPECS = [spec("title", "text"), spec("count", "integer", min=1), spec("budget", "number", min=0),
         spec("held_on", "date"), spec("approved", "boolean"),
         spec("doc", "link", required=False), PRODUCTS]


def check(values: dict[str, Any], specs: list[OutputSpec] = SPECS, **kw: Any) -> dict[str, Any]:
    return validate_outputs(specs, values, stars_for=ocop_stars, **kw)


def good() -> dict[str, Any]:
    return {"title": " Kế hoạch ", "count": "3", "budget": "12.5", "held_on": "05/03/2027",
            "approved": "có", "products": '[{"product": "Mắm", "producer": "HTX", "score": 72}]'}


def test_strings_from_the_command_line_are_coerced() -> None:
    assert check(good()) == {
        "title": "Kế hoạch", "count": 3, "budget": 12.5, "held_on": "2027-03-05",
        "approved": True,
        "products": [{"product": "Mắm", "producer": "HTX", "score": 72, "stars": 4}]}


def test_typed_values_from_yaml_are_accepted() -> None:
    values = {"title": "KH", "count": 2, "budget": 10, "held_on": date(2027, 3, 5),
              "approved": False, "doc": "https://x.gov.vn/a.pdf",
              "products": [{"product": "Chè", "producer": 12, "score": 90.0, "level": "tỉnh"}]}
    out = check(values)
    assert out["budget"] == 10 and isinstance(out["budget"], int)
    assert out["products"] == [{"product": "Chè", "producer": "12", "score": 90, "level": "tỉnh",
                                "stars": 5}]
    assert out["doc"] == "https://x.gov.vn/a.pdf" and out["held_on"] == "2027-03-05"


@pytest.mark.parametrize(("score", "stars"), [
    (0, 1), (29, 1), (29.5, 1), (30, 2), (49, 2), (50, 3), (69, 3), (70, 4), (89, 4), (90, 5),
    (100, 5)])
def test_stars_follow_the_official_bands(score: float, stars: int) -> None:
    out = check({"products": [{"product": "p", "producer": "q", "score": score}]},
                partial=True)
    assert out["products"][0]["stars"] == stars


@pytest.mark.parametrize(("values", "message"), [
    ({"count": "0"}, "output count: 0 is below the minimum 1"),
    ({"count": "2.5"}, "output count: expected a whole number"),
    ({"budget": "abc"}, "output budget: expected a number"),
    ({"budget": True}, "output budget: expected a number"),
    ({"budget": "nan"}, "output budget: expected a number"),
    ({"held_on": "31/02/2027"}, "output held_on: '31/02/2027' is not a valid date"),
    ({"held_on": "tomorrow"}, "output held_on: 'tomorrow' is not a date"),
    ({"approved": "maybe"}, "output approved: expected yes/no"),
    ({"doc": "ftp://x/y"}, "output doc: expected an http(s) link"),
    ({"doc": "javascript:alert(1)"}, "output doc: expected an http(s) link"),
    ({"doc": "https://x.vn/a b"}, "output doc: expected an http(s) link"),
    ({"products": "{not: a list}"}, "output products: expected a list of items"),
    ({"products": "[1, 2"}, "output products: not a JSON/YAML list"),
    ({"products": ["Mắm"]}, "output products, item 1: expected a mapping"),
    ({"products": [{"product": "p", "producer": "q", "score": 101}]},
     "output products, item 1, field score: a score is 0..100"),
    ({"products": [{"product": "p", "score": 5}]},
     "output products, item 1, field producer: required"),
    ({"products": [{"product": "p", "producer": "q", "score": 5, "colour": "red"}]},
     "output products, item 1, field colour: not declared by the step"),
    ({"products": [{"product": "p", "producer": "q", "score": 75, "stars": 4}]},
     "output products, item 1, field stars: stars are derived from the score"),
    ({"nonsense": 1}, "output nonsense: not declared by the step (declared: title, count"),
])
def test_bad_values_are_named(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        check(values, partial=True)
    assert message in str(info.value)


def test_required_outputs_are_all_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        check({"title": "  ", "count": 1})
    text = str(info.value)
    for name in ("title", "budget", "held_on", "approved", "products"):
        assert f"output {name}: required" in text
    assert "output doc" not in text and "output count" not in text


def test_partial_skips_required_and_optional_missing_are_omitted() -> None:
    assert check({"budget": "0"}, partial=True) == {"budget": 0}
    assert "doc" not in check(good())


def test_a_top_level_score_gets_stars_next_to_it() -> None:
    scores = [spec("score", "score"), spec("note", "text", required=False)]
    assert validate_outputs(scores, {"score": "55"}, stars_for=ocop_stars) == {
        "score": 55, "stars": 3}
    two = [spec("taste", "score"), spec("look", "score")]
    assert stars_key(two, two[1]) == "look_stars"
    assert validate_outputs(two, {"taste": 95, "look": 10}, stars_for=ocop_stars) == {
        "taste": 95, "taste_stars": 5, "look": 10, "look_stars": 1}
    with pytest.raises(ValidationError, match="stars are derived"):
        validate_outputs(scores, {"score": 55, "stars": 5}, stars_for=ocop_stars)


def test_no_rating_bands_means_no_stars() -> None:
    out = validate_outputs([spec("score", "score")], {"score": 40}, stars_for=lambda s: None)
    assert out == {"score": 40}


def test_stored_outputs_validate_again_after_stripping_derived_stars() -> None:
    stored = check(good())
    assert strip_derived(SPECS, stored)["products"] == [
        {"product": "Mắm", "producer": "HTX", "score": 72}]
    assert check(strip_derived(SPECS, stored)) == stored


def test_command_line_pairs() -> None:
    assert parse_assignments(["a=1", "b = x=y", "c="]) == {"a": "1", "b": " x=y", "c": ""}
    with pytest.raises(ValidationError, match="name=value"):
        parse_assignments(["novalue"])
    with pytest.raises(ValidationError, match="given twice"):
        parse_assignments(["a=1", "a=2"])
