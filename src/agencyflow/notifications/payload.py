"""What machine channels carry: the structured ``notification`` object and the apprise type.

A JSON webhook (``json://``) receives apprise's own fields plus two of ours; an MQTT subscriber
receives a JSON document with the same fields (no ``version``/``attachments``)::

    {"version": "1.0", "title": "[Quá hạn] …", "message": "Kính gửi: …", "attachments": [],
     "type": "warning",
     "idempotency_key": "agencyflow:a12:overdue:2027-03-10:3f2a9c1b7d4e",
     "notification": {"id": 57, "key": "a12:overdue:2027-03-10", "kind": "overdue", "level": 0,
                      "recipient": "KTHT", "assignment_id": 12, "plan": "kim-thanh-ocop",
                      "step": "KTHT-3-MAY", "title": "…", "lead": "KTHT", "lead_name": "…",
                      "commune": null, "commune_name": null, "due": "2027-03-05",
                      "days_left": -3, "days_late": 3, "status": "in_progress",
                      "url": "https://…/assignments/12"}}

``days_left`` counts working days to ``due`` (negative when late; null for ``completed`` and
``extension_decided``), ``days_late`` is ``max(0, -days_left)``. ``extension_decided`` adds
``decision`` and ``new_due``; a ``digest`` has ``items`` (each the fields above from
``assignment_id`` on, plus its ``kind`` and ``level``) instead of one assignment. The README
("Machine payloads") documents this schema; :func:`notify_type` gives the apprise type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

#: The apprise notification type of each kind (``extension_decided`` depends on the decision).
KIND_TYPES = {"opened": "info", "reminder": "info", "due_today": "info", "overdue": "warning",
              "escalation": "failure", "completed": "success"}
_RANK = {"info": 0, "success": 0, "warning": 1, "failure": 2}

LinkFor = Callable[[Any], str | None]


def notify_type(kind: str, context: Mapping[str, Any]) -> str:
    """info (news, reminders), warning (overdue, an extension refused), failure (escalated),
    success (completed, an extension approved); a digest takes its most severe item's type."""
    if kind == "digest":
        types = [notify_type(i.get("kind", ""), i) for i in context.get("items") or []]
        return max(types, key=lambda t: _RANK[t], default="info")
    if kind == "extension_decided":
        return "success" if context.get("decision") == "approved" else "warning"
    return KIND_TYPES.get(kind, "info")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _assignment_fields(kind: str, context: Mapping[str, Any], link_for: LinkFor
                       ) -> dict[str, Any]:
    a: Mapping[str, Any] = context.get("assignment") or {}
    plan: Mapping[str, Any] = context.get("plan") or {}
    days_left = a.get("days_left")
    fields = {
        "assignment_id": a.get("id"), "plan": plan.get("key"), "step": a.get("step_id"),
        "title": a.get("title"), "lead": a.get("lead_code"), "lead_name": a.get("lead_name"),
        "commune": a.get("commune_code"), "commune_name": a.get("commune_name"),
        "due": _iso(a.get("due")), "days_left": days_left,
        "days_late": None if days_left is None else max(0, -int(days_left)),
        "status": a.get("status"),
        "url": context.get("link") or (link_for(a["id"]) if a.get("id") is not None else None),
    }
    if kind == "extension_decided":
        fields |= {"decision": context.get("decision"), "new_due": _iso(context.get("new_due"))}
    return fields


def notification_payload(*, notification_id: int | None, key: str | None, kind: str,
                         level: int, recipient: str | None, context: Mapping[str, Any],
                         link_for: LinkFor) -> dict[str, Any]:
    """The ``notification`` object of a machine payload (module docstring), JSON-ready."""
    head = {"id": notification_id, "key": key, "kind": kind, "level": level,
            "recipient": recipient}
    if kind != "digest":
        return head | _assignment_fields(kind, context, link_for)
    items = []
    for item in context.get("items") or []:
        item_kind = item.get("kind", "")
        items.append({"kind": item_kind, "level": item.get("level", 0)}
                     | _assignment_fields(item_kind, item, link_for))
    head["level"] = max([level, *(i["level"] or 0 for i in items)])
    return head | {"items": items}
