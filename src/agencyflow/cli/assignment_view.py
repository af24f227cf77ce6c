"""Printing one assignment (the data of ``services.assignments.views.show``) for people: words
for codes, dates as dd/mm/yyyy and times in Vietnam time (the JSON keeps ISO 8601)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from agencyflow.cli.base import console, styled
from agencyflow.cli.words import header
from agencyflow.formats import ddmmyyyy, ddmmyyyy_hhmm
from agencyflow.i18n import _, current_language, pgettext
from agencyflow.labels import label


def _later(late: dict[str, Any] | None) -> str:
    """"recorded later by X at dd/mm/yyyy HH:MM (for dd/mm/yyyy HH:MM): reason", or empty."""
    if not late:
        return ""
    text = _("recorded later by {user} at {time}").format(
        user=late["by"], time=ddmmyyyy_hhmm(late.get("recorded_at"), utc=True))
    if late.get("at"):
        text += " " + _("(for {time})").format(time=ddmmyyyy_hhmm(late["at"], utc=True))
    return text + (f": {late['reason']}" if late.get("reason") else "")


def _summary(data: dict[str, Any]) -> list[tuple[str, str]]:
    a, step = data["assignment"], data["step"]
    coop = ", ".join(f"{c['code']} {c['name'] or ''}".strip() for c in data["cooperating"])
    due = ddmmyyyy(a["due_current"])
    if a["due_original"] != a["due_current"]:
        due += " " + _("(originally {day})").format(day=ddmmyyyy(a["due_original"]))
    return [
        (pgettext("field", "clauses"), ", ".join(step["clauses"])),
        (pgettext("field", "lead"),
         f"{data['lead']['code']} {data['lead']['name'] or ''}".strip()),
        (pgettext("field", "cooperating"), coop or "—"),
        (pgettext("field", "state"), _("{state} (version {version})").format(
            state=label("state", a["status"]), version=a["version"])),
        (pgettext("field", "status"),
         f"{label('board', data['board_status'])} ({ddmmyyyy(data['today'])})"),
        (pgettext("field", "due"), due),
        (pgettext("field", "opened"), ddmmyyyy(a["opened_on"])),
        (pgettext("field", "completed"),
         f"{ddmmyyyy(a['completed_on'])} {a['completed_by'] or ''}".strip()),
        (pgettext("field", "note"), a["note"] or ""),
        (pgettext("field", "recorded"), _later(data.get("recorded_later"))),
        (pgettext("field", "outputs"), ", ".join(f"{k}: {v}" for k, v in a["outputs"].items())
         if a["outputs"] else ""),
    ]


def print_assignment(data: dict[str, Any]) -> None:
    """Summary, outputs, history, extensions, contributions and evidence."""
    a, step = data["assignment"], data["step"]
    title = step["title"].get(current_language()) or step["title"]["vi"]
    console.print(styled((f"#{a['id']} {a['step_id']} {a['period']}", "bold"), f" — {title}"),
                  highlight=False)
    lines = _summary(data)
    width = max(len(key) for key, _value in lines)
    for key, value in lines:
        if value:
            console.print(f"  {key:<{width}}  {value}", highlight=False)
    history = [{**e, "at": ddmmyyyy_hhmm(e["at"], utc=True),
                "recorded_at": ddmmyyyy_hhmm(e.get("recorded_at"), utc=True),
                "claim": label("claim", e.get("claim")), "action": label("action", e["action"])}
               for e in data["history"]]
    _table(_("History"), ["seq", "at", "recorded_at", "claim", "actor", "action", "reason"],
           history)
    extensions = [{**e, "old_due": ddmmyyyy(e["old_due"]), "new_due": ddmmyyyy(e["new_due"]),
                   "status": label("extension", e["status"])} for e in data["extensions"]]
    _table(_("Extensions"), ["id", "old_due", "new_due", "status", "reason", "decided_by",
                             "decision_reason"], extensions)
    contributions = [{**c, "at": ddmmyyyy_hhmm(c["at"], utc=True)}
                     for c in data["contributions"]]
    _table(_("Contributions"), ["id", "agency_code", "author", "at", "comment", "figures"],
           contributions)
    _table(_("Evidence"), ["id", "filename", "size", "sha256", "link", "added_by"],
           data["evidence"])


def _table(title: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(header(column), overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)
