"""Plan files are read within bounds: size, file kind, nesting, aliases, characters, numbers.

Each case once crashed or stalled the loader (issue 9, finding 5): a RecursionError traceback for
deep nesting, gigabytes for a "billion laughs" file, a read of /dev/zero without end, a two-line
message at 1:1 for a control character, a NaN minimum that switched its check off.
"""

from __future__ import annotations

import os
import re
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agencyflow import plans as bundled
from agencyflow.cli import app
from agencyflow.config import get_settings
from agencyflow.domain import plan_yaml
from agencyflow.domain.plan_loader import load_plan_file, load_plan_text
from agencyflow.errors import PlanError

#: Every problem is written file:line:column: field: message.
PROBLEM = re.compile(r"^[^\n:]+:\d+:\d+: [^:\n]+: .+$")
BUNDLED, _ = bundled.bundled_plan_text("kim-thanh-ocop")


def _problems(text: str, source: str = "p.yaml") -> PlanError:
    with pytest.raises(PlanError) as info:
        load_plan_text(text, source)
    assert all(PROBLEM.match(str(p)) for p in info.value.problems), str(info.value)
    return info.value


@pytest.fixture
def validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``agencyflow plan validate FILE`` in-process; returns (exit code, output)."""
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "300")
    get_settings.cache_clear()

    def run(path: Path | str, **env: str) -> tuple[int, str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["plan", "validate", str(path)], catch_exceptions=False)
        assert "Traceback" not in result.output
        return result.exit_code, result.output

    yield run
    get_settings.cache_clear()


def test_deep_flow_mapping_and_list_are_refused_where_they_cross_the_limit(
        validate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deep_map = tmp_path / "deep-map.yaml"
    deep_map.write_text("format: 1\nplan: " + "{a: " * 500 + "1" + "}" * 500 + "\n")
    deep_list = tmp_path / "deep-list.yaml"
    deep_list.write_text("format: 1\nplan: " + "[" * 900 + "]" * 900 + "\n")
    for path in (deep_map, deep_list):
        code, out = validate(path)
        assert code == 2 and f"{path.name}:2:" in out, out
        assert f"nested deeper than {plan_yaml.MAX_DEPTH} levels" in out


def test_nesting_in_block_style_and_far_beyond_the_limit_is_no_recursion() -> None:
    block = "a:\n" + "".join(" " * i + "- \n" for i in range(0, 4000, 2))
    assert "nested deeper" in str(_problems(block))
    assert _problems("- " * 20000 + "1").problems[0].line == 1
    # libyaml's own limit on flow nesting is reported as a syntax error, with its position
    assert "YAML syntax" in str(_problems("a: " + "[" * 200000 + "]" * 200000))


def test_billion_laughs_stops_at_the_alias_within_a_small_memory_budget() -> None:
    lines = ['format: 1', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    assert len(text) < 800
    tracemalloc.start()
    try:
        error = _problems(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "aliases expand to more than" in str(error)
    assert error.problems[0].line > 2  # at the alias written in the file that crossed it
    assert peak < 64 * 1024 * 1024, peak


def test_aliases_within_the_budget_still_work_and_a_recursive_one_is_reported() -> None:
    spec = load_plan_text(BUNDLED, "kim.yaml").spec  # the bundled plan repeats blocks with *
    assert len(spec.steps) > 20
    located = plan_yaml.read_yaml("a: &x [1, 2]\nb: *x\nc: &r [*r]\n", "a.yaml")
    assert located.data["b"] == [1, 2] and located.data["c"] == [None]
    assert located.problems == [(("c", 0), (3, 8), "recursive YAML alias")]
    assert "undefined alias" in str(_problems("a: *nope\n"))


def test_control_characters_are_reported_at_their_line_and_column() -> None:
    text = BUNDLED.replace("plan:\n", "plan:\n", 1)
    lines = text.split("\n")
    lines[9] = lines[9][:6] + "\x01" + lines[9][6:]
    error = _problems("\n".join(lines), "kim.yaml")
    assert [(p.line, p.column) for p in error.problems] == [(10, 7)]
    assert "U+0001" in str(error) and "\n" not in str(error)
    many = _problems("a: '" + "\x00" * 50 + "'\n")
    assert len(many.problems) == 10  # the first ten, not a flood


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "directory"])
def test_devices_fifos_and_directories_are_never_read(validate, tmp_path: Path,
                                                      special: str) -> None:  # type: ignore[no-untyped-def]
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "plan.yaml"
        os.mkfifo(path)  # nobody writes: a read would wait forever
    elif special == "directory":
        path = tmp_path
    code, out = validate(path)
    assert code == 2 and "not a regular file" in out and f"{path}:1:1: <file>:" in out, out


def test_the_size_limit_is_checked_before_reading_and_is_a_setting(validate,
                                                                   tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "kim.yaml"
    path.write_text(BUNDLED, encoding="utf-8")
    assert validate(path)[0] == 0
    code, out = validate(path, AGENCYFLOW_PLAN_MAX_BYTES="4096")
    assert code == 2 and "larger than the limit of 4096 bytes" in out
    assert "AGENCYFLOW_PLAN_MAX_BYTES" in out
    big = tmp_path / "big.yaml"
    with big.open("wb") as out_file:
        out_file.truncate(5 * 1024 * 1024)  # sparse: 5 MiB over the default limit of 4 MiB
    code, out = validate(big, AGENCYFLOW_PLAN_MAX_BYTES=str(4 * 1024 * 1024))
    assert code == 2 and "larger than the limit" in out
    with pytest.raises(PlanError, match="larger than the limit of 1024"):
        load_plan_text(BUNDLED, "upload.yaml", max_bytes=1024)
    with pytest.raises(PlanError, match="larger than the limit of 1024"):
        load_plan_file(path, max_bytes=1024)


def test_the_number_of_values_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_yaml, "MAX_VALUES", 1000)  # the bound, not its size, is tested
    text = "a: [" + ",".join(["1"] * 1000) + "]\n"
    assert "more than 1000 values" in str(_problems(text))


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "1e999", "1e16"])
def test_nan_infinity_and_huge_numbers_are_refused_where_a_plan_has_a_number(value: str) -> None:
    output = BUNDLED.replace("type: integer, min: 3}", f"type: integer, min: {value}}}")
    assert output != BUNDLED
    error = _problems(output, "kim.yaml")
    assert len(error.problems) == 1 and error.problems[0].field.endswith(".min"), str(error)
    target = load_plan_file(Path(__file__).parents[1] / "fixtures" / "plans" / "valid.yaml")
    text = target.text.replace("min: 1, stretch: 2}", f"min: 1, stretch: {value}}}")
    assert text != target.text
    assert "stretch" in str(_problems(text))


@pytest.mark.parametrize("tagged", ["!!timestamp z", "!!int x", "!!float y", "!!bool maybe",
                                    "!!binary ###", "!!python/object:os.system x"])
def test_an_explicit_tag_on_a_value_it_cannot_read_is_a_problem(tagged: str) -> None:
    """``!!timestamp z`` crashed the loader with AttributeError (found by ``make fuzz``)."""
    text = BUNDLED.replace("key: kim-thanh-ocop", f"key: {tagged}", 1)
    assert text != BUNDLED
    error = _problems(text, "kim.yaml")
    assert any(p.field == "plan.key" for p in error.problems), str(error)


def test_working_days_beyond_the_calendar_are_refused_when_the_plan_is_read() -> None:
    text = re.sub(r"working_days: \d+", "working_days: 99999999999999999999", BUNDLED, count=1)
    assert text != BUNDLED
    assert "must be at most 2000" in str(_problems(text))
