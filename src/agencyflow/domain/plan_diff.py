"""What changed between two versions of a plan: steps, agencies, groups, targets and the plan.

:func:`diff_plans` compares two validated :class:`~agencyflow.domain.plan_spec.PlanSpec` and
returns one :class:`Change` per added or removed item and per changed field of an item present in
both. Fields are compared generically (every field of the spec models, as JSON), so a field that
the plan format gains later is compared without touching this module. The words are in
:mod:`agencyflow.domain.plan_words`; ``cycle migrate`` reads :func:`changed_steps`.

==========  =====================================================================
``what``    the item: ``plan`` (a plan-level field), ``agency``, ``group``,
            ``step`` or ``target``
``kind``    ``added``, ``removed`` or ``changed``
``key``     the agency code, group name, step or target id (``plan`` for the plan)
``field``   the changed field (None for added/removed)
==========  =====================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from agencyflow.domain.plan_spec import PlanSpec

#: The item lists of a plan, by the ``what`` of their changes, and the field naming each item.
ITEMS: dict[str, tuple[str, str]] = {
    "agency": ("agencies", "code"), "step": ("steps", "id"), "target": ("targets", "id"),
}
#: Plan fields compared item by item (not as one plan-level field).
ITEM_FIELDS = frozenset({"agencies", "steps", "targets", "groups", "clauses"})
#: Fields of a step that change what its assignments are owed (a migration rewrites them).
DEADLINE_FIELDS = frozenset({"deadline", "recurrence"})


@dataclass(frozen=True)
class Change:
    """One difference between two plan versions (see the module table)."""

    what: str
    kind: str
    key: str
    field: str | None = None
    old: Any = None
    new: Any = None


def _plain(value: Any) -> Any:
    """A comparable, JSON-like form of a spec value."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "value", value)


def _fields(old: BaseModel, new: BaseModel, what: str, key: str,
            skip: Iterable[str] = ()) -> list[Change]:
    """A change per field whose value differs between two models of one class."""
    out = []
    for name in type(new).model_fields:
        if name in skip:
            continue
        before, after = _plain(getattr(old, name, None)), _plain(getattr(new, name, None))
        if before != after:
            out.append(Change(what, "changed", key, name, before, after))
    return out


def _items(old: Sequence[BaseModel], new: Sequence[BaseModel], what: str, id_field: str
           ) -> list[Change]:
    """Added, removed and changed items of two keyed lists (new order, then the removed)."""
    before = {getattr(i, id_field): i for i in old}
    after = {getattr(i, id_field): i for i in new}
    out: list[Change] = []
    for key, item in after.items():
        if key not in before:
            out.append(Change(what, "added", key, new=_plain(item)))
        else:
            out += _fields(before[key], item, what, key, skip=(id_field,))
    out += [Change(what, "removed", key, old=_plain(item))
            for key, item in before.items() if key not in after]
    return out


def _groups(old: PlanSpec, new: PlanSpec) -> list[Change]:
    out: list[Change] = []
    for name, group in new.groups.items():
        if name not in old.groups:
            out.append(Change("group", "added", name, new=_plain(group)))
        else:
            out += _fields(old.groups[name], group, "group", name)
    out += [Change("group", "removed", name, old=_plain(g))
            for name, g in old.groups.items() if name not in new.groups]
    return out


def diff_plans(old: PlanSpec, new: PlanSpec) -> list[Change]:
    """Every difference from ``old`` to ``new``: plan fields, agencies, groups, steps, targets."""
    out = _fields(old, new, "plan", "plan", skip=ITEM_FIELDS)
    out += _items(old.agencies, new.agencies, "agency", "code")
    out += _groups(old, new)
    inherited = {(c.field, repr(c.old), repr(c.new)) for c in out if c.what == "plan"}
    out += [c for c in _items(old.steps, new.steps, "step", "id")
            if (c.field, repr(c.old), repr(c.new)) not in inherited]  # said once, for the plan
    out += _items(old.targets, new.targets, "target", "id")
    return out


def changed_steps(changes: Iterable[Change]) -> dict[str, set[str]]:
    """Step id → the fields that changed (steps present in both versions only)."""
    out: dict[str, set[str]] = {}
    for c in changes:
        if c.what == "step" and c.kind == "changed" and c.field:
            out.setdefault(c.key, set()).add(c.field)
    return out
