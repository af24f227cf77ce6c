"""The small breaks a newcomer met in the first hour (issue 10 part 4), each through the CLI:
a stored plan that `plan show` could not find, `board --lang fr` crashing after the table,
unknown filters answered with an empty board, "no cycle started yet" while other cycles exist,
and `remind` calling a public holiday "outside office hours"."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli_foundation import run  # noqa: F401 - the fixture
from tests.factories import PLANS

VALID = str(PLANS / "valid.yaml")  # plan tiny-ocop: NN, XA-A, XA-B, …; not a bundled plan


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read what the messages say, in English (Vietnamese is the default)."""
    monkeypatch.setenv("AGENCYFLOW_LANGUAGE", "en")


@pytest.fixture
def started(run):  # type: ignore[no-untyped-def]  # noqa: F811
    """The CLI on a database with cycle 2021 of the stored plan tiny-ocop."""
    result = run("cycle", "start", "--plan", VALID, "--year", "2021", "--now", "2021-01-04")
    assert result.exit_code == 0, result.output
    return run


def test_plan_show_finds_a_stored_plan(started) -> None:  # type: ignore[no-untyped-def]
    shown = started("plan", "show", "tiny-ocop", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert [s["step"] for s in json.loads(shown.output)] == ["PLAN", "COUNCIL", "EVAL", "MARKET"]
    table = started("plan", "show", "tiny-ocop", "--lang", "vi")
    assert table.exit_code == 0 and "Kế hoạch OCOP thử nghiệm (tiny-ocop)" in table.output
    unknown = started("plan", "show", "tiny-ocp")
    assert unknown.exit_code == 1 and "'tiny-ocp'" in unknown.output
    assert "did you mean tiny-ocop" in unknown.output


def test_board_language_is_checked_before_anything_is_printed(started) -> None:  # type: ignore[no-untyped-def]
    french = started("board", "--lang", "fr")
    assert french.exit_code == 1 and '"fr"' in french.output
    assert "Traceback" not in french.output and "KeyError" not in french.output
    assert "PLAN" not in french.output  # no table first
    english = started("board", "--lang", "EN", "--now", "2021-03-15")
    assert english.exit_code == 0, english.output
    assert "Count per agency and status" in english.output and "Overdue" in english.output


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--agency", "XX", "unknown agency 'XX' in plan tiny-ocop"),
    ("--agency", "N", "did you mean NN"),
    ("--commune", "XA-C", "unknown commune 'XA-C' in plan tiny-ocop: did you mean XA-A, XA-B?"),
    ("--status", "overdu", "unknown status 'overdu': did you mean overdue?"),
])
def test_an_unknown_filter_is_an_error_naming_the_nearest(  # type: ignore[no-untyped-def]
        started, option: str, value: str, said: str) -> None:
    result = started("board", option, value, "--now", "2021-03-15")
    assert result.exit_code == 1 and said in result.output, result.output
    assert "Traceback" not in result.output


def test_filters_ignore_case(started) -> None:  # type: ignore[no-untyped-def]
    upper = started("board", "--agency", "XA-A", "--status", "waiting", "--format", "json",
                    "--now", "2021-03-15")
    lower = started("board", "--agency", "xa-a", "--status", "WAITING", "--format", "json",
                    "--now", "2021-03-15")
    assert upper.exit_code == lower.exit_code == 0
    assert json.loads(lower.output) == json.loads(upper.output) != []


def test_no_such_cycle_names_the_cycles_there_are(run) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    empty = run("board")
    assert empty.exit_code == 1 and "no cycle started yet" in empty.output
    assert run("cycle", "start", "--plan", VALID, "--year", "2021").exit_code == 0
    assert run("cycle", "start", "--plan", VALID, "--year", "2022").exit_code == 0
    plan = run("board", "--plan", "no-such-plan")
    assert plan.exit_code == 1 and "no cycle started yet" not in plan.output
    assert "unknown plan 'no-such-plan'" in plan.output
    assert "cycles: tiny-ocop 2021, 2022" in plan.output
    near = run("board", "--plan", "tiny-ocp")
    assert "did you mean tiny-ocop?" in near.output
    year = run("board", "--year", "2030")
    assert year.exit_code == 1 and "no cycle of 2030 (cycles: tiny-ocop 2021, 2022)" in year.output
    both = run("board", "--plan", "tiny-ocop", "--year", "2030")
    assert "plan tiny-ocop has no cycle 2030 (its cycles: 2021, 2022" in both.output
    assert run("plan", "load", "kim-thanh-ocop").exit_code == 0
    stored = run("board", "--plan", "kim-thanh-ocop")
    assert stored.exit_code == 1 and "plan kim-thanh-ocop has no cycle yet" in stored.output


@pytest.mark.parametrize(("now", "said"), [
    ("2021-09-02T10:00", "02/09/2021 is a public holiday (Quốc khánh): no reminders go out"),
    ("2021-03-13T10:00", "13/03/2021 is not a working day: no reminders go out"),
    ("2021-03-15T20:00", "15/03/2021 20:00 is outside office hours: no reminders go out"),
])
def test_remind_says_why_nothing_goes_out(started, now: str, said: str) -> None:  # type: ignore[no-untyped-def]
    result = started("remind", "--now", now, "--dry-run")
    assert result.exit_code == 0 and said in result.output, result.output


def test_sweep_says_why_nothing_goes_out_as_remind_does(started) -> None:  # type: ignore[no-untyped-def]
    result = started("sweep", "--now", "2021-09-02T10:00")
    assert result.exit_code == 0, result.output
    assert "02/09/2021 is a public holiday (Quốc khánh): no reminders go out" in result.output
