"""The column headers of the CLI's tables, in the current language.

A table's columns are the keys of its JSON and CSV (``board_status``, ``scheduled_on``); a person
reads the header :func:`header` gives them (``Tình trạng`` / ``status``). A column without a
header here is shown by its key.
"""

from __future__ import annotations

from functools import lru_cache

from agencyflow.i18n import current_language, language, pgettext


def _headers() -> dict[str, str]:
    return {
        "id": "#",
        "seq": "#",
        "step_id": pgettext("column", "step"),
        "step": pgettext("column", "step"),
        "period": pgettext("column", "period"),
        "lead": pgettext("column", "lead"),
        "commune": pgettext("column", "commune"),
        "cooperating": pgettext("column", "cooperating"),
        "title": pgettext("column", "title"),
        "due": pgettext("column", "due"),
        "original_due": pgettext("column", "original due"),
        "completed_on": pgettext("column", "done"),
        "board_status": pgettext("column", "status"),
        "status": pgettext("column", "status"),
        "recorded_later_by": pgettext("column", "recorded later by"),
        "key": pgettext("column", "key"),
        "version": pgettext("column", "version"),
        "sha256": "sha256",
        "hash": pgettext("column", "hash"),
        "source": pgettext("column", "source"),
        "loaded_at": pgettext("column", "loaded at"),
        "plan": pgettext("column", "plan"),
        "year": pgettext("column", "year"),
        "start": pgettext("column", "start"),
        "assignments": pgettext("column", "assignments"),
        "started_at": pgettext("column", "started at"),
        "started_by": pgettext("column", "started by"),
        "target": pgettext("column", "target"),
        "subject": pgettext("column", "about"),
        "value": pgettext("column", "value"),
        "min": pgettext("column", "minimum"),
        "stretch": pgettext("column", "stretch"),
        "stretch_reached": pgettext("column", "stretch reached"),
        "at": pgettext("column", "at"),
        "recorded": pgettext("column", "recorded"),
        "actor": pgettext("column", "by"),
        "action": pgettext("column", "action"),
        "before": pgettext("column", "before"),
        "after": pgettext("column", "after"),
        "reason": pgettext("column", "reason"),
        "kind": pgettext("column", "kind"),
        "kinds": pgettext("column", "kinds"),
        "recipient": pgettext("column", "recipient"),
        "tag": pgettext("column", "tag"),
        "assignment": pgettext("column", "assignment"),
        "scheduled_on": pgettext("column", "scheduled"),
        "attempts": pgettext("column", "attempts"),
        "next_attempt_at": pgettext("column", "next attempt"),
        "last_error": pgettext("column", "last error"),
        "agency": pgettext("column", "agency"),
        "queued": pgettext("column", "queued"),
        "sent": pgettext("column", "sent"),
        "failed": pgettext("column", "failed"),
        "dead": pgettext("column", "dead"),
        "digest": pgettext("column", "digest"),
        "clauses": pgettext("column", "clauses"),
        "recurrence": pgettext("column", "recurrence"),
        "deadline": pgettext("column", "deadline"),
        "depends_on": pgettext("column", "depends on"),
        "outputs": pgettext("column", "outputs"),
        "username": pgettext("column", "user"),
        "user": pgettext("column", "user"),
        "name": pgettext("column", "name"),
        "role": pgettext("column", "role"),
        "agency_code": pgettext("column", "agency"),
        "active": pgettext("column", "active"),
        "email": pgettext("column", "e-mail"),
        "created_at": pgettext("column", "created at"),
        "last_used_at": pgettext("column", "last used"),
        "expires_at": pgettext("column", "expires"),
        "revoked_at": pgettext("column", "revoked"),
        "old_due": pgettext("column", "old due"),
        "new_due": pgettext("column", "new due"),
        "decided_by": pgettext("column", "decided by"),
        "decision_reason": pgettext("column", "decision"),
        "claim": pgettext("column", "claim"),
        "author": pgettext("column", "author"),
        "comment": pgettext("column", "comment"),
        "figures": pgettext("column", "figures"),
        "filename": pgettext("column", "file"),
        "size": pgettext("column", "size"),
        "link": pgettext("column", "link"),
        "added_by": pgettext("column", "added by"),
        "recorded_at": pgettext("column", "recorded at"),
    }


def header(column: str) -> str:
    """The header of ``column`` in the current language (the key itself if it has none)."""
    return headers(current_language()).get(column, column)


@lru_cache(maxsize=4)
def headers(lang: str) -> dict[str, str]:
    """Every column's header in ``lang``."""
    with language(lang):
        return _headers()
