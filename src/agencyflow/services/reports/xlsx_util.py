"""What every sheet agencyflow writes shares: a bold frozen header row with an autofilter, column
widths, real dates shown dd/mm/yyyy, status colours, and text that stays text.

The report and the board export stream their rows with XlsxWriter (:class:`Book`, in its
``constant_memory`` mode: each row goes to a temporary file as soon as the next one starts, so
200,000 rows fit in little memory, at about half openpyxl's cost per cell). The progress sheet,
whose cells are locked one by one and validated, is written with openpyxl
(:mod:`agencyflow.services.reports.progress_sheet`) with the same conventions from here.

Formula injection: a value starting with ``=`` (or ``+``, ``-``, ``@``) typed by someone — a
title, a reason — must not become a formula. Every string goes through ``write_string`` (an
inline string cell, never ``<f>``), and the workbook is opened with ``strings_to_formulas`` and
``strings_to_urls`` off as well, so no path turns text into something Excel runs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from numbers import Real
from typing import Any, NamedTuple

from agencyflow.errors import ValidationError

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = DATE_FORMAT + " hh:mm"
HEADER_COLOUR = "DDEBF7"
#: Board status → fill colour of its cell.
STATUS_FILLS = {
    "done_on_time": "C6EFCE", "done_late": "FFEB9C", "in_progress": "DDEBF7",
    "due_soon": "FCE4D6", "overdue": "FFC7CE", "waiting": "EDEDED", "cancelled": "D9D9D9",
}
#: Rows an Excel sheet holds (header included).
MAX_SHEET_ROWS = 1_048_576


class Styled(NamedTuple):
    """A value with its cell format (made by :meth:`Streamed.cell`)."""

    value: Any
    format: Any


class Book:
    """A workbook written with XlsxWriter into memory; :meth:`sheet` adds streamed sheets, in
    order, and :meth:`bytes` closes it. Formats are made once per kind of cell. Use it in a
    ``with`` block: should writing fail half-way, the sheets' temporary files are removed."""

    def __init__(self) -> None:
        import xlsxwriter

        self._out = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self._out, {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self.header = self.wb.add_format({"bold": True, "bg_color": "#" + HEADER_COLOUR,
                                          "pattern": 1, "text_wrap": True,
                                          "valign": "vcenter"})
        self._formats: dict[tuple[str | None, str | None, bool], Any] = {}
        self._sheets: list[Streamed] = []

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.wb.fileclosed:  # an error before bytes(): closing removes the temp files
            self.wb.close()

    def format(self, number: str | None = None, status: str | None = None,
               bold: bool = False) -> Any:
        """The format of a cell: its number format, the fill of board ``status``, bold."""
        key = (number, status if status in STATUS_FILLS else None, bold)
        found = self._formats.get(key)
        if found is None and key != (None, None, False):
            props: dict[str, Any] = {}
            if number:
                props["num_format"] = number
            if key[1] is not None:
                props.update(bg_color="#" + STATUS_FILLS[key[1]], pattern=1)
            if bold:
                props["bold"] = True
            found = self._formats[key] = self.wb.add_format(props)
        return found

    def sheet(self, title: str, titles: Sequence[str], widths: Sequence[int], *,
              header_row: int = 1) -> Streamed:
        """A new sheet with its header row (at ``header_row``, 1-based: call
        :meth:`Streamed.preamble` first when it is not 1) frozen, and its column widths."""
        sheet = Streamed(self, title, titles, widths, header_row=header_row)
        self._sheets.append(sheet)
        return sheet

    def bytes(self) -> bytes:
        """Set every sheet's autofilter over what was written, close, and give the file."""
        for sheet in self._sheets:
            sheet.close()
        self.wb.close()
        return self._out.getvalue()


class Streamed:
    """One sheet written row after row (a row once written cannot be changed)."""

    def __init__(self, book: Book, title: str, titles: Sequence[str], widths: Sequence[int],
                 *, header_row: int = 1) -> None:
        self.book = book
        self.ws = book.wb.add_worksheet(title)
        self.columns = len(titles)
        self.header_row = header_row
        self.titles = titles
        self.rows = 0  # rows written so far (the next one is row ``self.rows``, 0-based)
        for i, width in enumerate(widths):
            self.ws.set_column(i, i, width)
        self.ws.freeze_panes(header_row, 0)
        self._date = book.format(DATE_FORMAT)
        self._datetime = book.format(DATETIME_FORMAT)
        if header_row == 1:
            self._header()

    def preamble(self, lines: Sequence[Sequence[Any]]) -> None:
        """The lines above the header row (exactly ``header_row - 1`` of them), then the header."""
        for line in lines:
            self.append(line)
        self._header()

    def _header(self) -> None:
        for c, title in enumerate(self.titles):
            self.ws.write_string(self.rows, c, title, self.book.header)
        self.rows += 1

    def cell(self, value: Any, status: str | None = None, bold: bool = False) -> Styled:
        """A value with a format: ``status`` gives the board status's colour, dates stay
        dd/mm/yyyy."""
        number = DATETIME_FORMAT if isinstance(value, datetime) else (
            DATE_FORMAT if isinstance(value, date) else None)
        return Styled(value, self.book.format(number, status, bold))

    def append(self, values: Sequence[Any]) -> None:
        """Append a row: text as text, numbers as numbers, dates as dd/mm/yyyy dates, lists as
        ``a, b``, None as an empty cell, and :meth:`cell` values with their format."""
        r = self.rows
        if r >= MAX_SHEET_ROWS:
            raise ValidationError(f"more than the {MAX_SHEET_ROWS:,} rows an Excel sheet holds: "
                                  "narrow the export (an agency, a commune, a status)")
        ws = self.ws
        for c, value in enumerate(values):
            fmt = None
            if type(value) is Styled:
                value, fmt = value
            kind = type(value)
            if kind is str:
                ws.write_string(r, c, value, fmt)
            elif kind is int or kind is float:
                ws.write_number(r, c, value, fmt)
            elif value is None:
                if fmt is not None:
                    ws.write_blank(r, c, None, fmt)
            elif kind is date:
                ws.write_datetime(r, c, value, fmt or self._date)
            elif isinstance(value, datetime):
                ws.write_datetime(r, c, value.replace(tzinfo=None), fmt or self._datetime)
            elif isinstance(value, date):
                ws.write_datetime(r, c, value, fmt or self._date)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value, fmt)
            elif isinstance(value, list | tuple):
                ws.write_string(r, c, ", ".join(str(v) for v in value), fmt)
            elif isinstance(value, Real):
                ws.write_number(r, c, float(value), fmt)
            else:
                ws.write_string(r, c, str(value), fmt)
        self.rows = r + 1

    def close(self) -> None:
        """The autofilter over the header and the rows written."""
        last = max(self.rows - 1, self.header_row - 1)
        self.ws.autofilter(self.header_row - 1, 0, last, self.columns - 1)
