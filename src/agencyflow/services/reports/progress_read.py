"""Reading a filled-in progress sheet back (pure reading: no database).

The file is checked before openpyxl opens it — a size limit, a real zip, a bounded unpacked
size (a zip bomb is refused: :mod:`agencyflow.services.sheets.workbooks`), the sheets agencyflow
wrote — and every cell is read as its column says (:mod:`agencyflow.services.sheets.values`
and the step's output types through :func:`agencyflow.domain.outputs.validate_outputs`).
Every problem is collected with its cell, ``Tiến độ!I5: outputs.budget: …``; nothing is raised
for one bad cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agencyflow.domain.outputs import validate_outputs
from agencyflow.domain.plan_types import OutputSpec, OutputType
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.services.reports.progress_sheet import (
    DONE_COL,
    FORMAT,
    ID_COL,
    ITEMS,
    META,
    NOTE_COL,
    PROGRESS,
    VERSION_COL,
)
from agencyflow.services.sheets import values as sv
from agencyflow.services.sheets.workbooks import open_workbook

#: Rows accepted per sheet.
MAX_ROWS = 50_000


@dataclass
class SheetRow:
    """One filled-in row of the progress sheet."""

    row: int
    assignment_id: int
    version: int | None
    complete: bool
    note: str | None
    raw: dict[str, tuple[str, Any]] = field(default_factory=dict)  # output → (cell, value)
    items: dict[str, list[tuple[int, dict[str, tuple[str, Any]]]]] = field(default_factory=dict)

    def ref(self, column: int) -> str:
        """``Tiến độ!G5`` for ``column`` of this row."""
        return cell_ref(PROGRESS, self.row, column)


@dataclass
class Sheet:
    """What the file says: its meta data, its rows, and the problems found reading it."""

    meta: dict[str, str]
    rows: list[SheetRow]
    problems: list[str]


def cell_ref(sheet: str, row: int, column: int) -> str:
    """``Sheet!C12``."""
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column)}{row}"


def read(path: Path, outputs_of: Any) -> Sheet:
    """Read the file; ``outputs_of(assignment_id)`` gives the step's outputs (None: unknown
    assignment, reported later by the importer)."""
    wb = open_workbook(path)
    try:
        return _read(path.name, wb, outputs_of)
    finally:
        wb.close()


def meta_of(name: str, wb: Any) -> dict[str, str]:
    """The hidden ``_meta`` sheet, checked."""
    missing = [s for s in (PROGRESS, META) if s not in wb.sheetnames]
    if missing:
        raise ValidationError(
            _("{name}: not a progress sheet of agencyflow (no sheet {missing}; sheets: "
              "{sheets}): export one with `agencyflow export progress-sheet`").format(
                name=name, missing=", ".join(missing), sheets=", ".join(wb.sheetnames[:10])))
    meta = {}
    for key, value, *_rest in _limited(wb[META].iter_rows(values_only=True), name, META):
        if key is not None:
            meta[str(key)] = "" if value is None else str(value)
    if meta.get("format") != FORMAT:
        raise ValidationError(_("{name}: sheet {sheet} is not agencyflow's (format {format}, "
                                "expected {expected})").format(
            name=name, sheet=META, format=repr(meta.get('format')), expected=FORMAT))
    return meta


def _limited(rows: Any, name: str, sheet: str) -> Any:
    for i, row in enumerate(rows, start=1):
        if i > MAX_ROWS:
            raise ValidationError(_("{name}: sheet {sheet} has more than {n} rows").format(
                name=name, sheet=sheet, n=format(MAX_ROWS, ',')))
        yield row


def _read(name: str, wb: Any, outputs_of: Any) -> Sheet:
    meta = meta_of(name, wb)
    columns = {int(k.split(":")[1]): v for k, v in meta.items() if k.startswith("output:")}
    fields = {int(k.split(":")[1]): v for k, v in meta.items() if k.startswith("field:")}
    problems: list[str] = []
    rows: dict[int, SheetRow] = {}
    for r, values in enumerate(_limited(wb[PROGRESS].iter_rows(min_row=2, values_only=True),
                                        name, PROGRESS), start=2):
        values = tuple(values) + (None,) * (max(columns, default=NOTE_COL) + 1)
        row = _row(r, values, columns, outputs_of, problems)
        if row is not None:
            rows[row.assignment_id] = row
    if ITEMS in wb.sheetnames:
        _items(wb[ITEMS], name, fields, rows, outputs_of, problems)
    return Sheet(meta, list(rows.values()), problems)


def _cell(values: tuple[Any, ...], column: int) -> Any:
    return values[column - 1]


def _row(r: int, values: tuple[Any, ...], columns: dict[int, str], outputs_of: Any,
         problems: list[str]) -> SheetRow | None:
    ident = _cell(values, ID_COL)
    if sv.blank(ident) and all(sv.blank(v) for v in values):
        return None
    try:
        assignment_id = int(sv.number(ident))
    except (sv.BadValue, TypeError):
        problems.append(_("{where}: id: {ident} is not an assignment id").format(
            where=cell_ref(PROGRESS, r, ID_COL), ident=repr(ident)))
        return None
    row = SheetRow(r, assignment_id, None, False, None)
    version = _cell(values, VERSION_COL)
    if not sv.blank(version):
        try:
            row.version = int(sv.number(version))
        except sv.BadValue as exc:
            problems.append(f"{row.ref(VERSION_COL)}: version: {exc}")
    done = _cell(values, DONE_COL)
    if not sv.blank(done):
        try:
            row.complete = sv.yes_no(done)
        except sv.BadValue as exc:
            problems.append(f"{row.ref(DONE_COL)}: completed: {exc}")
    note = _cell(values, NOTE_COL)
    row.note = None if sv.blank(note) else sv.text(note)
    specs = outputs_of(assignment_id)
    for column, output in columns.items():
        value = _cell(values, column)
        if sv.blank(value):
            continue
        spec = None if specs is None else next((s for s in specs if s.name == output), None)
        if specs is not None and spec is None:
            problems.append(_("{where}: outputs.{output}: the step of assignment "
                              "{assignment_id} has no output {quoted}: leave the cell empty")
                            .format(where=row.ref(column), output=output,
                                    assignment_id=assignment_id, quoted=repr(output)))
            continue
        row.raw[output] = (row.ref(column), value)
    return row


def _items(ws: Any, name: str, fields: dict[int, str], rows: dict[int, SheetRow],
           outputs_of: Any, problems: list[str]) -> None:
    for r, values in enumerate(_limited(ws.iter_rows(min_row=2, values_only=True), name, ITEMS),
                               start=2):
        values = tuple(values) + (None,) * (max(fields, default=2) + 1)
        if all(sv.blank(v) for v in values):
            continue
        ident, output = values[0], values[1]
        try:
            assignment_id = int(sv.number(ident))
        except (sv.BadValue, TypeError):
            problems.append(_("{where}: id: {ident} is not an assignment id").format(
                where=cell_ref(ITEMS, r, 1), ident=repr(ident)))
            continue
        row = rows.get(assignment_id)
        if row is None:
            problems.append(_("{where}: id: assignment {assignment_id} is not a row of sheet "
                              "{sheet}").format(
                where=cell_ref(ITEMS, r, 1), assignment_id=assignment_id, sheet=PROGRESS))
            continue
        specs = outputs_of(assignment_id) or []
        spec = next((s for s in specs if s.name == sv.text(output or "")
                     and s.type is OutputType.LIST), None)
        if spec is None:
            lists = ", ".join(s.name for s in specs if s.type is OutputType.LIST) or "none"
            problems.append(_("{where}: output: {output} is not a list output of assignment "
                              "{assignment_id} (its lists: {lists})").format(
                where=cell_ref(ITEMS, r, 2), output=repr(output), assignment_id=assignment_id,
                lists=lists))
            continue
        item = {}
        for column, field_name in fields.items():
            value = values[column - 1]
            if sv.blank(value):
                continue
            item[field_name] = (cell_ref(ITEMS, r, column), value)
        row.items.setdefault(spec.name, []).append((r, item))


def convert(spec: OutputSpec, value: Any, where: str) -> Any:
    """One cell's value as ``spec`` holds it, checked by the domain's rules (min, links, score
    range); raises sv.BadValue with the reason."""
    t = spec.type
    if t is OutputType.TEXT:
        converted: Any = sv.text(value)
        if spec.choices and converted not in spec.choices:
            raise sv.BadValue(_("{value} is not one of {choices}").format(
                value=repr(converted), choices=', '.join(spec.choices)))
    elif t in (OutputType.NUMBER, OutputType.SCORE):
        converted = sv.number(value)
    elif t is OutputType.INTEGER:
        converted = sv.number(value)
        if not isinstance(converted, int):
            raise sv.BadValue(_('{value} is not a whole number').format(value=repr(value)))
    elif t is OutputType.DATE:
        converted = sv.day(value).isoformat()
    elif t is OutputType.BOOLEAN:
        converted = sv.yes_no(value)
    else:
        converted = sv.text(value)
    try:
        validate_outputs([spec], {spec.name: converted}, stars_for=lambda _s: None, partial=True)
    except ValidationError as exc:
        raise sv.BadValue(str(exc).split(": ", 2)[-1].strip()) from None
    return converted
