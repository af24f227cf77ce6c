"""The plan loader: a valid plan resolves defaults; a broken plan names file, line and field."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

import pydantic
import pytest

from agencyflow.domain.plan_loader import content_hash, load_plan_file, load_plan_text
from agencyflow.domain.plan_spec import STORED, AfterStep, PlanSpec, Recurrence
from agencyflow.errors import NotFound, PlanError
from agencyflow.services.plans import store as plans

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
VALID = PLANS / "valid.yaml"

#: fixture → (line of the offending node, a substring of the reported field path)
BROKEN = {
    "unknown-agency-lead": (51, "steps[1].lead"),
    "unknown-agency-cooperating": (44, "steps[0].cooperating[2]"),
    "unknown-agency-parent": (23, "agencies[1].parent"),
    "unknown-agency-member": (38, "groups.communes.members[1]"),
    "unknown-plan-leader": (9, "plan.leader"),
    "unknown-escalation-target": (92, "defaults.reminders.escalations[0].to"),
    "unknown-group-fan-out": (58, "steps[2].fan_out"),
    "unknown-group-reference": (44, "steps[0].cooperating[0]"),
    "duplicate-agency": (30, "agencies[4].code"),
    "duplicate-step": (69, "steps[3].id"),
    "duplicate-target": (87, "targets[1].id"),
    "duplicate-group": (39, "groups.communes"),
    "dependency-cycle": (53, "steps[1].depends_on[0]"),
    "after-step-not-dependency": (59, "steps[2].deadline.step"),
    "impossible-fixed-date": (45, "steps[0].deadline.day"),
    "deadline-recurrence-mismatch": (74, "steps[3].deadline.kind"),
    "period-reversed": (8, "plan.period.to_year"),
    "target-unknown-step": (79, "targets[0].indicator.steps[0]"),
    "target-unknown-output": (80, "targets[0].indicator.output"),
    "target-unknown-field": (82, "targets[0].indicator.field"),
    "duplicate-output": (67, "steps[2].outputs[0].fields[1].name"),
    "rating-overlap": (15, "plan.rating.bands[1].min"),
    "rating-gap": (15, "plan.rating.bands[1].min"),
    "bad-yaml-syntax": (43, "<root>"),
    "duplicate-yaml-key": (54, "steps[1].deadline"),
    "empty": (1, "<root>"),
    "not-a-mapping": (2, "<root>"),
    "bad-document-date": (7, "plan.document.date"),
    "unknown-field": (73, "steps[3].recurrance"),
    "missing-field": (48, "steps[1].title"),
    "wrong-type": (45, "steps[0].deadline.month"),
    "unquoted-office-hours": (93, "defaults.office_hours.end"),
    "unknown-deadline-kind": (53, "steps[1].deadline"),
}


def _error(name: str) -> PlanError:
    with pytest.raises(PlanError) as info:
        load_plan_file(PLANS / f"{name}.yaml")
    return info.value


def test_every_fixture_is_covered() -> None:
    on_disk = {p.stem for p in PLANS.glob("*.yaml")}
    assert on_disk == set(BROKEN) | {"valid", "several-problems"}
    assert len(BROKEN) >= 18


@pytest.mark.parametrize(("name", "line", "field"), [(n, *v) for n, v in BROKEN.items()])
def test_broken_plan_names_file_line_and_field(name: str, line: int, field: str) -> None:
    error = _error(name)
    text = str(error)
    assert f"{name}.yaml:{line}:" in text
    assert field in text
    assert any(p.line == line and field in p.field for p in error.problems), text


@pytest.mark.parametrize("name", ["missing-field", "unknown-deadline-kind", "period-reversed"])
def test_a_bad_entry_does_not_cascade(name: str) -> None:
    # a step that cannot be read is still "known": its dependents are not reported as well
    assert len(_error(name).problems) == 1, str(_error(name))


def test_several_problems_are_all_reported_in_file_order() -> None:
    error = _error("several-problems")
    found = [(p.line, p.field) for p in error.problems]
    assert found == [
        (15, "plan.rating.bands[1].min"),
        (51, "steps[1].lead"),
        (80, "targets[0].indicator.output"),
        (93, "defaults.office_hours.end"),
    ]
    assert all(p.file.endswith("several-problems.yaml") for p in error.problems)


def test_messages_say_what_is_wrong() -> None:
    assert "PLAN -> EVAL -> COUNCIL -> PLAN" in str(_error("dependency-cycle"))
    assert "duplicate key 'deadline' (first on line 53)" in str(_error("duplicate-yaml-key"))
    assert "not a date in every year" in str(_error("impossible-fixed-date"))
    assert 'write the time in quotes, e.g. "17:00"' in str(_error("unquoted-office-hours"))
    assert "unknown field" in str(_error("unknown-field"))


def test_valid_plan_resolves_defaults() -> None:
    spec = load_plan_file(VALID).spec
    assert (spec.key, spec.period_from, spec.period_to) == ("tiny-ocop", 2020, 2022)
    plan = spec.step("PLAN")
    assert plan.cooperating == ["XA-A", "XA-B"]  # group expanded, lead and duplicates dropped
    assert plan.review is False and spec.step("COUNCIL").review is True
    council = spec.step("COUNCIL").reminders
    assert council.before == [3]  # the override replaces only what it names
    assert council.overdue_every == 3 and council.escalations == spec.reminders.escalations
    assert spec.step("MARKET").recurrence is Recurrence.QUARTERLY
    assert isinstance(spec.step("EVAL").deadline, AfterStep)
    assert spec.office_hours.start == time(7, 30)


def test_valid_plan_agency_defaults_and_helpers() -> None:
    spec = load_plan_file(VALID).spec
    assert spec.agency("XA-A").tags == ["xa-a"] and spec.agency("XA-A").digest is True
    assert spec.agency("XA-B").digest is False and spec.agency("NN").digest is False
    assert spec.members("communes") == ["XA-A", "XA-B"]
    assert spec.dependents("COUNCIL") == ["EVAL"]
    assert [s.id for s in spec.steps_in_dependency_order()] == ["PLAN", "COUNCIL", "EVAL", "MARKET"]
    assert (spec.stars_for(49.5), spec.stars_for(50), spec.stars_for(101)) == (2, 3, None)
    assert spec.escalation_target(spec.reminders.escalations[0]) == "UBND-HUYEN"
    with pytest.raises(NotFound):
        spec.agency("NOPE")
    with pytest.raises(NotFound):
        spec.step("NOPE")


def test_each_year_expands_into_one_period_a_year() -> None:
    periods = load_plan_file(VALID).spec.targets[0].periods
    assert [(p.from_year, p.to_year, p.min, p.stretch) for p in periods] == [
        (2020, 2020, 1, 2),
        (2021, 2021, 1, None),
        (2022, 2022, 1, None),
    ]
    assert load_plan_file(VALID).spec.targets[0].indicator.where == {"stars": [3]}


def test_content_hash_is_stable_and_follows_the_text() -> None:
    text = VALID.read_text(encoding="utf-8")
    first = load_plan_text(text, "a.yaml")
    assert first.content_hash == load_plan_file(VALID).content_hash == content_hash(text)
    assert load_plan_text(text.replace("\n", "\r\n")).content_hash == first.content_hash
    changed = load_plan_text(text.replace("day: 31}", "day: 30}"))
    assert changed.content_hash != first.content_hash
    assert first.source == "a.yaml" and first.text == text


def test_dates_accept_yaml_dates_and_iso_strings() -> None:
    text = VALID.read_text(encoding="utf-8")
    quoted = load_plan_text(text.replace("date: 2020-05-01", 'date: "2020-05-01"'))
    assert quoted.spec.document.date == load_plan_file(VALID).spec.document.date
    with pytest.raises(PlanError, match="not a real date"):
        load_plan_text(text.replace("date: 2020-05-01", 'date: "2020-02-30"'))


def test_source_name_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="^mine.yaml:1:1: <root>: the file is empty"):
        load_plan_text("", "mine.yaml")
    with pytest.raises(PlanError, match="cannot read"):
        load_plan_file(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("plan: {title: {vi: 'Kế'}}".encode("utf-16"))
    with pytest.raises(PlanError, match="not UTF-8"):
        load_plan_file(latin)


def test_unknown_section_and_format() -> None:
    text = VALID.read_text(encoding="utf-8").replace("format: 1", "format: 2\nextras: {}")
    error = _raises(text)
    assert [p.field for p in error.problems] == ["format", "extras"]
    assert "format: 1" in error.problems[0].message


def test_spec_built_in_code_runs_the_same_checks() -> None:
    data = load_plan_file(VALID).spec.model_dump()
    data["steps"][1]["lead"] = "NOPE"
    with pytest.raises(pydantic.ValidationError, match=r"steps\[1\]\.lead: unknown agency"):
        PlanSpec.model_validate(data)


def test_a_stored_spec_is_read_back_without_repeating_the_checks() -> None:
    """A stored spec was checked when it was stored; reading it back (every sweep and dispatch)
    does not check it again, so a plan a cycle runs under keeps loading even if a later release
    checks more. Field validation still applies."""
    data = load_plan_file(VALID).spec.model_dump(mode="json")
    data["steps"][1]["lead"] = "NOPE"
    stored = json.dumps(data)
    with pytest.raises(pydantic.ValidationError, match="unknown agency"):
        PlanSpec.model_validate_json(stored)
    assert plans.spec_from("hash-of-an-older-release", stored).steps[1].lead == "NOPE"
    data["steps"][1]["lead"] = 12
    with pytest.raises(pydantic.ValidationError):
        PlanSpec.model_validate_json(json.dumps(data), context={STORED: True})


def _raises(text: str) -> PlanError:
    with pytest.raises(PlanError) as info:
        load_plan_text(text, "inline.yaml")
    return info.value


def test_documented_example_loads() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"
    example = doc.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = load_plan_text(example, "docs/plan-format.md").spec
    assert [s.id for s in spec.steps] == ["PLAN", "COUNCIL", "EVAL", "MARKET"]
    assert len(spec.targets[0].periods) == 3
