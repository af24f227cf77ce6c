"""Notices a use case writes when something happens (the sweep writes the scheduled ones).

- ``extension_decided``: an extension request was approved or refused. One notice to the
  assignment's **lead** (who asked), key ``a{assignment}:extension_decided:{extension}``, with
  ``decision`` (``approved``/``refused``), ``new_due`` (None when refused) and ``reason``. Never in
  a digest: a digest item shows only the assignment, not the decision, the new date or the reason.
- ``completed``: an assignment became done (complete, or approval of a submission). One notice
  to the plan's **coordinator**, key ``a{assignment}:completed:{coordinator}``, unless the
  coordinator is the lead itself. Only the coordinator: it follows every assignment of the plan,
  while the cooperating agencies and the leader see completions on the board (and the leader
  already hears about what stays late). The coordinator's own digest flag applies.

Both are written in the use case's transaction, with the sweep's context builder
(:func:`agencyflow.services.reminders.notice_context.item_context`) and writer
(:func:`agencyflow.services.reminders.outbox_writes.insert`, ``ON CONFLICT (key) DO NOTHING``), and
are due
at once. Office hours gate only the sweep, not the dispatcher, so a decision or a completion is
sent by the next dispatch run. ``days_left`` is None: these kinds are news about an event, and
their templates (and the digest's items of these kinds) do not show it. Unlike reminder-type
kinds, these notices are never superseded: what they report has happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from agencyflow.domain.calendar import local_date
from agencyflow.services.reminders import outbox_writes
from agencyflow.services.reminders.notice_facts import CycleInfo, item_context, load_cycles
from agencyflow.services.reminders.outbox_writes import Planned

if TYPE_CHECKING:
    from agencyflow.models import Assignment, ExtensionRequest

#: Kind of the notice telling the lead how its extension request was decided.
EXTENSION_DECIDED = "extension_decided"
#: Kind of the notice telling the coordinator that an assignment is done.
COMPLETED = "completed"
#: The kinds written by use cases (never superseded by the dispatcher or a new due date).
EVENT_KINDS = (COMPLETED, EXTENSION_DECIDED)


def extension_decided(session: Any, a: Assignment, ext: ExtensionRequest, *,
                      now: datetime, lang: str = "vi") -> bool:
    """Write the decision on ``ext`` (approved or refused) for the lead of ``a``; return
    whether a notice was written (False: it was there already)."""
    approved = ext.status == "approved"
    extra = {"decision": "approved" if approved else "refused",
             "new_due": ext.new_due.isoformat() if approved else None,
             "reason": ext.decision_reason}
    info = _cycle(session, a, lang)
    return _write(session, a, info, EXTENSION_DECIDED, window=str(ext.id),
                  recipient=a.lead_code, digest=False, extra=extra, now=now, lang=lang)


def completed(session: Any, a: Any, *, now: datetime, lang: str = "vi") -> bool:
    """Tell the plan's coordinator that ``a`` is done (nothing when it leads ``a`` itself);
    return whether a notice was written. ``session``: a session or a DBAPI connection, ``a``: a
    model row or a :class:`~agencyflow.services.assignments.rows.Row`."""
    info = _cycle(session, a, lang)
    coordinator = info.spec.coordinator
    if coordinator == a.lead_code:
        return False
    return _write(session, a, info, COMPLETED, window=coordinator, recipient=coordinator,
                  digest=info.agency(coordinator).digest, extra={}, now=now, lang=lang)


def _cycle(session: Any, a: Any, lang: str) -> CycleInfo:
    """The plan, agencies and plan context of ``a``'s cycle, read in the session's transaction."""
    [info] = load_cycles(session, lang, a.cycle_id)
    return info


def _write(session: Any, a: Any, info: CycleInfo, kind: str, *, window: str,
           recipient: str, digest: bool, extra: dict[str, Any], now: datetime,
           lang: str) -> bool:
    """Insert one notice about ``a`` (idempotent by its key) in the session's transaction."""
    if hasattr(session, "flush"):
        session.flush()
    row = a.model_dump()
    context = item_context(row, info, lang, recipient=recipient, days_left=None) | extra
    notice = Planned(
        key=outbox_writes.notice_key(a.id or 0, kind, window), assignment_id=a.id or 0,
        cycle_id=a.cycle_id, kind=kind, window=window, scheduled_on=local_date(now),
        recipient_code=recipient, tag=info.agency(recipient).tag, level=0, lang=lang,
        digest=digest, context=context)
    return bool(outbox_writes.insert(session, [notice], now))
