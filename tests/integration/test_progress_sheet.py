"""Excel out and back in: the board export, the progress sheet, and its import.

The sheet is filled in with openpyxl as an agency would, imported through the CLI, and the board
and the audit trail show the changes — or, for a sheet with errors, every error is listed and
nothing at all is written. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from agencyflow.config import get_settings
from agencyflow.models import AuditEvent
from agencyflow.services.sheets import workbooks
from tests import report_world
from tests.cli_helpers import Invoke, cli_for
from tests.lifecycle_plan import get

#: What the default language (Vietnamese) says is what these tests read.
pytestmark = pytest.mark.vietnamese


NOW = "2027-04-15"


@pytest.fixture
def world(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
          ) -> Iterator[tuple[Invoke, report_world.World, Engine]]:
    """The CLI on the world's database."""
    built = report_world.build(engine)
    yield cli_for(engine, monkeypatch, tmp_path, lang="vi"), built, engine
    get_settings.cache_clear()


def export(cli: Invoke, agency: str, path: Path) -> Path:
    result = cli("export", "progress-sheet", "--agency", agency, "--cycle", "2027", "-o",
                 str(path), "--now", NOW, "--as", "dieu.phoi")
    assert result.exit_code == 0, result.output
    return path


def events(engine: Engine, assignment_id: int) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.target_id == str(assignment_id))).scalar_one()


def board_status(cli: Invoke, assignment_id: int) -> str:
    rows = json.loads(cli("board", "--year", "2027", "--now", NOW, "--format", "json").output)
    return next(r["board_status"] for r in rows if r["id"] == assignment_id)


def test_the_board_exports_as_a_real_workbook(world, tmp_path: Path) -> None:
    cli, w, engine = world
    out = tmp_path / "b.xlsx"
    assert cli("export", "board", "--year", "2027", "--now", NOW, "-o", str(out)).exit_code == 0
    wb = load_workbook(out)
    ws = wb["Bảng theo dõi"]
    assert [c.value for c in ws[1]][:4] == ["ID", "Bước", "Giai đoạn", "Cơ quan chủ trì"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:L")
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    overdue = rows[w.eval_c]
    assert overdue[8].value.date().isoformat() == "2027-03-26"
    assert overdue[8].number_format == "dd/mm/yyyy"
    assert overdue[11].value == "Quá hạn chưa hoàn thành"
    assert overdue[11].fill.fgColor.rgb.endswith("FFC7CE")
    counts = {r[0]: r for r in wb["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert counts["XA-C"][2 + 4] == 1  # overdue column (statuses in BoardStatus order)
    assert counts["Tổng"][-1] == len(rows)


def test_a_title_starting_with_equals_stays_text(world, tmp_path: Path) -> None:
    cli, w, engine = world
    from sqlalchemy import update

    from agencyflow.models import Assignment
    with Session(engine) as s:
        s.execute(update(Assignment).where(Assignment.id == w.eval_c)
                  .values(title_vi='=HYPERLINK("http://evil","x")'))
        s.commit()
    out = tmp_path / "b.xlsx"
    assert cli("export", "board", "--year", "2027", "--now", NOW, "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet  # an inline string, never a formula


def test_the_progress_sheet_locks_ids_and_validates(world, tmp_path: Path) -> None:
    cli, w, engine = world
    wb = load_workbook(export(cli, "XA-C", tmp_path / "c.xlsx"))
    ws = wb["Tiến độ"]
    assert ws.protection.sheet and ws.freeze_panes == "A2"
    assert ws["A2"].value == w.eval_c and ws["A2"].protection.locked
    assert not ws["G2"].protection.locked and not ws["H2"].protection.locked
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert "list" in kinds  # Hoàn thành: có/không
    items = wb["Danh sách"]
    assert {dv.type for dv in items.data_validations.dataValidation} >= {"list", "decimal"}
    assert wb["_meta"].sheet_state == "veryHidden"


def fill_c(path: Path, *, score: object = "75,5", date: object = "15/03/2027",
           done: str = "có") -> None:
    wb = load_workbook(path)
    ws = wb["Tiến độ"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=7, value=done)
    ws.cell(row=2, column=8, value="Đã tổ chức đánh giá")
    ws.cell(row=2, column=headers.index("Ngày họp (meeting_date)") + 1, value=date)
    items = wb["Danh sách"]
    titles = [c.value for c in items[1]]
    items.append([None] * len(titles))
    row = items.max_row
    items.cell(row=row, column=1, value=ws["A2"].value)
    items.cell(row=row, column=2, value="products")
    items.cell(row=row, column=titles.index("Tên sản phẩm (product)") + 1, value="Gà đồi")
    items.cell(row=row, column=titles.index("Chủ thể (producer)") + 1, value="HTX C")
    items.cell(row=row, column=titles.index("Điểm (score)") + 1, value=score)
    wb.save(path)


def test_round_trip_completes_with_vietnamese_text_values(world, tmp_path: Path) -> None:
    cli, w, engine = world
    path = export(cli, "XA-C", tmp_path / "c.xlsx")
    fill_c(path)
    before = events(engine, w.eval_c)
    dry = cli("import", "progress", str(path), "--as", "can.bo.xa-c", "--now", NOW,
              "--dry-run")
    assert dry.exit_code == 0 and "sẽ cập nhật 1 dòng" in dry.output, dry.output
    assert get(engine, w.eval_c).status == "open" and events(engine, w.eval_c) == before
    result = cli("import", "progress", str(path), "--as", "can.bo.xa-c", "--now", NOW)
    assert result.exit_code == 0, result.output
    a = get(engine, w.eval_c)
    assert a.status == "done" and a.note == "Đã tổ chức đánh giá"
    assert a.outputs["meeting_date"] == "2027-03-15"
    assert a.outputs["products"] == [{"product": "Gà đồi", "producer": "HTX C", "score": 75.5,
                                      "stars": 4}]
    assert board_status(cli, w.eval_c) == "done_late"
    assert events(engine, w.eval_c) == before + 1  # one audit event for the row


def test_several_rows_are_one_use_case_each(world, tmp_path: Path) -> None:
    cli, w, engine = world
    path = export(cli, "KTHT", tmp_path / "k.xlsx")
    wb = load_workbook(path)
    ws = wb["Tiến độ"]
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert len(ids) == 3  # MARKET Q2–Q4: REPORT waits, Q1 is done
    for r in range(2, 5):
        ws.cell(row=r, column=8, value=f"Cập nhật lần {r}")
    ws.cell(row=2, column=7, value="có")
    wb.save(path)
    before = {i: events(engine, i) for i in ids}
    result = cli("import", "progress", str(path), "--as", "can.bo.ktht", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "1 hoàn thành, 0 trình duyệt, 2 báo cáo tiến độ" in result.output
    assert {i: events(engine, i) - before[i] for i in ids} == dict.fromkeys(ids, 1)
    assert [get(engine, i).status for i in ids] == ["done", "in_progress", "in_progress"]


def test_a_sheet_with_errors_is_refused_whole_with_every_error(world, tmp_path: Path) -> None:
    cli, w, engine = world
    path = export(cli, "KTHT", tmp_path / "k.xlsx")
    wb = load_workbook(path)
    ws = wb["Tiến độ"]
    ws.cell(row=2, column=8, value="ổn")                  # a good row...
    ws.cell(row=3, column=7, value="chắc vậy")            # not có/không
    ws.cell(row=4, column=6, value=99)                    # a stale version
    ws.cell(row=4, column=8, value="x")
    ws.append([123456, None, None, None, None, None, None, "ghost"])  # not in the cycle
    wb.save(path)
    before = events(engine, ws["A2"].value)
    result = cli("import", "progress", str(path), "--as", "can.bo.ktht", "--now", NOW)
    assert result.exit_code == 1, result.output
    out = result.output
    assert "k.xlsx: có 3 lỗi, chưa nhập gì" in out, out
    assert "Tiến độ!G3: completed: 'chắc vậy' không phải là có hoặc không" in out
    assert "Tiến độ!F4: version:" in out and "hãy xuất phiếu mới" in out
    assert "Tiến độ!A5: id: nhiệm vụ 123456 không thuộc chu kỳ của phiếu" in out
    assert events(engine, ws["A2"].value) == before  # the good row was not applied either


def test_bad_cells_name_sheet_cell_and_field(world, tmp_path: Path) -> None:
    cli, w, engine = world
    path = export(cli, "XA-C", tmp_path / "c.xlsx")
    fill_c(path, score="1.5", date="31/02/2027")
    result = cli("import", "progress", str(path), "--as", "can.bo.xa-c", "--now", NOW)
    assert result.exit_code == 1, result.output
    assert "Danh sách!E2: outputs.products[1].score: '1.5' không rõ nghĩa: hãy viết phần " \
        "thập phân bằng dấu phẩy (1,5)" in result.output
    assert "Tiến độ!I2: outputs.meeting_date: '31/02/2027' không phải là ngày" in result.output
    fill_c(path, score=130, date="15/03/2027")
    result = cli("import", "progress", str(path), "--as", "can.bo.xa-c", "--now", NOW)
    assert "outputs.products[1].score:" in result.output and "100" in result.output
    assert get(engine, w.eval_c).status == "open"


def test_an_officer_imports_only_for_their_agency(world, tmp_path: Path) -> None:
    cli, w, engine = world
    path = export(cli, "XA-C", tmp_path / "c.xlsx")
    fill_c(path)
    result = cli("import", "progress", str(path), "--as", "can.bo.xa-b", "--now", NOW)
    assert result.exit_code == 1 and "chỉ được nhập phiếu của cơ quan mình" in result.output
    assert cli("import", "progress", str(path), "--now", NOW).exit_code == 1  # no identity
    assert get(engine, w.eval_c).status == "open"


@pytest.mark.parametrize("make", ["text", "zip", "empty-xlsx", "huge", "bomb"])
def test_bad_and_hostile_files_get_a_clear_error(world, tmp_path: Path, make: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cli, w, engine = world
    path = tmp_path / "bad.xlsx"
    if make == "text":
        path.write_text("id,note\n1,x\n")
    elif make == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "hi")
    elif make == "empty-xlsx":
        from openpyxl import Workbook
        Workbook().save(path)
    elif make == "huge":
        with path.open("wb") as f:
            f.truncate(workbooks.MAX_BYTES + 1)
    else:
        export(cli, "XA-C", path)
        monkeypatch.setattr(workbooks, "MAX_UNPACKED", 1000)
    result = cli("import", "progress", str(path), "--as", "can.bo.xa-c", "--now", NOW)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "bad.xlsx" in result.output, result.output
