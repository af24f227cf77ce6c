"""Printing one assignment (the data of ``services.assignments.views.show``) for people."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from agencyflow.cli.base import console, styled


def _d(value: str | None) -> str:
    """An ISO date as dd/mm/yyyy (the Vietnamese way); empty for None."""
    if not value:
        return ""
    y, m, d = value[:10].split("-")
    return f"{d}/{m}/{y}"


def _later(late: dict[str, Any] | None) -> str:
    """"recorded later by X on dd/mm/yyyy (for dd/mm/yyyy): reason", or empty."""
    if not late:
        return ""
    text = f"recorded later by {late['by']} on {_d(late.get('recorded_at'))}"
    if late.get("at"):
        text += f" (for {_d(late['at'])})"
    return text + (f": {late['reason']}" if late.get("reason") else "")


def print_assignment(data: dict[str, Any], lang: str = "vi") -> None:
    """Summary, outputs, history, extensions, contributions and evidence."""
    a, step = data["assignment"], data["step"]
    title = step["title"].get(lang) or step["title"]["vi"]
    coop = ", ".join(f"{c['code']} {c['name'] or ''}".strip() for c in data["cooperating"])
    console.print(styled((f"#{a['id']} {a['step_id']} {a['period']}", "bold"), f" — {title}"),
                  highlight=False)
    lines = [
        ("clauses", ", ".join(step["clauses"])),
        ("lead", f"{data['lead']['code']} {data['lead']['name'] or ''}".strip()),
        ("cooperating", coop or "—"),
        ("state", f"{a['status']} (version {a['version']})"),
        ("status", f"{data['board_label'][lang]} ({_d(data['today'])})"),
        ("due", _d(a["due_current"]) + (f" (original {_d(a['due_original'])})"
                                          if a["due_original"] != a["due_current"] else "")),
        ("opened", _d(a["opened_on"])),
        ("completed", f"{_d(a['completed_on'])} {a['completed_by'] or ''}".strip()),
        ("note", a["note"] or ""),
        ("recorded", _later(data.get("recorded_later"))),
        ("outputs", str(a["outputs"]) if a["outputs"] else ""),
    ]
    for key, value in lines:
        if value:
            console.print(f"  {key:<12} {value}", highlight=False)
    _table("History", ["seq", "at", "recorded_at", "claim", "actor", "action", "reason"],
           data["history"])
    _table("Extensions", ["id", "old_due", "new_due", "status", "reason", "decided_by",
                          "decision_reason"], data["extensions"])
    _table("Contributions", ["id", "agency_code", "author", "at", "comment", "figures"],
           data["contributions"])
    _table("Evidence", ["id", "filename", "size", "sha256", "link", "added_by"], data["evidence"])


def _table(title: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)
