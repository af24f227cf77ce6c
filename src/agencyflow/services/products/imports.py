"""``agencyflow products import FILE``: products rated before agencyflow, from a CSV file or an
Excel workbook (.xlsx, first sheet), all or nothing.

The first row names the columns, in English or Vietnamese (:data:`COLUMNS`); ``product``,
``producer``, ``commune`` (an agency code or name of the plan) and ``decision_date`` are
required; ``stars`` may be left out when ``score`` gives them through the plan's bands;
``criteria`` is ``1048/2019`` or ``148/2023`` (default: the plan's). Every row is checked first
and **every** problem is reported with its row and column; one bad row writes nothing. A
certificate already in the registry is left as it is and counted as ``already``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_parts import CRITERIA_SETS
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.products import product_key
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.services.plans import store as plans
from agencyflow.services.products import registry
from agencyflow.services.sheets import values as sv
from agencyflow.services.sheets.workbooks import open_workbook

#: Column names a file may use (English, then Vietnamese), by field.
COLUMNS = {
    "product": ("product", "sản phẩm"), "producer": ("producer", "chủ thể"),
    "commune": ("commune", "xã"), "score": ("score", "điểm"), "stars": ("stars", "số sao"),
    "level": ("level", "cấp"), "decision_number": ("decision_number", "số quyết định"),
    "decision_date": ("decision_date", "ngày quyết định"), "criteria": ("criteria", "bộ tiêu chí"),
}
REQUIRED = ("product", "producer", "commune", "decision_date")
#: Rows read from one file, at most.
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Imported:
    """What an import registered (``added``) and found registered already (``already``)."""

    added: int
    already: int


def import_file(session: Session, *, plan: str, path: Path, actor: Actor,
                now: datetime) -> Imported:
    """Register every product of ``path`` under ``plan``, or raise ValidationError listing
    every problem (nothing is written then)."""
    require(actor, Action.PLAN_LOAD,
            target=_("the product registry of plan {plan}").format(plan=plan))
    spec = plans.spec_of(plans.latest(session, plan))
    if spec.registry is None:
        raise ValidationError(_("plan {plan} keeps no product registry (add plan.registry)"
                                ).format(plan=plan))
    rows = _read(path)
    problems: list[str] = []
    new = [n for i, row in rows if (n := _product(spec, i, row, problems)) is not None]
    seen: dict[tuple[str, Any], int] = {}
    for (i, _row), n in zip(rows, new, strict=False) if not problems else ():
        key = (product_key(n.product, n.producer), n.decision_date)
        if key in seen:
            problems.append(_("row {row}: the same certificate as row {first}").format(
                row=i, first=seen[key]))
        seen.setdefault(key, i)
    if problems:
        raise ValidationError(_("{file}: nothing was imported:").format(file=path.name)
                              + "\n" + "\n".join(problems))
    added = sum(1 for n in new if registry.add(session, spec, n, source="import", actor=actor,
                                                 now=now) is not None)
    return Imported(added, len(new) - added)


def _read(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {field: cell}) of every non-empty row under the header."""
    if path.suffix.lower() == ".xlsx":
        values = list(open_workbook(path).worksheets[0].iter_rows(values_only=True))
    else:
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                values = list(csv.reader(f))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ValidationError(_("{file}: cannot read it as UTF-8 CSV ({why})").format(
                file=path.name, why=exc)) from None
    if not values:
        raise ValidationError(_("{file}: the file is empty").format(file=path.name))
    if len(values) > MAX_ROWS + 1:
        raise ValidationError(_("{file}: more than {n} rows").format(file=path.name, n=MAX_ROWS))
    fields = [_field(h) for h in values[0]]
    if missing := [f for f in REQUIRED if f not in fields]:
        raise ValidationError(_("{file}: missing columns: {columns}").format(
            file=path.name, columns=", ".join(missing)))
    return [(i, {f: v for f, v in zip(fields, row, strict=False) if f})
            for i, row in enumerate(values[1:], start=2) if any(not sv.blank(v) for v in row)]


def _field(header: Any) -> str | None:
    name = str(header or "").strip().casefold()
    return next((f for f, names in COLUMNS.items() if name in names), None)


def _product(spec: PlanSpec, i: int, row: dict[str, Any],
             problems: list[str]) -> registry.NewProduct | None:
    """The product of row ``i``, or None after adding its problems."""
    found: dict[str, Any] = {}
    before = len(problems)
    for name in COLUMNS:
        value = row.get(name)
        if sv.blank(value):
            if name in REQUIRED:
                problems.append(_("row {row}, {column}: required").format(row=i, column=name))
            continue
        try:
            found[name] = _cell(spec, name, value)
        except (sv.BadValue, ValueError) as exc:
            problems.append(_("row {row}, {column}: {why}").format(row=i, column=name, why=exc))
    if len(problems) > before:
        return None
    stars = found.get("stars")
    if stars is None and "score" in found:
        stars = spec.stars_for(found["score"])
    return registry.NewProduct(
        product=found["product"], producer=found["producer"], commune=found["commune"],
        decision_date=found["decision_date"], score=found.get("score"), stars=stars,
        level=found.get("level"), decision_number=found.get("decision_number"),
        criteria=found.get("criteria") or (spec.registry.criteria if spec.registry else ""))


def _cell(spec: PlanSpec, name: str, value: Any) -> Any:
    if name == "decision_date":
        return sv.day(value)
    if name in ("score", "stars"):
        number = sv.number(value)
        top = 100 if name == "score" else 5
        if not 0 <= number <= top or (name == "stars" and not float(number).is_integer()):
            raise ValueError(_("{value} is not a {what} between 0 and {top}").format(
                value=value, what=name, top=top))
        return int(number) if name == "stars" else number
    text = sv.text(value)
    if name == "commune":
        return _agency(spec, text)
    if name == "criteria":
        return _criteria(text)
    return text


def _agency(spec: PlanSpec, text: str) -> str:
    wanted = " ".join(text.split()).casefold()
    for agency in spec.agencies:
        if wanted in (agency.code.casefold(), " ".join(agency.name.vi.split()).casefold()):
            return agency.code
    raise ValueError(_("{value!r} is not an agency of plan {plan}").format(value=text,
                                                                           plan=spec.key))


def _criteria(text: str) -> str:
    for known in CRITERIA_SETS:
        if text.startswith(known.split("/")[0]):
            return known
    raise ValueError(_("{value!r} is not a criteria set (use {sets})").format(
        value=text, sets=" or ".join(CRITERIA_SETS)))
