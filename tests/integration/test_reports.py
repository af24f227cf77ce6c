"""The progress report: its figures are the board's, in every format, on SQLite and PostgreSQL.

The world (tests/report_world.py) is lived through the real use cases; the report is made by the
CLI, and its totals are compared with ``agencyflow board --format json`` on the same day.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from agencyflow.config import get_settings
from tests import report_world
from tests.cli_helpers import Invoke, cli_for
from tests.factories import CALENDAR

#: What the default language (Vietnamese) says is what these tests read.
pytestmark = pytest.mark.vietnamese


NOW = "2027-04-15"


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    """The CLI on the world's database."""
    report_world.build(engine)
    monkeypatch.setenv("AGENCYFLOW_REPORT_PLACE", "Thử")
    yield cli_for(engine, monkeypatch, tmp_path, lang="vi")
    get_settings.cache_clear()


def board_counts(cli: Invoke, *extra: str) -> Counter[str]:
    """Board statuses counted from ``agencyflow board --format json``."""
    result = cli("board", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                 "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return Counter(r["board_status"] for r in json.loads(result.output))


def summary(path: Path) -> dict[str, int]:
    """The Summary sheet of the xlsx report: label → count (a sub-line is ``parent/line``)."""
    ws = load_workbook(path)["Tổng hợp"]
    out: dict[str, int] = {}
    parent = ""
    for label, count in ws.iter_rows(min_row=7, max_col=2, values_only=True):
        text = str(label)
        if text.lstrip().startswith("—"):
            out[f"{parent}/{text.strip(' —')}"] = count
        else:
            parent = text
            out[text] = count
    return out


def test_the_report_totals_are_the_boards(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = cli("report", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                 "--format", "xlsx", "-o", str(out), "--as", "chu.tich")
    assert result.exit_code == 0, result.output
    board = board_counts(cli)
    got = summary(out)
    assert got["Tổng số nhiệm vụ"] == sum(board.values()) - board["cancelled"]
    assert got["Đã hoàn thành"] == board["done_on_time"] + board["done_late"]
    assert got["Đã hoàn thành/đúng hạn"] == board["done_on_time"] == 2  # PLAN, EVAL XA-A
    assert got["Đã hoàn thành/quá hạn"] == board["done_late"] == 1  # MARKET Q1
    assert got["Chưa hoàn thành/trong hạn"] == board["in_progress"] + board["due_soon"]
    assert got["Chưa hoàn thành/quá hạn"] == board["overdue"] == 1  # EVAL XA-C
    assert got["Chưa hoàn thành/chưa đến kỳ hoặc chờ nhiệm vụ trước"] == board["waiting"]
    assert got["Đã hủy"] == board["cancelled"]
    # per agency: the sheet's rows are the board's counts per lead
    ws = load_workbook(out)["Theo cơ quan"]
    per_lead = {r[0]: r[2] for r in ws.iter_rows(min_row=2, values_only=True)}
    rows = json.loads(cli("board", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                          "--format", "json").output)
    lead_totals = Counter(r["lead"] for r in rows if r["board_status"] != "cancelled")
    assert per_lead == dict(lead_totals)


def test_a_quarter_counts_what_was_due_in_it(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "q.xlsx"
    result = cli("report", "--plan", "walk-ocop", "--quarter", "2027-Q1", "--now", NOW,
                 "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = json.loads(cli("board", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                          "--format", "json").output)
    due_q1 = [r for r in rows if r["due"] and "2027-01-01" <= r["due"] <= "2027-03-31"]
    assert summary(out)["Tổng số nhiệm vụ"] == len(due_q1) > 0


@pytest.mark.parametrize("period", [["--year", "2027"], ["--quarter", "2027-Q1"]])
def test_each_agency_and_commune_row_is_the_boards_count_per_status(
        cli: Invoke, tmp_path: Path, period: list[str]) -> None:
    """The tables per lead agency and per commune (counted in SQL) hold, status by status,
    what the board's rows of the period say."""
    out = tmp_path / "t.xlsx"
    result = cli("report", "--plan", "walk-ocop", *period, "--now", NOW, "--format", "xlsx",
                 "-o", str(out), "--as", "chu.tich")
    assert result.exit_code == 0, result.output
    rows = json.loads(cli("board", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                          "--format", "json").output)
    if period[0] == "--quarter":
        rows = [r for r in rows if r["due"] and "2027-01-01" <= r["due"] <= "2027-03-31"]
    order = ["done_on_time", "done_late", "in_progress", "due_soon", "overdue", "waiting",
             "cancelled"]  # the sheets' status columns
    wb = load_workbook(out)
    for sheet, key in (("Theo cơ quan", "lead"), ("Theo xã", "commune")):
        want: dict[str, Counter[str]] = {}
        for r in rows:
            if r[key]:
                want.setdefault(r[key], Counter())[r["board_status"]] += 1
        got = {line[0]: dict(zip(order, line[3:], strict=True))
               for line in wb[sheet].iter_rows(min_row=2, values_only=True)}
        assert got == {code: {s: c[s] for s in order} for code, c in want.items()}, sheet
        assert got  # the world has leads and communes in the period


def test_the_markdown_report_lists_overdue_extensions_and_targets(cli: Invoke) -> None:
    result = cli("report", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                 "--format", "md")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Số:        /BC-UBND" in text and "Thử, ngày 15 tháng 04 năm 2027" in text
    # EVAL of XA-C was due 26/03/2027; the working days late are the calendar's
    late = CALENDAR.working_days_between(date(2027, 3, 26), date(2027, 4, 15))
    assert f"| Xã C | 26/03/2027 | {late} |" in text
    assert "| 26/03/2027 | 30/04/2027 | Chờ kết quả kiểm nghiệm |" in text
    assert "| T-1 Sản phẩm 3–4 sao | 2027 | 1 | 2 | đang thực hiện |" in text
    english = cli("report", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                  "--format", "md", "--lang", "en").output
    assert "III. OVERDUE ASSIGNMENTS" in english and "in_progress" in english


def test_html_escapes_and_embeds_the_chart(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = cli("report", "--plan", "walk-ocop", "--month", "2027-03", "--now", NOW,
                 "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "data:image/png;base64,iVBOR" in html
    assert "tháng 3 năm 2027" in html


@pytest.mark.parametrize("args", [
    ["--year", "2027", "--month", "2027-05"], ["--quarter", "2027-Q5"], ["--month", "5/2027"],
    ["--year", "2027", "--format", "pdf"], []])
def test_bad_periods_and_formats_are_refused_clearly(cli: Invoke, args: list[str]) -> None:
    result = cli("report", "--plan", "walk-ocop", *args)
    assert result.exit_code == 1 and result.output.strip() and "Traceback" not in \
        result.output, result.output


def test_an_officer_reports_its_own_agency(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "xa-c.xlsx"
    result = cli("report", "--plan", "walk-ocop", "--year", "2027", "--agency", "XA-C",
                 "--now", NOW, "--format", "xlsx", "-o", str(out), "--as", "can.bo.xa-c")
    assert result.exit_code == 0, result.output
    board = board_counts(cli, "--agency", "XA-C")
    assert summary(out)["Tổng số nhiệm vụ"] == sum(board.values())
    assert io.BytesIO(out.read_bytes()).getbuffer().nbytes > 0


def test_the_report_knows_what_the_board_knew_on_its_day(cli: Invoke, engine: Engine,
                                                         tmp_path: Path) -> None:
    """A completion and a cancellation recorded after --now are on neither the board nor the
    report of that day (services.board.asof: what was known then), and on both afterwards."""
    from agencyflow.db import session_scope
    from agencyflow.services.assignments import moves as assignments
    from tests.factories import at
    from tests.lifecycle_plan import COORDINATOR, assignment_id, commune_officer

    late = assignment_id(engine, "EVAL", "XA-C")
    with session_scope(engine) as s:  # recorded on 20/04, after the report's day
        assignments.complete(s, assignment_id=late, actor=commune_officer("XA-C"),
                             now=at(2027, 4, 20), calendar=CALENDAR, outputs={"products": [
                                 {"product": "Mật ong", "producer": "HTX C", "score": 80}]})
    with session_scope(engine) as s:
        assignments.cancel(s, assignment_id=assignment_id(engine, "EVAL", "XA-B"),
                           actor=COORDINATOR, now=at(2027, 4, 20), calendar=CALENDAR,
                           reason="Xã sáp nhập")
    out = tmp_path / "r.xlsx"
    result = cli("report", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                 "--format", "xlsx", "-o", str(out), "--as", "chu.tich")
    assert result.exit_code == 0, result.output
    board = board_counts(cli)
    assert board["overdue"] == 1  # the board of 15/04 does not know the completion
    got = summary(out)
    assert got["Chưa hoàn thành/quá hạn"] == board["overdue"] == 1
    assert got["Đã hoàn thành"] == board["done_on_time"] + board["done_late"] == 3
    assert got["Đã hủy"] == board["cancelled"] == 0  # cancelled on 20/04 only
    after = tmp_path / "after.xlsx"
    assert cli("report", "--plan", "walk-ocop", "--year", "2027", "--now", "2027-04-21",
               "--format", "xlsx", "-o", str(after), "--as", "chu.tich").exit_code == 0
    assert summary(after)["Chưa hoàn thành/quá hạn"] == 0
    assert summary(after)["Đã hoàn thành/quá hạn"] == 2  # MARKET Q1 and now EVAL XA-C
    assert summary(after)["Đã hủy"] == 1
