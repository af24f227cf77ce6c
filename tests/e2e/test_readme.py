"""The README tells the truth: its plan example loads, its commands and options exist, and its
configuration table is exactly the settings."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agencyflow.cli import COMMANDS, app
from agencyflow.config import Settings
from agencyflow.domain.plan_loader import load_plan_text

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _examples() -> list[list[str]]:
    rows = re.findall(r"^\| `[^`]+` \| `(agencyflow [^`]+)` \|$", _section("Command reference"),
                      re.MULTILINE)
    return [shlex.split(row)[1:] for row in rows]


def test_the_plan_example_loads() -> None:
    block = re.search(r"```yaml\n(format: 1\n.*?)```", _section("The plan file"), re.DOTALL)
    assert block is not None
    spec = load_plan_text(block.group(1), "README.md").spec
    assert [s.id for s in spec.steps] == ["PLAN", "COUNCIL", "EVAL", "MARKET"]


def test_the_command_reference_covers_every_command() -> None:
    documented = {args[0] for args in _examples()}
    assert documented == set(COMMANDS)
    assert len(_examples()) >= 35


@pytest.mark.parametrize("args", _examples(), ids=lambda a: " ".join(a[:2]))
def test_every_documented_example_names_real_options(args: list[str]) -> None:
    path = [a for a in args if not a.startswith("-")]
    options = {a.split("=")[0] for a in args if a.startswith("--")}
    for depth in range(len(path), 0, -1):
        result = CliRunner().invoke(app, [*path[:depth], "--help"], env={"COLUMNS": "300"})
        if result.exit_code == 0 and "Usage:" in result.output:
            break
    assert result.exit_code == 0, args
    for option in options:
        assert option in result.output, f"{' '.join(args)}: {option} is not an option"


def test_the_configuration_table_is_exactly_the_settings() -> None:
    documented = set(re.findall(r"^\| `AGENCYFLOW_([A-Z_]+)` \|", _section("Configuration"),
                                re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}
