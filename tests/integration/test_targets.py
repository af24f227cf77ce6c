"""T-1 … T-4 of the bundled Kim Thành plan, measured from outputs recorded through the lifecycle
services over the cycles 2019–2022 (real users, real review steps, stars derived from scores).

What is recorded (commune, year: items):

- XA-2 registrations — 2019 Kim Anh: HTX Kim Anh; 2020 Kim Anh: "htx  kim anh" (the same
  producer typed differently), Lai Vu: Hộ Nguyễn Thị Hoa; 2021 Tam Kỳ: HTX Tam Kỳ (outside T-1).
- XA-4 evaluations — 2019 Kim Anh: gạo nếp 45 (district); Lai Vu: bánh gai 55 (province, 3★),
  rượu nếp 25 (none). 2020 Kim Anh: gạo nếp 72 (province, 4★); Lai Vu: mật ong 91 (province, 5★).
  2021 Tam Kỳ: vải 68 (district, 3★ but not provincial), mật ong 95 (province, 5★) → T-4 2021 = 0.
  2022 Kim Anh: nem 49 (province, 2★); Lai Vu: bánh gai 80 (province, 4★) approved on 3/10/2022.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from typer.testing import CliRunner

from agencyflow.cli import app
from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.domain.permissions import Actor
from agencyflow.models import Assignment
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.board import targets
from agencyflow.services.people import users
from agencyflow.services.plans import store as plans
from tests.factories import CALENDAR, SYSTEM, at, start_cycle

PLAN = "kim-thanh-ocop"
KIM_ANH, LAI_VU, TAM_KY = "XA-KIM-ANH", "XA-LAI-VU", "XA-TAM-KY"


def run(engine: Engine, use_case: Any, **kwargs: Any) -> Any:
    """One use case in its own transaction."""
    with session_scope(engine) as session:
        return use_case(session, **kwargs)


def assignment(engine: Engine, cycle_id: int, step: str, member: str = "") -> int:
    """The id of the assignment of ``step`` (for ``member``) in the cycle."""
    with Session(engine) as session:
        return session.execute(select(Assignment.id).where(
            Assignment.cycle_id == cycle_id, Assignment.step_id == step,
            Assignment.member == member)).scalar_one()


def people(engine: Engine) -> dict[str, Actor]:
    """A coordinator (bootstrapped by the system actor) and one officer per commune used."""
    run(engine, users.add_user, username="truong.phong", role="coordinator", agency_code="NN",
        now=at(2019, 1, 2), actor=SYSTEM)
    boss = run(engine, users.actor_for, username="truong.phong")
    run(engine, users.add_user, username="pho.phong", role="coordinator", agency_code="NN",
        now=at(2019, 1, 2), actor=boss)
    for code in (KIM_ANH, LAI_VU, TAM_KY):
        run(engine, users.add_user, username=code.lower(), role="officer", agency_code=code,
            now=at(2019, 1, 2), actor=boss)
    actors = {code: run(engine, users.actor_for, username=code.lower())
              for code in (KIM_ANH, LAI_VU, TAM_KY)}
    deputy = run(engine, users.actor_for, username="pho.phong")
    return {"boss": boss, "deputy": deputy, **actors}


def review(engine: Engine, aid: int, who: Actor, boss: Actor, outputs: dict[str, Any],
           submitted: date, approved: date) -> None:
    """Submit a reviewed step as ``who`` and approve it as the coordinator."""
    run(engine, assignments.submit, assignment_id=aid, actor=who, calendar=CALENDAR,
        now=at(submitted.year, submitted.month, submitted.day), outputs=outputs)
    run(engine, assignments.approve, assignment_id=aid, actor=boss, calendar=CALENDAR,
        now=at(approved.year, approved.month, approved.day))


def register(engine: Engine, cycle_id: int, year: int, actors: dict[str, Actor],
             registrations: dict[str, list[dict[str, str]]]) -> None:
    """NN-2 (reviewed) → NN-5 → XA-2 of the given communes with their registered products."""
    boss = actors["boss"]
    review(engine, assignment(engine, cycle_id, "NN-2"), actors["deputy"], boss,
           {"plan_number": f"12/KH-UBND-{year}", "plan_date": f"{year}-02-01"},
           date(year, 2, 1), date(year, 2, 3))
    run(engine, assignments.complete, assignment_id=assignment(engine, cycle_id, "NN-5"),
        actor=boss, calendar=CALENDAR, now=at(year, 2, 10),
        outputs={"guidance_number": f"3/HD-NN-{year}", "communes_guided": 18})
    for code, items in registrations.items():
        run(engine, assignments.complete, assignment_id=assignment(engine, cycle_id, "XA-2", code),
            actor=actors[code], calendar=CALENDAR, now=at(year, 3, 10),
            outputs={"commune_plan": f"KH-{code}-{year}", "registered": items})


def evaluate(engine: Engine, cycle_id: int, year: int, actors: dict[str, Actor],
             rounds: dict[str, tuple[list[dict[str, Any]], date]]) -> None:
    """NN-4 (the council, reviewed) → XA-4 of the given communes: (products, approval day)."""
    boss = actors["boss"]
    review(engine, assignment(engine, cycle_id, "NN-4"), actors["deputy"], boss,
           {"decision_number": f"45/QĐ-UBND-{year}", "decision_date": f"{year}-06-01",
            "members": 7}, date(year, 6, 1), date(year, 6, 2))
    for code, (products, approved) in rounds.items():
        review(engine, assignment(engine, cycle_id, "XA-4", code), actors[code], boss,
               {"products": products}, date(year, 8, 1), approved)


def product(name: str, producer: str, score: int, level: str) -> dict[str, Any]:
    """An evaluated product as a commune records it (stars are derived, never typed)."""
    return {"product": name, "producer": producer, "producer_type": "cooperative",
            "score": score, "level": level}


def producer(name: str, kind: str = "cooperative") -> dict[str, str]:
    """A registration of XA-2."""
    return {"product": "Sản phẩm", "producer": name, "producer_type": kind, "group": "food"}


@pytest.fixture
def rated(engine: Engine) -> Engine:
    """The bundled plan with cycles 2019–2022 and the outputs of the module docstring."""
    with session_scope(engine) as session:
        version, _ = plans.store(session, plans.read_source(PLAN), now=at(2019, 1, 2),
                                 actor=SYSTEM)
    actors = people(engine)
    cycles = {year: start_cycle(engine, version, year).id or 0 for year in range(2019, 2023)}
    register(engine, cycles[2019], 2019, actors, {KIM_ANH: [producer("HTX Kim Anh")]})
    register(engine, cycles[2020], 2020, actors, {
        KIM_ANH: [producer("htx  kim anh")], LAI_VU: [producer("Hộ Nguyễn Thị Hoa", "household")]})
    register(engine, cycles[2021], 2021, actors, {TAM_KY: [producer("HTX Tam Kỳ")]})
    evaluate(engine, cycles[2019], 2019, actors, {
        KIM_ANH: ([product("Gạo nếp cái hoa vàng", "HTX Kim Anh", 45, "district")],
                  date(2019, 8, 12)),
        LAI_VU: ([product("Bánh gai", "HTX Lai Vu", 55, "province"),
                  product("Rượu nếp", "Hộ Trần Văn Nam", 25, "none")], date(2019, 8, 12))})
    evaluate(engine, cycles[2020], 2020, actors, {
        KIM_ANH: ([product("Gạo nếp cái hoa vàng", "HTX Kim Anh", 72, "province")],
                  date(2020, 8, 10)),
        LAI_VU: ([product("Mật ong", "HTX Lai Vu", 91, "province")], date(2020, 8, 10))})
    evaluate(engine, cycles[2021], 2021, actors, {
        TAM_KY: ([product("Vải thiều", "HTX Tam Kỳ", 68, "district"),
                  product("Mật ong hoa vải", "HTX Tam Kỳ", 95, "province")], date(2021, 8, 9))})
    evaluate(engine, cycles[2022], 2022, actors, {
        KIM_ANH: ([product("Nem", "Hộ Lê Văn An", 49, "province")], date(2022, 8, 10)),
        LAI_VU: ([product("Bánh gai", "HTX Lai Vu", 80, "province")], date(2022, 10, 3))})
    return engine


def table(engine: Engine, today: date, year: int | None = None
          ) -> dict[tuple[str, str], tuple[float, str, bool | None]]:
    """(target, period) → (value, status, stretch reached)."""
    with Session(engine) as session:
        report = targets.report(session, PLAN, today=today, actor=SYSTEM, year=year,
                                known_at=at(today.year, today.month, today.day, 23))
    return {(r.target_id, r.period): (r.value, r.status.value, r.stretch_reached)
            for r in report.results}


def test_targets_from_rated_products(rated: Engine) -> None:
    # One scenario, several days: building the four cycles is the expensive part.
    stars_2020 = stored_stars(rated, 2020)
    assert stars_2020 == [("Gạo nếp cái hoa vàng", 72, 4), ("Mật ong", 91, 5)]

    got = table(rated, date(2022, 9, 15))
    assert got[("T-1", "2019–2020")] == (2, "met", True)      # HTX Kim Anh (twice) + Hộ Hoa
    assert got[("T-2", "2019–2020")] == (3, "met", True)      # gạo nếp, bánh gai, mật ong
    assert got[("T-3", "2019–2020")] == (2, "met", None)      # bánh gai 3★, gạo nếp 4★
    assert got[("T-4", "2021")] == (0, "not_met", False)      # 3★ district, 5★ province only
    assert got[("T-4", "2022")] == (0, "in_progress", False)  # nem 2★; bánh gai not approved yet
    for year in range(2023, 2031):
        assert got[("T-4", str(year))] == (0, "in_progress", False)
    assert len(got) == 3 + 10

    # A later approval counts from its day on.
    assert table(rated, date(2022, 10, 3))[("T-4", "2022")] == (1, "met", False)
    assert table(rated, date(2023, 1, 5))[("T-4", "2022")] == (1, "met", False)

    # As the targets stood before the 2020 evaluation round.
    before = table(rated, date(2020, 7, 1))
    assert before[("T-1", "2019–2020")] == (2, "met", True)   # registrations were in March 2020
    assert before[("T-2", "2019–2020")] == (2, "met", True)   # gạo nếp (district), bánh gai
    assert before[("T-3", "2019–2020")] == (1, "met", None)   # bánh gai 3★
    assert before[("T-4", "2021")] == (0, "in_progress", False)

    # Only the periods that include one year.
    assert set(table(rated, date(2022, 9, 15), year=2020)) == {
        ("T-1", "2019–2020"), ("T-2", "2019–2020"), ("T-3", "2019–2020")}
    assert set(table(rated, date(2022, 9, 15), year=2021)) == {("T-4", "2021")}


def stored_stars(engine: Engine, year: int) -> list[tuple[str, int, int]]:
    """(product, score, stars) as stored in the done XA-4 assignments of ``year``."""
    with Session(engine) as session:
        rows = session.execute(select(Assignment.outputs).where(
            Assignment.step_id == "XA-4", Assignment.year == year,
            Assignment.status == "done")).scalars().all()
    return sorted((i["product"], i["score"], i["stars"]) for o in rows for i in o["products"])


def test_targets_command(rated: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AGENCYFLOW_DATABASE_URL", rated.url.render_as_string(hide_password=False))
    monkeypatch.delenv("AGENCYFLOW_TOKEN", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(app, ["targets", "--plan", PLAN, "--year", "2022", "--format",
                                     "json", "--now", "2022-09-15", "--lang", "vi"],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output  # users exist: read without an identity
        assert json.loads(result.output) == [{
            "target": "T-4", "title": "Mỗi năm thêm 1–2 sản phẩm OCOP đạt 3–4 sao cấp tỉnh "
            "(2021–2030)", "from_year": 2022, "to_year": 2022, "value": 0, "min": 1,
            "stretch": 2, "status": "in_progress", "stretch_reached": False}]
        result = runner.invoke(app, ["targets", "--plan", PLAN, "--lang", "en", "--now",
                                     "2022-09-15", "--as", "xa-kim-anh"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "not met" in result.output and "in progress" in result.output
    finally:
        get_settings.cache_clear()
