"""The bundled Kim Thành plan loads and traces every clause and target of its source document,
as the project records it in ``docs/source/`` (the clause table and the source text)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from agencyflow.domain.plan_loader import LoadedPlan, load_plan_text
from agencyflow.domain.plan_spec import AgencyKind, PlanSpec, Recurrence
from agencyflow.domain.plan_types import DeadlineRule
from agencyflow.errors import NotFound
from agencyflow.plans import bundled_plan_keys, bundled_plan_text

KEY = "kim-thanh-ocop"
SOURCE = Path(__file__).resolve().parents[2] / "docs" / "source"
CLAUSES = SOURCE / "kim-thanh-ocop-clauses.md"
ARTICLE = SOURCE / "kim-thanh-ocop-plan.vi.txt"
ROW = re.compile(r"^\|\s*([A-Z]+-\d+)\s*\|(.*)\|\s*$", re.MULTILINE)


def _plan() -> LoadedPlan:
    return load_plan_text(*bundled_plan_text(KEY))


def _section(title: str) -> dict[str, list[str]]:
    """Row id → the other cells of the table under ``## title`` in the clause table."""
    text = CLAUSES.read_text(encoding="utf-8")
    body = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    return {rid: [c.strip() for c in cells.split("|")] for rid, cells in ROW.findall(body)}


def _tables() -> tuple[dict[str, str], list[str]]:
    """(clause id → lead column of Responsibilities, target ids of Targets)."""
    leads = {cid: cells[0] for cid, cells in _section("Responsibilities").items()}
    return leads, list(_section("Targets"))


def _words(text: str) -> str:
    return " ".join(text.split())


def _commune_group(spec: PlanSpec) -> str:
    communes = {a.code for a in spec.agencies if a.kind is AgencyKind.COMMUNE}
    return next(name for name, g in spec.groups.items() if set(g.members) == communes)


def test_bundled_plan_is_listed_and_loads() -> None:
    assert KEY in bundled_plan_keys()
    loaded = _plan()
    assert loaded.spec.key == KEY
    assert loaded.source == f"agencyflow/plans/{KEY}.yaml"
    assert (loaded.spec.period_from, loaded.spec.period_to) == (2019, 2030)
    with pytest.raises(NotFound):
        bundled_plan_text("no-such-plan")
    with pytest.raises(NotFound):
        bundled_plan_text("../errors")


def test_every_clause_and_target_is_traced() -> None:
    leads, target_ids = _tables()
    spec = _plan().spec
    assert len(leads) == 19 and target_ids == ["T-1", "T-2", "T-3", "T-4"]
    covered = {c for s in spec.steps for c in s.clauses}
    assert set(leads) <= covered, set(leads) - covered
    assert [t.id for t in spec.targets] == target_ids


def test_the_record_of_the_source_is_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[2]
    assert CLAUSES.is_file() and ARTICLE.is_file()
    assert root in CLAUSES.parents and root in ARTICLE.parents
    assert "docs/source/kim-thanh-ocop-clauses.md" in bundled_plan_text(KEY)[0]


def test_every_wording_is_quoted_from_the_source() -> None:
    article = _words(ARTICLE.read_text(encoding="utf-8"))
    rows = {**_section("Responsibilities"), **_section("Targets")}
    assert len(rows) == 23
    for rid, cells in rows.items():
        wording = cells[1] if rid.startswith("T-") else cells[2]  # targets: period, wording
        assert len(wording) > 20 and _words(wording) in article, (rid, wording)


def test_communes_cooperate_where_the_source_says_so() -> None:
    spec = _plan().spec
    communes = set(spec.members(_commune_group(spec)))
    for cid, (_lead, cooperating, *_rest) in _section("Responsibilities").items():
        steps = [s for s in spec.steps if cid in s.clauses]
        with_communes = [s.id for s in steps if communes <= set(s.cooperating)]
        if "UBND-XA" in cooperating:
            assert with_communes, cid
        else:
            assert not any(communes & set(s.cooperating) for s in steps), cid


def test_leads_follow_the_clauses() -> None:
    leads, _ = _tables()
    spec = _plan().spec
    group = _commune_group(spec)
    for step in spec.steps:
        for clause in step.clauses:
            if leads[clause] == "UBND-XA":
                assert step.fan_out == group and step.lead is None, step.id
            else:
                assert step.lead == leads[clause], step.id


def test_commune_steps_fan_out_over_all_communes() -> None:
    spec = _plan().spec
    group = _commune_group(spec)
    assert "TT-PHU-THAI" in spec.members(group) and len(spec.members(group)) == 18
    xa_steps = [s for s in spec.steps if any(c.startswith("XA-") for c in s.clauses)]
    assert len(xa_steps) >= 5
    assert all(s.fan_out == group for s in xa_steps)


def test_every_deadline_kind_is_used() -> None:
    kinds = set(get_args(get_args(DeadlineRule)[0]))
    used = {type(s.deadline) for s in _plan().spec.steps}
    assert used == kinds


def test_the_clauses_meet_in_the_graph() -> None:
    spec = _plan().spec
    by_clause = {
        c: [s for s in spec.steps if c in s.clauses] for s in spec.steps for c in s.clauses
    }
    ktht2, tnmt1 = by_clause["KTHT-2"][0], by_clause["TNMT-1"][0]
    assert tnmt1.id in ktht2.depends_on or ktht2.id in tnmt1.depends_on
    assert "NN-4" in spec.step("XA-4").depends_on
    assert any("XA-2" in s.depends_on for s in by_clause["NN-2"])
    assert any(s.recurrence is Recurrence.QUARTERLY for s in by_clause["KTHT-4"])


def test_targets_and_rating() -> None:
    spec = _plan().spec
    t1, t2, t3, t4 = spec.targets
    assert [(p.from_year, p.to_year, p.min, p.stretch) for p in t1.periods] == [(2019, 2020, 1, 2)]
    assert t1.indicator.aggregate == "count_distinct" and t1.indicator.field == "producer"
    assert t2.periods[0].min == 1 and t3.periods[0].stretch is None
    assert t3.indicator.where == {"level": ["province"], "stars": [3, 4]}
    assert [p.from_year for p in t4.periods] == list(range(2021, 2031))
    assert all(p.from_year == p.to_year and (p.min, p.stretch) == (1, 2) for p in t4.periods)
    scores = [0, 29, 30, 49, 50, 69, 70, 89, 90, 100]
    assert [spec.stars_for(s) for s in scores] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_defaults_and_texts() -> None:
    spec = _plan().spec
    assert spec.reminders.before == [5, 2, 1] and spec.reminders.overdue_every == 3
    assert [(e.after, e.to, e.level) for e in spec.reminders.escalations] == [
        (5, "leader", 1),
        (15, "UBND-HUYEN", 2),
    ]
    assert spec.schedule_note is not None and "mặc định" in spec.schedule_note.vi
    assert all(s.title.en for s in spec.steps)
    assert spec.leader == "UBND-HUYEN" and spec.coordinator == "NN"
