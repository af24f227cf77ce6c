"""`agencyflow demo` end to end: a whole simulated year through the CLI, on fresh data directories.

One run takes about 20 s (every working day of 2027: a sweep, a dispatch to the demo's own
webhook sink, the agencies' acts). The first run happens in this process (typer's CliRunner);
the rerun happens in a fresh interpreter, which also proves that the demo never imports Prefect
(this test session may have imported it for the flow tests).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agencyflow.cli import app
from agencyflow.config import get_settings

runner = CliRunner()

RERUN = """
import json, sys
from typer.testing import CliRunner
from agencyflow.cli import app
result = CliRunner().invoke(app, ["demo", "--json"], catch_exceptions=False)
assert result.exit_code == 0, result.output
summary = json.loads(result.stdout)
summary["prefect_imported"] = "prefect" in sys.modules
print(json.dumps(summary, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh data directory, configured for the whole module (settings cache cleared)."""
    path = tmp_path_factory.mktemp("demo") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AGENCYFLOW_DATA_DIR", str(path))
        mp.setenv("COLUMNS", "200")
        for name in ("AGENCYFLOW_DATABASE_URL", "AGENCYFLOW_TOKEN", "AGENCYFLOW_APPRISE_CONFIG"):
            mp.delenv(name, raising=False)
        get_settings.cache_clear()
        yield path
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def summary(data_dir: Path) -> dict[str, Any]:
    """The JSON summary of one demo run on ``data_dir``."""
    result = runner.invoke(app, ["demo", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_overdue_assignment_is_escalated_to_the_leader(summary: dict[str, Any]) -> None:
    assert summary["leader"] == "UBND-HUYEN"
    assert summary["received"]["UBND-HUYEN"] == {"escalation": 2}  # levels 1 and 2
    assert summary["board"]["XA-THUONG-VU"]["overdue"] == 1
    assert summary["sample"]["agency"] == "UBND-HUYEN"
    assert summary["sample"]["title"].startswith("[Báo cáo chậm tiến độ - cấp 1]")


def test_the_demo_leaves_the_yearly_report_and_the_board_in_its_data_directory(
        summary: dict[str, Any], data_dir: Path) -> None:
    import docx
    from openpyxl import load_workbook

    report, board = (Path(f) for f in summary["files"])
    assert report == data_dir / "bao-cao-kim-thanh-ocop-2027.docx"
    assert "Kết quả thực hiện nhiệm vụ được giao năm 2027" in [
        p.text for p in docx.Document(str(report)).paragraphs]
    assert board == data_dir / "bang-theo-doi-kim-thanh-ocop-2027.xlsx"
    rows = load_workbook(board)["Bảng theo dõi"].max_row - 1
    assert rows == sum(sum(c.values()) for c in summary["board"].values())


def test_leads_hear_extension_decisions_and_the_coordinator_every_completion(
        summary: dict[str, Any]) -> None:
    received = summary["received"]
    assert received["KTHT"]["extension_decided"] == 1  # KTHT-6: granted by the coordinator
    assert received["XA-KIM-ANH"]["extension_decided"] == 1  # XA-5: refused by the leader
    done = {agency: counts.get("done_on_time", 0) + counts.get("done_late", 0)
            for agency, counts in summary["board"].items()}
    # NN coordinates the plan: it hears of every completion but its own
    assert received["NN"]["completed"] == sum(done.values()) - done["NN"]
    assert all("completed" not in kinds for agency, kinds in received.items() if agency != "NN")


def test_the_audit_chain_verifies(summary: dict[str, Any]) -> None:
    assert summary["audit"]["intact"] is True
    assert summary["audit"]["error"] is None
    assert summary["audit"]["events"] > 200


def test_every_agency_with_an_open_assignment_heard_from_agencyflow(summary: dict[str, Any]
                                                                    ) -> None:
    assert len(summary["leads"]) == 21  # 3 offices, the town and 17 communes
    for agency in summary["leads"]:
        assert sum(summary["received"].get(agency, {}).values()) >= 1, agency


def test_the_sink_and_the_outbox_agree(summary: dict[str, Any]) -> None:
    assert summary["consistent"] is True
    assert summary["unmatched"] == 0
    assert summary["missing_tags"] == []
    for agency, kinds in summary["received"].items():
        assert sum(kinds.values()) == summary["outbox_sent"][agency], agency
    assert set(summary["outbox"]) <= {"sent", "digested", "superseded"}


def test_the_story_shows_on_the_board_and_in_the_targets(summary: dict[str, Any]) -> None:
    totals: dict[str, int] = {}
    for counts in summary["board"].values():
        for status, n in counts.items():
            totals[status] = totals.get(status, 0) + n
    assert totals["overdue"] == 1
    assert totals["done_late"] >= 5
    assert totals["done_on_time"] > totals["done_late"]
    assert {"target": "T-4", "period": "2027", "value": 3, "min": 1.0,
            "status": "met"} in summary["targets"]


def test_a_rerun_on_a_fresh_directory_tells_the_same_story_without_prefect(
        summary: dict[str, Any], tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("AGENCYFLOW_DATABASE_URL", "AGENCYFLOW_TOKEN")}
    env["AGENCYFLOW_DATA_DIR"] = str(tmp_path / "again")
    done = subprocess.run([sys.executable, "-c", RERUN], env=env, capture_output=True,
                          text=True, check=False, timeout=240)
    assert done.returncode == 0, done.stderr
    again = json.loads(done.stdout)
    assert again.pop("prefect_imported") is False
    for key in ("received", "outbox_sent", "board", "targets", "leads"):
        assert again[key] == summary[key], key
    assert again["audit"]["events"] == summary["audit"]["events"]


def test_each_month_counts_completions_and_their_notices_alike(summary: dict[str, Any]) -> None:
    """The coordinator (NN) is not told of completions it made itself: the month line says how
    many, so that completions and completion notices add up (July 2027 counted 3 and 2)."""
    months = {m["month"]: m for m in summary["months"]}
    for month in months.values():
        assert month["completed"] - month["own"] == month["queued"].get("completed", 0), month
    assert (months["2027-07"]["completed"], months["2027-07"]["own"]) == (3, 1)
    assert sum(m["own"] for m in months.values()) == sum(
        summary["board"]["NN"].get(s, 0) for s in ("done_on_time", "done_late"))


def test_the_closing_command_works_as_printed(summary: dict[str, Any], data_dir: Path) -> None:
    """`make demo` sets AGENCYFLOW_DATA_DIR for the demo only: the command it prints carries
    it, and runs in a shell that has no AGENCYFLOW_DATA_DIR."""
    command = summary["explore"]
    assert command.startswith("AGENCYFLOW_DATA_DIR=") and str(data_dir.name) in command
    assert command.endswith("board --year 2027 --now 2027-12-31")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENCYFLOW_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "31/12/2027" in done.stdout and "XA-THUONG-VU" in done.stdout


def test_the_demo_refuses_a_database_that_holds_data(summary: dict[str, Any]) -> None:
    result = runner.invoke(app, ["demo", "--quiet"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "empty database" in result.output


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["demo", "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_the_2025_chapter_hands_the_district_s_work_to_its_successors(
        summary: dict[str, Any]) -> None:
    chapter = summary["reorganisation_2025"]
    old = {"NN", "KTHT", "TNMT", "UBND-HUYEN", "HOI-DONG"}
    assert chapter["dry_equals_applied"] is True
    assert old & set(chapter["open_by_lead_before"]) == {"NN", "KTHT", "TNMT"}
    after = set(chapter["open_by_lead_after"])
    assert after == {"SO-NNMT", "SO-CT", "SO-KHCN", "XA-PHU-THAI", "XA-LAI-KHE", "XA-AN-THANH",
                     "XA-KIM-THANH"}
    assert sum(chapter["open_by_lead_before"].values()) == sum(
        chapter["open_by_lead_after"].values())  # nothing lost, nothing made up
    assert all(member == lead for member, lead in chapter["done_before_kept"])
    assert chapter["redirected"] > 0 and chapter["users_moved"] == 2
