"""Plan changes (:mod:`agencyflow.domain.plan_diff`) in words, in the language of the context.

``describe(change)`` gives one line, e.g. ``Bước NN-4: hạn: ngày 30/06 → ngày 15/07`` (Vietnamese
by default; English with ``i18n.language("en")``). Deadline rules are said as the plan format
means them; lists say what was added and removed; texts are shown in the current language.
"""

from __future__ import annotations

import json
from typing import Any

from agencyflow.domain.plan_diff import Change
from agencyflow.i18n import N_, _, current_language

#: What each kind of item is called.
ITEM_NAMES = {"plan": N_("Plan"), "agency": N_("Agency"), "group": N_("Group"),
              "step": N_("Step"), "target": N_("Target")}

#: Field names as people read them (others are shown as they are written in the file).
FIELD_NAMES = {
    "title": N_("title"), "description": N_("description"), "lead": N_("lead"),
    "fan_out": N_("fan-out group"), "recurrence": N_("recurrence"), "deadline": N_("deadline"),
    "depends_on": N_("depends on"), "outputs": N_("outputs"), "cooperating": N_("cooperating"),
    "review": N_("review"), "reminders": N_("reminders"), "clauses": N_("clauses"),
    "name": N_("name"), "kind": N_("kind"), "parent": N_("parent"), "members": N_("members"),
    "indicator": N_("indicator"), "periods": N_("periods"), "leader": N_("leader"),
    "coordinator": N_("coordinator"), "digest": N_("digest"), "tags": N_("tags"),
}


#: Keys inside a reminder policy and office hours, as people read them (plan-format keys that are
#: not listed are shown as written).
KEY_NAMES = {
    "on_open": N_("notice when assigned"), "before": N_("reminders before the due date"),
    "on_due": N_("reminder on the due date"), "overdue_every": N_("overdue reminder every"),
    "escalations": N_("escalations"), "start": N_("opens at"), "end": N_("closes at"),
}
#: Who an escalation goes to, when it is not an agency code.
RECIPIENTS = {"leader": N_("the plan's leader"), "coordinator": N_("the plan's coordinator")}


def _key(name: str) -> str:
    return _(KEY_NAMES[name]) if name in KEY_NAMES else name


def escalation_words(rule: dict[str, Any]) -> str:
    """An escalation of a reminder policy (as JSON) in words."""
    to = str(rule.get("to", ""))
    return _("level {level}: to {to} after {n} working days overdue").format(
        level=rule.get("level"), to=_(RECIPIENTS[to]) if to in RECIPIENTS else to,
        n=rule.get("after"))


def _text(value: Any) -> str:
    """A value in words: a {vi, en} text in the current language, a rule, a list, JSON."""
    if isinstance(value, dict) and "vi" in value and set(value) <= {"vi", "en"}:
        return str(value.get("en") or value["vi"]) if current_language() == "en" else value["vi"]
    if isinstance(value, dict) and "kind" in value and value["kind"] in _RULES:
        return rule_words(value)
    if isinstance(value, dict) and set(value) == {"after", "to", "level"}:
        return escalation_words(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return _("none")
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value) or _("none")
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict):
        return ", ".join(f"{_key(k)} {_text(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value) or _("none")
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_RULES = ("fixed_date", "after_cycle_start", "after_step", "month_end", "quarter_end")


def rule_words(rule: dict[str, Any]) -> str:
    """A deadline rule (as JSON) in words."""
    kind = rule["kind"]
    if kind == "fixed_date":
        return _("on {day:02d}/{month:02d}").format(day=rule["day"], month=rule["month"])
    if kind == "after_cycle_start":
        return _("{n} working days after the cycle starts").format(n=rule["working_days"])
    if kind == "after_step":
        return _("{n} working days after step {step} is done").format(
            n=rule["working_days"], step=rule["step"])
    if kind == "month_end":
        return (_("the last working day of month {month}").format(month=rule["month"])
                if rule.get("month") else _("the last working day of each month"))
    return (_("the last working day of quarter {quarter}").format(quarter=rule["quarter"])
            if rule.get("quarter") else _("the last working day of each quarter"))


def _list_change(old: list[Any], new: list[Any]) -> str:
    added = [str(v) for v in new if v not in old]
    removed = [str(v) for v in old if v not in new]
    parts = []
    if added:
        parts.append(_("added {items}").format(items=", ".join(added)))
    if removed:
        parts.append(_("removed {items}").format(items=", ".join(removed)))
    return "; ".join(parts) or _("reordered")


def _values(change: Change) -> str:
    old, new = change.old, change.new
    if isinstance(old, list) and isinstance(new, list) and all(
            isinstance(v, str) for v in old + new):
        return _list_change(old, new)
    if isinstance(old, dict) and isinstance(new, dict) and not ({"vi", "kind"} & set(new)):
        keys = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
        return "; ".join(f"{_key(k)}: {_text(old.get(k))} → {_text(new.get(k))}" for k in keys)
    return f"{_text(old)} → {_text(new)}"


def _title(value: Any) -> str:
    if isinstance(value, dict):
        for name in ("title", "name"):
            if isinstance(value.get(name), dict):
                return _text(value[name])
    return ""


def describe(change: Change) -> str:
    """One line in words for ``change`` (see the module docstring)."""
    item = _(ITEM_NAMES[change.what])
    subject = item if change.what == "plan" else f"{item} {change.key}"
    if change.kind == "added":
        return _("{subject} added: {title}").format(subject=subject, title=_title(change.new))
    if change.kind == "removed":
        return _("{subject} removed: {title}").format(subject=subject, title=_title(change.old))
    name = FIELD_NAMES.get(change.field or "")
    field = _(name) if name else (change.field or "")
    return _("{subject}: {field}: {values}").format(subject=subject, field=field,
                                                     values=_values(change))
