"""What every sheet agencyflow writes shares (openpyxl): a bold frozen header row with an
autofilter, column widths, real dates shown dd/mm/yyyy, and text that stays text.

Formula injection: a value starting with ``=`` (or ``+``, ``-``, ``@``) typed by someone — a
title, a reason — would become a formula when written by openpyxl; :func:`put` stores every
string as a string cell (``data_type = "s"``), so Excel shows it as typed and runs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import date, datetime
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "dd/mm/yyyy"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
#: Board status → fill colour of its cell.
STATUS_FILLS = {
    "done_on_time": "C6EFCE", "done_late": "FFEB9C", "in_progress": "DDEBF7",
    "due_soon": "FCE4D6", "overdue": "FFC7CE", "waiting": "EDEDED", "cancelled": "D9D9D9",
}


def put(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write one cell: strings as strings (never formulas), dates as Excel dates dd/mm/yyyy."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = DATE_FORMAT + " hh:mm"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, list | tuple):
        cell.value = ", ".join(str(v) for v in value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def header(ws: Worksheet, titles: Sequence[str], widths: Sequence[int], *, row: int = 1) -> None:
    """A bold, filled header row at ``row``, frozen below it, with an autofilter over the sheet
    (call :func:`finish` after writing the rows)."""
    for i, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = put(ws, row, i, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def finish(ws: Worksheet, columns: int, last_row: int, *, header_row: int = 1) -> None:
    """The autofilter over the header and the rows written."""
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"


def colour(cell: Any, status: str) -> None:
    """Fill ``cell`` with the colour of board ``status``."""
    fill = STATUS_FILLS.get(status)
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)


def _plain(value: Any) -> bool:
    """True for a value openpyxl writes as it should without a cell of ours."""
    if value is None or isinstance(value, int | float):
        return True
    return isinstance(value, str) and not value.startswith("=")


class Streamed:
    """A write-only sheet (openpyxl ``write_only``: rows go straight to the file, so 200,000
    rows fit in little memory) with the same conventions as :func:`put` and :func:`header`."""

    def __init__(self, wb: Any, title: str, titles: Sequence[str], widths: Sequence[int],
                 *, header_row: int = 1) -> None:
        """Create the sheet with its header row (at ``header_row``: call :meth:`preamble`
        first when it is not 1) frozen and its column widths."""
        from openpyxl.cell import WriteOnlyCell

        self._cell = WriteOnlyCell
        self._styles: dict[tuple[Any, ...], Any] = {}
        self.ws = wb.create_sheet(title)
        self.columns = len(titles)
        self.header_row = header_row
        self.titles = titles
        self.rows = header_row
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = f"A{header_row + 1}"
        if header_row == 1:
            self._header()

    def preamble(self, lines: Sequence[Sequence[Any]]) -> None:
        """The lines above the header row (exactly ``header_row - 1`` of them), then the header."""
        for line in lines:
            self.ws.append([v if hasattr(v, "data_type") else self.cell(v) for v in line])
        self._header()

    def _header(self) -> None:
        titles = self.titles
        cells = []
        for t in titles:
            c = self._cell(self.ws, t)
            c.data_type = "s"
            c.font = Font(bold=True)
            c.fill = HEADER_FILL
            c.alignment = Alignment(wrap_text=True, vertical="center")
            cells.append(c)
        self.ws.append(cells)

    def cell(self, value: Any, status: str | None = None, font: Any = None) -> Any:
        """One cell: text stays text, dates are dd/mm/yyyy, ``status`` gives its colour.

        A style is registered with the workbook once per kind of cell and then copied (setting
        a style on each of 100,000 cells costs more than writing them)."""
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        c = self._cell(self.ws, value)
        if isinstance(value, str):
            c.data_type = "s"
        kind = (isinstance(value, date), status if status in STATUS_FILLS else None, font)
        style = self._styles.get(kind)
        if style is not None:
            c._style = copy(style)
            return c
        if kind[0]:
            c.number_format = DATE_FORMAT
        if kind[1] is not None:
            c.fill = PatternFill("solid", fgColor=STATUS_FILLS[kind[1]])
        if font is not None:
            c.font = font
        self._styles[kind] = copy(c._style)
        return c

    def append(self, values: Sequence[Any]) -> None:
        """Append a row of plain values (or cells made with :meth:`cell`). Numbers and text
        that cannot become a formula go in as they are (openpyxl's cheap path); dates, lists
        and text starting with ``=`` get a cell of their own."""
        self.ws.append([v if _plain(v) else (v if hasattr(v, "data_type") else self.cell(v))
                        for v in values])
        self.rows += 1

    def close(self) -> None:
        """Set the autofilter over what was written."""
        self.ws.auto_filter.ref = (f"A{self.header_row}:{get_column_letter(self.columns)}"
                                   f"{self.rows}")
