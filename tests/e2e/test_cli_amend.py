"""`agencyflow plan diff` and `agencyflow cycle migrate` through the CLI: words in Vietnamese by
default, the dry run printing what the applied run prints, clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from agencyflow.config import get_settings
from tests.cli_helpers import cli_for

#: What the default language (Vietnamese) says is what these tests read.
pytestmark = pytest.mark.vietnamese

AMENDMENT = "kim-thanh-ocop-2025-07"


@pytest.fixture
def cli(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    invoke = cli_for(sqlite_engine, monkeypatch, tmp_path)
    yield invoke
    get_settings.cache_clear()


def test_plan_diff_in_words(cli) -> None:  # type: ignore[no-untyped-def]
    vi = cli("plan", "diff", "kim-thanh-ocop", AMENDMENT)
    assert vi.exit_code == 0, vi.output
    assert "Nhiệm vụ XA-5: thời hạn: ngày 30/09 → ngày 31/10" in vi.output
    en = cli("plan", "diff", "kim-thanh-ocop", AMENDMENT, "--lang", "en")
    assert "Step KTHT-7: lead: KTHT → SO-KHCN" in en.output
    data = json.loads(cli("plan", "diff", "kim-thanh-ocop", AMENDMENT, "--json").output)
    [xa5] = [c for c in data if c["key"] == "XA-5" and c["field"] == "deadline"]
    assert (xa5["old"]["month"], xa5["old"]["day"], xa5["new"]["month"], xa5["new"]["day"]) == (
        9, 30, 10, 31)
    missing = cli("plan", "diff", "kim-thanh-ocop", "no-such-plan")
    assert missing.exit_code != 0 and "no-such-plan" in missing.output
    assert "Traceback" not in missing.output


def test_cycle_migrate_dry_run_then_applied(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("cycle", "start", "--plan", "kim-thanh-ocop", "--year", "2025", "--start",
               "2025-01-02", "--now", "2025-01-02").exit_code == 0
    assert cli("user", "add", "dieu.phoi", "--role", "coordinator", "--agency", "NN",
               "--now", "2025-01-02").exit_code == 0
    args = ("cycle", "migrate", "--cycle", "1", "--to", AMENDMENT, "--successors", AMENDMENT,
            "--now", "2025-07-01T08:00")
    refused = cli(*args)
    assert refused.exit_code != 0 and "--dry-run" in refused.output
    dry = cli(*args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("CHẠY THỬ, không lưu gì: Chu kỳ 1 (kim-thanh-ocop 2025)")
    again = cli(*args, "--dry-run")
    assert again.output == dry.output  # nothing was saved
    applied = cli(*args, "--as", "dieu.phoi")
    assert applied.exit_code == 0, applied.output
    assert applied.output.splitlines()[1:] == dry.output.splitlines()[1:]
    assert "XA-1 2025 XA-KIM-XUYEN [đã giao]: chủ trì: XA-KIM-XUYEN → XA-PHU-THAI" in applied.output
    board = json.loads(cli("board", "--now", "2025-07-02", "--format", "json").output)
    assert {r["lead"] for r in board} >= {"SO-NNMT", "SO-CT", "SO-KHCN", "XA-PHU-THAI"}
    old = json.loads(cli("board", "--now", "2025-06-30", "--format", "json").output)
    assert "SO-NNMT" not in {r["lead"] for r in old} and "NN" in {r["lead"] for r in old}
    twice = cli("cycle", "migrate", "--cycle", "1", "--to", "2", "--now", "2025-07-01T09:00",
                "--as", "dieu.phoi")
    assert twice.exit_code != 0 and "không có gì để chuyển đổi" in twice.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nsuccessors:\n  plan: kim-thanh-ocop\n  effective: 2025-07-01\n"
                   "  map:\n    - {from: NN, to: NO-SUCH}\n", encoding="utf-8")
    wrong = cli("cycle", "migrate", "--cycle", "1", "--to", "2", "--successors", str(bad),
                "--dry-run", "--now", "2025-07-01T09:00")
    assert wrong.exit_code != 0 and "NO-SUCH" in wrong.output and "Traceback" not in wrong.output
