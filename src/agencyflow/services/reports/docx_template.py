"""Build the packaged Word template ``templates/report.docx`` (run this module to rebuild it).

The template is a docxtpl (Jinja2-in-Word) document laid out by the presentation rules for
administrative documents of Decree 30/2020/NĐ-CP: A4, margins top and bottom 20 mm, left 30 mm,
right 15 mm; Times New Roman, body 14 pt (tables 13 pt); a borderless two-column table with the
issuing body and the number line on the left, the national motto and the place and date on the
right; the title; the body; "Nơi nhận" and the signature block. A site replaces it by editing a
copy in Word (the ``{{ … }}`` and ``{%tr … %}`` tags are the context of
:mod:`agencyflow.services.reports.context`) and pointing ``AGENCYFLOW_REPORT_TEMPLATE`` at it.

    python -m agencyflow.services.reports.docx_template   # rewrites templates/report.docx
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

PATH = Path(__file__).parent / "templates" / "report.docx"
FONT = "Times New Roman"
BODY_PT, TABLE_PT = 14, 13

C, L, R, J = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT,
              WD_ALIGN_PARAGRAPH.JUSTIFY)


def _font(style, size: int) -> None:  # type: ignore[no-untyped-def]
    style.font.name = FONT
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(container, text: str = "", *, align=C, bold: bool = False,  # type: ignore[no-untyped-def]
          italic: bool = False, size: int | None = None, indent: bool = False,
          after: float = 0, underline: bool = False):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.space_before = Pt(0)
    if indent:
        p.paragraph_format.first_line_indent = Mm(12.7)
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
    return p


def _borderless(table) -> None:  # type: ignore[no-untyped-def]
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _widths(table, widths: Sequence[float]) -> None:  # type: ignore[no-untyped-def]
    """Column widths in mm, set where Word and LibreOffice read them (grid and cells)."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Mm(w)


def _cell(cell, text: str, *, bold: bool = False, align=C) -> None:  # type: ignore[no-untyped-def]
    p = cell.paragraphs[0]
    p.alignment = align
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(TABLE_PT)


def _loop_table(doc, headers: list[str], loop: str, cells: list[str],  # type: ignore[no-untyped-def]
                total: list[str] | None = None, widths: Sequence[float] | None = None):
    """A grid table: a header row, then one row per item of ``loop`` (``{%tr for %}``)."""
    table = doc.add_table(rows=4 + (1 if total else 0), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(headers):
        _cell(table.rows[0].cells[i], h, bold=True)
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    _cell(table.rows[1].cells[0], "{%tr for x in " + loop + " %}", align=L)
    for i, c in enumerate(cells):
        _cell(table.rows[2].cells[i], c, align=L if i in (0, 1) and "name" in c or
              "title" in c or "reason" in c else C)
    _cell(table.rows[3].cells[0], "{%tr endfor %}", align=L)
    if total:
        for i, c in enumerate(total):
            _cell(table.rows[4].cells[i], c, bold=True, align=L if i == 0 else C)
    _widths(table, widths or [165 / len(headers)] * len(headers))
    return table


GROUP_HEADERS = ['{{ t("Total") }}', '{{ t("Done on time") }}', '{{ t("Done late") }}',
                 '{{ t("In progress") }}', '{{ t("Overdue") }}', '{{ t("Waiting") }}']
GROUP_CELLS = ["{{ x.total }}", "{{ x.done_on_time }}", "{{ x.done_late }}", "{{ x.within }}",
               "{{ x.overdue }}", "{{ x.waiting }}"]
GROUP_WIDTHS = [50, 15, 20, 20, 20, 20, 20]


def build(path: Path = PATH) -> Path:
    """Write the template to ``path``."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    _font(doc.styles["Normal"], BODY_PT)
    _font(doc.styles["Table Grid"], TABLE_PT)
    doc.styles["Normal"].paragraph_format.space_after = Pt(0)

    head = doc.add_table(rows=1, cols=2)
    _borderless(head)
    _widths(head, [68, 97])
    left, right = head.rows[0].cells
    lp = left.paragraphs[0]
    lp.alignment = C
    lp.add_run("{%p for line in superior %}").font.size = Pt(13)
    _para(left, "{{ line }}", size=13)
    _para(left, "{%p endfor %}", size=13)
    _para(left, "{%p for line in issuer %}", size=13)
    _para(left, "{{ line }}", bold=True, size=13)
    _para(left, "{%p endfor %}", size=13)
    _para(left, "―――――", size=13)
    _para(left, "{{ number_line }}", size=13)
    rp = right.paragraphs[0]
    rp.alignment = C
    run = rp.add_run('{{ t("SOCIALIST REPUBLIC OF VIETNAM") }}')
    run.bold, run.font.size = True, Pt(12)
    _para(right, '{{ t("Independence - Freedom - Happiness") }}', bold=True, size=14)
    _para(right, "――――――――――", size=13)
    _para(right, "{{ date_line }}", italic=True, size=14)

    _para(doc, "", after=6)
    _para(doc, "{{ title }}", bold=True)
    _para(doc, "{{ subtitle }}", bold=True)
    _para(doc, "―――――", after=6)
    _para(doc, '{{ t("Plan") }}: {{ plan_title }}{% if document %} ({{ document }}){% endif %}. '
          '{{ t("Scope") }}: '
          '{{ scope }}.{% if agency %} {{ t("Reported agency") }}: {{ agency }}.{% endif %} '
          "{{ as_of }}", align=J, indent=True, after=6)

    _para(doc, '{{ t("I. GENERAL RESULTS") }}', align=J, bold=True, after=3)
    for line in (
        '{{ t("Total assignments") }}: {{ f.total }}.',
        '{{ t("Completed") }}: {{ f.done }} ({{ f.done_rate }}), {{ t("on time") }} '
        '{{ f.done_on_time }} ({{ f.done_on_time_rate }}), {{ t("late") }} {{ f.done_late }} '
        '({{ f.done_late_rate }}).',
        '{{ t("Not completed") }}: {{ f.not_done }} ({{ f.not_done_rate }}), '
        '{{ t("within the deadline") }} {{ f.within }} ({{ f.within_rate }}; '
        '{{ t("of which due within 3 working days") }} {{ f.due_soon }}), {{ t("overdue") }} '
        '{{ f.overdue }} ({{ f.overdue_rate }}), {{ t("not yet open") }} {{ f.waiting }} '
        '({{ f.waiting_rate }}).',
        '{{ t("Cancelled") }}: {{ f.cancelled }}.',
    ):
        _para(doc, "- " + line, align=J, indent=True)
    _para(doc, "{{ chart }}", after=3)

    _para(doc, '{{ t("II. RESULTS BY LEAD AGENCY") }}', align=J, bold=True, after=3)
    _loop_table(doc, ['{{ t("Agency") }}', *GROUP_HEADERS], "agencies",
                ["{{ x.name }}", *GROUP_CELLS], widths=GROUP_WIDTHS,
                total=['{{ t("Total") }}', "{{ agency_total.total }}",
                       "{{ agency_total.done_on_time }}", "{{ agency_total.done_late }}",
                       "{{ agency_total.within }}", "{{ agency_total.overdue }}",
                       "{{ agency_total.waiting }}"])
    _para(doc, "{{ agencies_more or '' }}", align=J, indent=True, after=3)
    _para(doc, '{{ t("III. OVERDUE ASSIGNMENTS") }}', align=J, bold=True, after=3)
    _para(doc, "{%p if overdue %}", align=L)
    _loop_table(doc, ["#", '{{ t("Assignment") }}', '{{ t("Lead") }}', '{{ t("Due") }}',
                      '{{ t("Working days late") }}'], "overdue",
                ["{{ x.id }}", "{{ x.title }}", "{{ x.lead }}", "{{ x.due }}",
                 "{{ x.days_late }}"], widths=[13, 64, 40, 27, 21])
    _para(doc, "{{ overdue_more or '' }}", align=J, indent=True)
    _para(doc, "{%p else %}", align=L)
    _para(doc, '{{ t("None.") }}', align=J, indent=True)
    _para(doc, "{%p endif %}", align=L)

    _para(doc, '{{ t("IV. EXTENSIONS GRANTED") }}', align=J, bold=True, after=3)
    _para(doc, "{%p if extensions %}", align=L)
    _loop_table(doc, ["#", '{{ t("Assignment") }}', '{{ t("Lead") }}',
                      '{{ t("Original due") }}', '{{ t("New due") }}', '{{ t("Reason") }}'],
                "extensions", ["{{ x.id }}", "{{ x.title }}", "{{ x.lead }}", "{{ x.old_due }}",
                               "{{ x.new_due }}", "{{ x.reason }}"],
                widths=[13, 42, 30, 27, 27, 26])
    _para(doc, "{{ extensions_more or '' }}", align=J, indent=True)
    _para(doc, "{%p else %}", align=L)
    _para(doc, '{{ t("None.") }}', align=J, indent=True)
    _para(doc, "{%p endif %}", align=L)

    _para(doc, '{{ t("V. TARGETS") }}', align=J, bold=True, after=3)
    _para(doc, "{%p if targets %}", align=L)
    _loop_table(doc, ['{{ t("Target") }}', '{{ t("Period") }}', '{{ t("Value") }}',
                      '{{ t("Minimum") }}', '{{ t("Status") }}'], "targets",
                ["{{ x.id }} {{ x.title }}", "{{ x.period }}", "{{ x.value }}", "{{ x.min }}",
                 "{{ x.status }}"], widths=[80, 22, 20, 20, 23])
    _para(doc, "{%p else %}", align=L)
    _para(doc, '{{ t("None.") }}', align=J, indent=True)
    _para(doc, "{%p endif %}", align=L)

    _para(doc, "", after=6)
    sign = doc.add_table(rows=1, cols=2)
    _borderless(sign)
    _widths(sign, [80, 85])
    left, right = sign.rows[0].cells
    lp = left.paragraphs[0]
    lp.alignment = L
    run = lp.add_run('{{ t("Recipients:") }}')
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    _para(left, "{%p for r in recipients %}", align=L)
    _para(left, "{{ r }}", align=L, size=11)
    _para(left, "{%p endfor %}", align=L)
    rp = right.paragraphs[0]
    rp.alignment = C
    _para(right, "{%p for line in signer_title %}")
    _para(right, "{{ line }}", bold=True)
    _para(right, "{%p endfor %}")
    for _ in range(3):
        _para(right, "")
    _para(right, "{{ signer }}", bold=True)

    doc.add_page_break()
    _para(doc, '{{ t("APPENDIX: RESULTS BY COMMUNE") }}', bold=True, after=6)
    _para(doc, "{%p if communes %}", align=L)
    _loop_table(doc, ['{{ t("Commune") }}', *GROUP_HEADERS], "communes",
                ["{{ x.name }}", *GROUP_CELLS], widths=GROUP_WIDTHS)
    _para(doc, "{{ communes_more or '' }}", align=J, indent=True)
    _para(doc, "{%p else %}", align=L)
    _para(doc, '{{ t("None.") }}', align=J, indent=True)
    _para(doc, "{%p endif %}", align=L)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
