"""The Word report follows Decree 30/2020/NĐ-CP and converts to PDF with LibreOffice.

python-docx reads back the letterhead table (issuing body left, national motto right), the
number and date lines, the figures, Times New Roman 13–14 pt, A4 and the margins. One rendering
check converts the file with ``soffice --headless`` (``.ci/run`` installs LibreOffice when it is
missing) and reads the page count and fonts with poppler.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from docx.shared import Pt
from sqlalchemy import Engine

from agencyflow.config import get_settings
from agencyflow.services.reports import docx_template
from tests import report_world
from tests.cli_helpers import Invoke, cli_for

#: What the default language (Vietnamese) says is what these tests read.
pytestmark = pytest.mark.vietnamese


NOW = "2027-04-15"


def _cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Invoke:
    report_world.build(engine)
    monkeypatch.setenv("AGENCYFLOW_REPORT_PLACE", "Kim Thành")
    monkeypatch.setenv("AGENCYFLOW_REPORT_SIGNER", "Nguyễn Văn Bình")
    monkeypatch.setenv("AGENCYFLOW_REPORT_SUPERIOR", "UBND tỉnh Hải Dương")
    return cli_for(engine, monkeypatch, tmp_path, lang="vi")


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    """The CLI on the world's database (SQLite and PostgreSQL)."""
    yield _cli(engine, monkeypatch, tmp_path)
    get_settings.cache_clear()


def make_docx(cli: Invoke, path: Path) -> docx.document.Document:
    result = cli("report", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                 "--format", "docx", "-o", str(path))
    assert result.exit_code == 0, result.output
    return docx.Document(str(path))


def all_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_the_docx_has_the_administrative_format(cli: Invoke, tmp_path: Path) -> None:
    document = make_docx(cli, tmp_path / "r.docx")
    head = document.tables[0]
    left, right = (c.text for c in head.rows[0].cells)
    assert "UBND TỈNH HẢI DƯƠNG" in left and "UBND\nHUYỆN" in left
    assert "Số:" in left and "/BC-UBND" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert "Kim Thành, ngày 15 tháng 04 năm 2027" in right
    borders = head._tbl.tblPr.xml
    assert 'w:val="nil"' in borders  # borderless
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert "Kết quả thực hiện nhiệm vụ được giao năm 2027" in texts
    text = all_text(document)
    assert "Nơi nhận:" in text and "Nguyễn Văn Bình" in text and "PHÓ CHỦ TỊCH" in text
    # the figures are the board's
    rows = json.loads(cli("board", "--plan", "walk-ocop", "--year", "2027", "--now", NOW,
                          "--format", "json").output)
    board = Counter(r["board_status"] for r in rows)
    total = sum(board.values()) - board["cancelled"]
    assert f"- Tổng số nhiệm vụ: {total}." in texts
    assert f"quá hạn {board['overdue']} (" in text
    assert f"Đã hoàn thành: {board['done_on_time'] + board['done_late']} (" in text
    assert "Chờ kết quả kiểm nghiệm" in text  # the extension's reason
    assert "{{" not in text and "{%" not in text  # every tag rendered
    # page and font
    section = document.sections[0]
    mm = {k: round(getattr(section, k).mm) for k in ("page_width", "page_height", "top_margin",
                                                      "bottom_margin", "left_margin",
                                                      "right_margin")}
    assert (mm["page_width"], mm["page_height"]) == (210, 297)  # A4
    assert 20 <= mm["top_margin"] <= 25 and 20 <= mm["bottom_margin"] <= 25
    assert 30 <= mm["left_margin"] <= 35 and 15 <= mm["right_margin"] <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)
    sizes = {r.font.size for p in document.paragraphs for r in p.runs if r.font.size}
    assert all(Pt(13) <= s <= Pt(14) for s in sizes), sizes
    assert document.inline_shapes, "the chart is in the document"


def test_a_site_template_replaces_the_packaged_one(cli: Invoke, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site.docx"
    shutil.copy(docx_template.PATH, site)
    edited = docx.Document(str(site))
    edited.paragraphs[0].insert_paragraph_before("MẪU CỦA HUYỆN {{ place }}")
    edited.save(str(site))
    monkeypatch.setenv("AGENCYFLOW_REPORT_TEMPLATE", str(site))
    assert "MẪU CỦA HUYỆN Kim Thành" in all_text(make_docx(cli, tmp_path / "r.docx"))
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    monkeypatch.setenv("AGENCYFLOW_REPORT_TEMPLATE", str(broken))
    result = cli("report", "--plan", "walk-ocop", "--year", "2027", "--format", "docx",
                 "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 1 and "not a Word (.docx) file" in result.output


def test_the_packaged_template_is_what_the_builder_writes(tmp_path: Path) -> None:
    built = docx.Document(str(docx_template.build(tmp_path / "t.docx")))
    packaged = docx.Document(str(docx_template.PATH))
    assert all_text(built) == all_text(packaged)


def test_the_docx_converts_to_pdf_in_liberation_serif(sqlite_engine: Engine, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _cli(sqlite_engine, monkeypatch, tmp_path)
    try:
        make_docx(cli, tmp_path / "r.docx")
    finally:
        get_settings.cache_clear()
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-writer-nogui) is needed: .ci/run installs it"
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "r.docx")],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "r.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    pages = int(next(line.split()[1] for line in info.stdout.splitlines()
                     if line.startswith("Pages:")))
    assert 2 <= pages <= 5, pages  # the report, the signature, the commune appendix
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                           text=True).stdout
    assert "LiberationSerif" in fonts and "DejaVu" not in fonts, fonts
