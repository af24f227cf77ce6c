"""`agencyflow products list|show|import` on the test databases: an import refused with every
problem and nothing written, then imported, listed and shown with its status on a day."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from agencyflow.cli import app
from agencyflow.config import get_settings
from tests.factories import FIXTURES, store_plan

HEADER = "Sản phẩm,Chủ thể,Xã,Điểm,Số quyết định,Ngày quyết định,Bộ tiêu chí\n"


@pytest.fixture
def run(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run `agencyflow products ARGS` on the test database (SQLite and PostgreSQL)."""
    monkeypatch.setenv("AGENCYFLOW_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AGENCYFLOW_TOKEN", raising=False)
    monkeypatch.setenv("AGENCYFLOW_SIMULATION", "true")
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, ["products", *args], catch_exceptions=False)
    get_settings.cache_clear()


@pytest.mark.vietnamese  # reads what the commands print by default
def test_import_list_and_show(run: Any, engine: Engine, tmp_path: Path) -> None:
    store_plan(engine, text=(FIXTURES / "registry-plan.yaml").read_text(encoding="utf-8"))
    bad = tmp_path / "san-pham.csv"
    bad.write_text(HEADER + "Gạo nếp,HTX Tuấn Việt,XA-B,68,45/QĐ-UBND,20/11/2024,1048\n"
                   "Bánh gai,Hộ Lê C,XA-Z,81,46/QĐ-UBND,31/02/2024,148/2023\n", encoding="utf-8")
    refused = run("import", str(bad), "--plan", "registry-ocop")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "nothing was imported" not in refused.output  # Vietnamese by default
    for text in ("không nhập gì cả", "dòng 3, commune", "'XA-Z'", "dòng 3, decision_date"):
        assert text in refused.output, refused.output
    listed = run("list", "--plan", "registry-ocop", "--format", "json")
    assert listed.exit_code == 0 and json.loads(listed.output) == []

    good = tmp_path / "good.csv"
    good.write_text(HEADER + "Gạo nếp,HTX Tuấn Việt,XA-B,68,45/QĐ-UBND,20/11/2024,1048\n",
                    encoding="utf-8")
    done = run("import", str(good), "--plan", "registry-ocop")
    assert done.exit_code == 0 and "đã ghi 1 sản phẩm" in done.output, done.output
    before = json.loads(run("list", "--plan", "registry-ocop", "--now", "2027-11-19",
                            "--format", "json").output)
    assert [(p["product"], p["stars"], p["expires_on"], p["status"]) for p in before] == [
        ("Gạo nếp", 3, "2027-11-20", "expiring")]
    expired = run("list", "--plan", "registry-ocop", "--now", "2027-11-20", "--status", "expired")
    assert expired.exit_code == 0 and "HẾT HẠN" in expired.output, expired.output
    shown = run("show", str(before[0]["id"]), "--now", "2027-11-20", "--format", "json")
    assert json.loads(shown.output)[0]["status"] == "expired"
    missing = run("show", "999")
    assert missing.exit_code == 1 and "999" in missing.output


def test_a_one_off_plan_starts_its_one_cycle_without_a_year(run: Any, engine: Engine) -> None:
    runner = CliRunner()
    plan = str(FIXTURES / "one-off-winter.yaml")
    started = runner.invoke(app, ["cycle", "start", "--plan", plan, "--now", "2030-11-15"],
                            catch_exceptions=False)
    assert started.exit_code == 0 and "cycle 2030 of winter-review" in started.output, \
        started.output
    board = runner.invoke(app, ["board", "--plan", "winter-review", "--now", "2030-11-15",
                                "--format", "json"], catch_exceptions=False)
    dues = {(r["step_id"], r["commune"]): r["due"] for r in json.loads(board.output)}
    assert dues[("KICKOFF", None)] == "2030-11-18"
    assert dues[("COMMUNE-REPORT", "XA-B")] == "2031-01-28"
    table = runner.invoke(app, ["board", "--plan", "winter-review", "--now", "2030-11-15",
                                "--lang", "vi"], catch_exceptions=False)
    assert "Các xã" in table.output  # the column is named by the plan's own group
    yearly = runner.invoke(app, ["cycle", "start", "--plan", "kim-thanh-ocop"],
                           catch_exceptions=False)
    assert yearly.exit_code == 1 and "--year" in yearly.output and "2019" in yearly.output
