"""The outputs form of a step, generated from its typed outputs, and its errors per field.

Field names: ``o.<output>`` for a value, ``o.<output>.<row>.<field>`` for a field of a list item
(rows are numbered from 0; a row left entirely empty is not an item). :func:`parse` turns a
submitted form back into the values the services validate; :func:`field_errors` runs the
domain's own validation (:func:`agencyflow.domain.outputs.validate_outputs`) one field at a time,
so that each problem is shown next to its field, with the values kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agencyflow.domain.outputs import StarsFor, strip_derived, validate_outputs
from agencyflow.domain.plan_types import OutputSpec, OutputType
from agencyflow.errors import ValidationError

#: Empty rows offered under the filled ones of a list output.
SPARE_ROWS = 1


@dataclass
class OutputsForm:
    """What a template needs to draw the outputs form: specs, values (as typed), errors."""

    specs: Sequence[OutputSpec]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def value(self, key: str) -> str:
        """The value typed (or stored) for field ``key``, as text."""
        found = self.values.get(key)
        return "" if found is None else str(found)


def from_stored(specs: Sequence[OutputSpec], stored: Mapping[str, Any] | None) -> OutputsForm:
    """The form pre-filled with what the assignment already recorded (stars left out)."""
    form = OutputsForm(specs)
    for spec in specs:
        raw = strip_derived(specs, stored or {}).get(spec.name)
        if spec.type is OutputType.LIST:
            items = raw if isinstance(raw, list) else []
            for i, item in enumerate(items):
                for f in spec.fields:
                    if isinstance(item, Mapping) and item.get(f.name) is not None:
                        form.values[f"o.{spec.name}.{i}.{f.name}"] = _text(f, item[f.name])
            form.rows[spec.name] = len(items) + SPARE_ROWS
        elif raw is not None:
            form.values[f"o.{spec.name}"] = _text(spec, raw)
    return form


def _text(spec: OutputSpec, value: Any) -> str:
    if spec.type is OutputType.DATE and isinstance(value, str) and len(value) == 10:
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def parse(specs: Sequence[OutputSpec], form: Mapping[str, Any], *, more: str | None = None
          ) -> tuple[OutputsForm, dict[str, Any]]:
    """The submitted form (values kept as typed) and the outputs to validate."""
    out = OutputsForm(specs)
    given: dict[str, Any] = {}
    for spec in specs:
        if spec.type is OutputType.LIST:
            items: list[dict[str, str]] = []
            count = 0
            while spec.fields and f"o.{spec.name}.{count}.{spec.fields[0].name}" in form:
                row = {f.name: str(form.get(f"o.{spec.name}.{count}.{f.name}") or "").strip()
                       for f in spec.fields}
                for name, text in row.items():
                    if text:
                        out.values[f"o.{spec.name}.{count}.{name}"] = text
                if any(row.values()):
                    items.append({k: v for k, v in row.items() if v})
                count += 1
            out.rows[spec.name] = max(count, 1) + (1 if more == spec.name else 0)
            if items:
                given[spec.name] = items
        else:
            text = str(form.get(f"o.{spec.name}") or "").strip()
            if text:
                out.values[f"o.{spec.name}"] = text
                given[spec.name] = text
    return out, given


def _message(exc: ValidationError) -> str:
    """The problem of a one-field validation, without the "output x:" prefix."""
    lines = [line.strip() for line in str(exc).splitlines()[1:]] or [str(exc)]
    return "; ".join(line.partition(": ")[2] or line for line in lines)


def field_errors(form: OutputsForm, given: Mapping[str, Any], *, stars_for: StarsFor,
                 partial: bool) -> dict[str, str]:
    """Each field's problem (key: the field's name), by the domain's validation rules."""
    errors: dict[str, str] = {}
    for spec in form.specs:
        raw = given.get(spec.name)
        if spec.type is not OutputType.LIST:
            _check(errors, f"o.{spec.name}", [spec], {spec.name: raw} if raw else {},
                   stars_for, partial)
            continue
        if not raw:
            _check(errors, f"o.{spec.name}", [spec], {}, stars_for, partial)
            continue
        index = 0
        for i in range(form.rows.get(spec.name, 0)):
            keys = [f"o.{spec.name}.{i}.{f.name}" for f in spec.fields]
            if not any(form.values.get(k) for k in keys):
                continue
            item = raw[index] if index < len(raw) else {}
            index += 1
            for f, key in zip(spec.fields, keys, strict=True):
                value = item.get(f.name)
                _check(errors, key, [f], {f.name: value} if value else {}, stars_for, False)
    return errors


def _check(errors: dict[str, str], key: str, specs: list[OutputSpec], values: dict[str, Any],
           stars_for: StarsFor, partial: bool) -> None:
    try:
        validate_outputs(specs, values, stars_for=stars_for, partial=partial)
    except ValidationError as exc:
        errors[key] = _message(exc)
