"""The streamed Excel writer of the report and the board export (services/reports/xlsx_util.py),
read back with openpyxl as a user's Excel would open it: text stays text whatever it starts
with, dates are dates shown dd/mm/yyyy, a status cell has its colour, and a write that fails
half-way leaves no temporary file behind."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from agencyflow.services.reports.xlsx_util import STATUS_FILLS, Book

INJECTIONS = ["=1+1", '=HYPERLINK("http://evil","x")', "+33 1 23", "-2+3", "@SUM(A1:A2)",
              "http://example.org"]


def test_text_stays_text_and_values_keep_their_kind() -> None:
    with Book() as wb:
        sheet = wb.sheet("Thử", ["Văn bản", "Ngày", "Số", "Danh sách", "Trạng thái"],
                         [20, 12, 8, 20, 16])
        for text in INJECTIONS:
            sheet.append([text, date(2027, 3, 15), 7, ["XA-A", "XA-B"],
                          sheet.cell("Quá hạn", "overdue")])
        sheet.append([None, datetime(2027, 3, 15, 9, 30, tzinfo=UTC), 2.5, None, None])
        content = wb.bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    ws = load_workbook(io.BytesIO(content))["Thử"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:E{len(INJECTIONS) + 2}"
    assert [c.value for c in ws[1]] == ["Văn bản", "Ngày", "Số", "Danh sách", "Trạng thái"]
    assert ws[1][0].font.bold
    for row, text in zip(ws.iter_rows(min_row=2), INJECTIONS, strict=False):
        assert row[0].value == text and row[0].data_type == "s"
        assert row[1].value == datetime(2027, 3, 15) and row[1].number_format == "dd/mm/yyyy"
        assert row[2].value == 7 and row[3].value == "XA-A, XA-B"
        assert row[4].fill.fgColor.rgb.endswith(STATUS_FILLS["overdue"])
    last = list(ws.iter_rows(min_row=len(INJECTIONS) + 2))[0]
    assert last[1].value == datetime(2027, 3, 15, 9, 30)
    assert last[1].number_format == "dd/mm/yyyy hh:mm" and last[2].value == 2.5
    assert ws.column_dimensions["A"].width == pytest.approx(20, abs=1)


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("cannot be written")


def test_a_write_that_fails_half_way_leaves_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError, match="cannot be written"), Book() as wb:
        sheet = wb.sheet("A", ["x"], [10])
        for i in range(100):
            sheet.append([f"dòng {i}"])
        sheet.append([Unprintable()])
    assert list(tmp_path.iterdir()) == []
