"""Words for the codes agencyflow stores: roles, assignment states, board statuses, extension and
outbox statuses, notice kinds, target results, recurrences, moves, time claims, what the audit
trail is about, and actions — one table, shown by the CLI, the web pages and the reports alike.

Codes stay codes in the database, JSON and CSV (``in_progress``, ``assignment.complete``); what a
person reads goes through :func:`label`::

    label("state", "in_progress")        # "đang thực hiện" / "in progress"
    label("action", "assignment.complete")  # "hoàn thành nhiệm vụ" / "complete an assignment"

Each kind's words are ``pgettext`` messages with the kind as context (the same English word can
be two Vietnamese ones: a notification is "pending" to be sent, an extension request "pending" a
decision), in the ``errors`` catalog. An unknown code is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from agencyflow.i18n import current_language, language, pgettext


def _roles() -> dict[str, str]:
    return {"coordinator": pgettext("role", "coordinator"),
            "officer": pgettext("role", "officer"),
            "leader": pgettext("role", "leader"),
            "inspector": pgettext("role", "inspector"),
            "system": pgettext("role", "system")}


def _states() -> dict[str, str]:
    return {"waiting": pgettext("state", "waiting"),
            "open": pgettext("state", "open"),
            "in_progress": pgettext("state", "in progress"),
            "submitted": pgettext("state", "submitted"),
            "done": pgettext("state", "done"),
            "cancelled": pgettext("state", "cancelled")}


def _board() -> dict[str, str]:
    return {"done_on_time": pgettext("board", "Done on time"),
            "done_late": pgettext("board", "Done late"),
            "in_progress": pgettext("board", "In progress, within deadline"),
            "due_soon": pgettext("board", "Due soon"),
            "overdue": pgettext("board", "Overdue"),
            "waiting": pgettext("board", "Waiting (dependency not done or period not started)"),
            "cancelled": pgettext("board", "Cancelled")}


def _board_short() -> dict[str, str]:
    return {"done_on_time": pgettext("board, short", "on time"),
            "done_late": pgettext("board, short", "late"),
            "in_progress": pgettext("board, short", "in progress"),
            "due_soon": pgettext("board, short", "due soon"),
            "overdue": pgettext("board, short", "overdue"),
            "waiting": pgettext("board, short", "waiting"),
            "cancelled": pgettext("board, short", "cancelled")}


def _extensions() -> dict[str, str]:
    return {"pending": pgettext("extension", "pending"),
            "approved": pgettext("extension", "approved"),
            "refused": pgettext("extension", "refused"),
            "withdrawn": pgettext("extension", "withdrawn")}


def _outbox() -> dict[str, str]:
    return {"pending": pgettext("outbox", "pending"),
            "sent": pgettext("outbox", "sent"),
            "failed": pgettext("outbox", "failed"),
            "dead": pgettext("outbox", "dead (out of attempts)"),
            "superseded": pgettext("outbox", "no longer needed"),
            "digested": pgettext("outbox", "folded into a digest")}


def _notices() -> dict[str, str]:
    return {"opened": pgettext("notice", "new assignment"),
            "reminder": pgettext("notice", "reminder"),
            "due_today": pgettext("notice", "due today"),
            "overdue": pgettext("notice", "overdue"),
            "escalation": pgettext("notice", "escalation"),
            "completed": pgettext("notice", "completed"),
            "extension_decided": pgettext("notice", "extension decided"),
            "digest": pgettext("notice", "digest")}


def _targets() -> dict[str, str]:
    return {"met": pgettext("target", "met"),
            "not_met": pgettext("target", "not met"),
            "in_progress": pgettext("target", "in progress")}


def _recurrences() -> dict[str, str]:
    return {"once": pgettext("recurrence", "once"),
            "yearly": pgettext("recurrence", "yearly"),
            "quarterly": pgettext("recurrence", "quarterly"),
            "monthly": pgettext("recurrence", "monthly")}


def _moves() -> dict[str, str]:
    return {"open": pgettext("move", "open"),
            "start": pgettext("move", "start"),
            "submit": pgettext("move", "submit"),
            "approve": pgettext("move", "approve"),
            "reject": pgettext("move", "send back"),
            "complete": pgettext("move", "complete"),
            "cancel": pgettext("move", "cancel")}


def _sources() -> dict[str, str]:
    return {"bundled": pgettext("source", "bundled with agencyflow")}


def _claims() -> dict[str, str]:
    return {"simulated": pgettext("claim", "simulated"),
            "late": pgettext("claim", "recorded late")}


def _subjects() -> dict[str, str]:
    return {"assignment": pgettext("subject", "assignment"),
            "plan": pgettext("subject", "plan"),
            "cycle": pgettext("subject", "cycle"),
            "user": pgettext("subject", "user"),
            "token": pgettext("subject", "token"),
            "notification": pgettext("subject", "notification")}


def _actions() -> dict[str, str]:
    return {"read": pgettext("action", "read"),
            "plan.load": pgettext("action", "load a plan"),
            "cycle.start": pgettext("action", "start a cycle"),
            "cycle.migrate": pgettext("action", "move a cycle to an amended plan"),
            "assignment.open": pgettext("action", "open an assignment"),
            "assignment.start": pgettext("action", "start an assignment"),
            "assignment.progress": pgettext("action", "report progress"),
            "assignment.complete": pgettext("action", "complete an assignment"),
            "assignment.submit": pgettext("action", "submit an assignment"),
            "assignment.approve": pgettext("action", "approve an assignment"),
            "assignment.reject": pgettext("action", "send an assignment back"),
            "assignment.extend": pgettext("action", "ask for an extension"),
            "assignment.decide": pgettext("action", "decide an extension"),
            "assignment.reassign": pgettext("action", "reassign an assignment"),
            "assignment.contribute": pgettext("action", "contribute to an assignment"),
            "assignment.cancel": pgettext("action", "cancel an assignment"),
            "user.manage": pgettext("action", "manage users"),
            "user.add": pgettext("action", "add a user"),
            "user.disable": pgettext("action", "disable a user"),
            "user.passwd": pgettext("action", "set a password"),
            "token.create": pgettext("action", "create a token"),
            "token.revoke": pgettext("action", "revoke a token"),
            "audit.read": pgettext("action", "read the audit trail"),
            "notifications.admin": pgettext("action", "manage notifications"),
            "notification.retry": pgettext("action", "send a notification again"),
            "web.login": pgettext("action", "log in"),
            "web.login_failed": pgettext("action", "failed log-in"),
            "web.logout": pgettext("action", "log out")}


#: kind → the function that lists its words (in the current language).
KINDS: dict[str, Callable[[], dict[str, str]]] = {
    "role": _roles, "state": _states, "board": _board, "board_short": _board_short,
    "extension": _extensions, "outbox": _outbox, "notice": _notices, "target": _targets,
    "recurrence": _recurrences, "move": _moves, "source": _sources, "claim": _claims,
    "subject": _subjects,
    "action": _actions,
}


def label(kind: str, code: object, lang: str | None = None) -> str:
    """The words for ``code`` (a str or str enum) of ``kind`` (a key of :data:`KINDS`) in
    ``lang`` (default: the current language); None is empty, an unknown code is itself."""
    if code is None:
        return ""
    text = str(getattr(code, "value", code))
    return words(kind, lang or current_language()).get(text, text)


@lru_cache(maxsize=4 * len(KINDS))
def words(kind: str, lang: str) -> dict[str, str]:
    """Every code of ``kind`` with its words in ``lang`` (cached: tables print one per row)."""
    with language(lang):
        return KINDS[kind]()
