"""``agencyflow export progress-sheet``: the workbook one agency fills in and sends back.

Sheet ``Tiến độ`` has one row per assignment the agency leads that awaits work (open or in
progress): the id, step, period, title, due date and version are locked (the sheet is
protected, without a password: it guards against slips, not people); the agency fills in
"Hoàn thành" (có/không), a note, and a column per output its steps declare (a cell is greyed
and locked where the row's step does not have that output). Sheet ``Danh sách`` holds list
outputs (products, scores …), one item per row: the assignment id, the output, the item's
fields; the items already reported are filled in. Data validation offers the choices, and
checks dates, numbers and scores (0–100) as they are typed. A hidden sheet ``_meta`` names the
plan, the cycle, the agency and which column holds which output, for
:mod:`agencyflow.services.reports.progress_import`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.lifecycle import ACTIVE
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.plan_types import OutputSpec, OutputType
from agencyflow.i18n import _
from agencyflow.models import Assignment, Cycle
from agencyflow.services.plans import store as plans
from agencyflow.services.reports.text import tr
from agencyflow.services.reports.xlsx_util import DATE_FORMAT, DATETIME_FORMAT, HEADER_COLOUR

FORMAT = "agencyflow-progress-1"
PROGRESS, ITEMS, META = "Tiến độ", "Danh sách", "_meta"
#: The fixed columns of the progress sheet: (message id, width); outputs follow.
FIXED = (("ID", 8), ("Step", 10), ("Period", 9), ("Assignment", 50), ("Due", 12),
         ("Version", 9), ("Completed", 12), ("Note", 36))
ID_COL, VERSION_COL, DONE_COL, NOTE_COL = 1, 6, 7, 8
YES, NO = "có", "không"
#: Empty rows left unlocked under the items already reported.
SPARE_ITEM_ROWS = 500
GREY = PatternFill("solid", fgColor="D9D9D9")
UNLOCKED = Protection(locked=False)
HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOUR)


@dataclass(frozen=True)
class SheetRows:
    """What the sheet is made of: the cycle's plan and the assignments, in id order."""

    spec: PlanSpec
    cycle: Cycle
    agency: str
    assignments: list[Assignment]


def rows_for(session: Session, *, agency: str, actor: Actor, plan_key: str | None = None,
             year: int | None = None) -> SheetRows:
    """The agency's assignments awaiting work in the cycle (newest cycle unless ``year``)."""
    require(actor, Action.READ, target=_("the assignments of {agency}").format(agency=agency))
    from agencyflow.services.board import listing as board

    found = board.cycle_for(session, plan_key, year)
    cycle = session.get(Cycle, found.id)
    assert cycle is not None
    spec = plans.spec_of(plans.by_id(session, cycle.plan_version_id))
    spec.agency(agency)  # NotFound for an agency the plan does not have
    stmt = (select(Assignment).where(col(Assignment.cycle_id) == cycle.id,
                                     col(Assignment.lead_code) == agency,
                                     col(Assignment.status).in_(sorted(s.value for s in ACTIVE)))
            .order_by(col(Assignment.id)))
    return SheetRows(spec, cycle, agency, list(session.execute(stmt).scalars()))


def _outputs(rows: SheetRows) -> tuple[list[OutputSpec], list[OutputSpec], list[str]]:
    """The scalar outputs (one column each), the list item fields (one column each) and the
    list outputs' names, in the order the steps declare them."""
    scalars: dict[str, OutputSpec] = {}
    fields: dict[str, OutputSpec] = {}
    lists: list[str] = []
    for step_id in dict.fromkeys(a.step_id for a in rows.assignments):
        for out in rows.spec.step(step_id).outputs:
            if out.type is OutputType.LIST:
                lists += [out.name] if out.name not in lists else []
                for f in out.fields:
                    fields.setdefault(f.name, f)
            else:
                scalars.setdefault(out.name, out)
    return list(scalars.values()), list(fields.values()), lists


def _validation(spec: OutputSpec, lang: str) -> DataValidation | None:
    """The data validation of a cell holding ``spec`` (None: free text)."""
    t = spec.type
    if spec.choices:
        return DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"',
                              allow_blank=True)
    if t is OutputType.BOOLEAN:
        return DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    if t is OutputType.DATE:
        dv = DataValidation(type="date", operator="greaterThan", formula1="36526",
                            allow_blank=True)  # after 01/01/2000
    elif t is OutputType.SCORE:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                            allow_blank=True)
    elif t in (OutputType.NUMBER, OutputType.INTEGER):
        kind = "whole" if t is OutputType.INTEGER else "decimal"
        low = spec.min if spec.min is not None else -1e15
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{low:g}",
                            allow_blank=True)
    else:
        return None
    dv.error = tr(lang, "Not a valid value for this column")
    dv.showErrorMessage = True
    return dv


def put(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write one cell: strings as strings (``data_type = "s"``: never a formula, whatever they
    start with), dates as Excel dates dd/mm/yyyy (:mod:`~.xlsx_util`'s conventions)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, list | tuple):
        cell.value = ", ".join(str(v) for v in value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def header(ws: Worksheet, titles: Sequence[str], widths: Sequence[int]) -> None:
    """A bold, filled header row, frozen below it (call :func:`finish` after the rows)."""
    for i, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = put(ws, 1, i, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def finish(ws: Worksheet, columns: int, last_row: int) -> None:
    """The autofilter over the header and the rows written."""
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(last_row, 1)}"


def _label(spec: OutputSpec, lang: str) -> str:
    return f"{spec.label.get(lang)} ({spec.name})"


def write(rows: SheetRows, *, now: datetime, lang: str = "vi") -> bytes:
    """The workbook's bytes."""
    scalars, fields, lists = _outputs(rows)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = PROGRESS
    titles = [tr(lang, t) for t, _ in FIXED] + [_label(s, lang) for s in scalars]
    header(ws, titles, [w for _, w in FIXED] + [22] * len(scalars))
    done = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    ws.add_data_validation(done)
    checks = [_validation(s, lang) for s in scalars]
    for dv in checks:
        if dv is not None:
            ws.add_data_validation(dv)
    last = 1
    for i, a in enumerate(rows.assignments, start=2):
        last = i
        step = rows.spec.step(a.step_id)
        stored = a.outputs or {}
        title = (a.title_en or a.title_vi) if lang == "en" else a.title_vi
        for j, v in enumerate((a.id, a.step_id, a.period, title, a.due_current, a.version),
                              start=1):
            put(ws, i, j, v)
        for j in (DONE_COL, NOTE_COL):
            ws.cell(row=i, column=j).protection = UNLOCKED
        done.add(ws.cell(row=i, column=DONE_COL))
        for k, out in enumerate(scalars):
            cell = ws.cell(row=i, column=len(FIXED) + 1 + k)
            if step.output(out.name) is None:
                cell.fill = GREY
                continue
            if stored.get(out.name) is not None:
                put(ws, i, cell.column, stored[out.name])
            cell.protection = UNLOCKED
            if checks[k] is not None:
                checks[k].add(cell)  # type: ignore[union-attr]
    finish(ws, len(titles), last)
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    _items(wb, rows, fields, lists, lang)
    _meta(wb, rows, scalars, fields, now)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _items(wb: Workbook, rows: SheetRows, fields: list[OutputSpec], lists: list[str],
           lang: str) -> None:
    ws = wb.create_sheet(ITEMS)
    titles = ["ID", tr(lang, "Output")] + [_label(f, lang) for f in fields]
    header(ws, titles, [8, 16] + [22] * len(fields))
    row = 1
    for a in rows.assignments:
        for name in lists:
            if rows.spec.step(a.step_id).output(name) is None:
                continue
            for item in (a.outputs or {}).get(name) or []:
                row += 1
                put(ws, row, 1, a.id)
                put(ws, row, 2, name)
                for k, f in enumerate(fields, start=3):
                    if isinstance(item, dict) and item.get(f.name) is not None:
                        put(ws, row, k, item[f.name])
    end = row + SPARE_ITEM_ROWS
    if lists:
        which = DataValidation(type="list", formula1='"' + ",".join(lists) + '"',
                               allow_blank=True)
        ws.add_data_validation(which)
        which.add(f"B2:B{end}")
    for k, f in enumerate(fields, start=3):
        dv = _validation(f, lang)
        if dv is not None:
            ws.add_data_validation(dv)
            letter = get_column_letter(k)
            dv.add(f"{letter}2:{letter}{end}")
    finish(ws, len(titles), row)


def _meta(wb: Workbook, rows: SheetRows, scalars: list[OutputSpec], fields: list[OutputSpec],
          now: datetime) -> None:
    ws = wb.create_sheet(META)
    ws.sheet_state = "veryHidden"
    values: list[tuple[str, Any]] = [
        ("format", FORMAT), ("plan", rows.spec.key), ("cycle", rows.cycle.id),
        ("agency", rows.agency), ("exported_at", now.isoformat())]
    values += [(f"output:{len(FIXED) + 1 + k}", s.name) for k, s in enumerate(scalars)]
    values += [(f"field:{3 + k}", f.name) for k, f in enumerate(fields)]
    for i, (key, value) in enumerate(values, start=1):
        put(ws, i, 1, key)
        put(ws, i, 2, value)
