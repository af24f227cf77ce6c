"""Digest mode: several notices to one recipient become one message.

Agencies with ``digest`` on (communes by default) get one message per dispatch batch listing all
their items, instead of one message per item; **escalations** are folded for every recipient
(the leader receives one message listing a sweep's late assignments, grouped by lead agency,
not one each), with the recipient's other rows when it is in digest mode. :func:`fold` runs
right after a claim, in one transaction: for each recipient (and language) with two or more
claimed, never-sent digest rows (or escalations) it inserts a ``digest`` notification — key
``digest:{recipient}:{lowest item id}``, so a retry of the same fold can never create a second
one — leased to the same worker, and marks the items ``digested`` with ``digest_id`` pointing
at it. A lone digest row is sent as an ordinary message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from agencyflow.models import Notification
from agencyflow.services.reminders.notice_context import RenderContexts
from agencyflow.services.writes import write_transaction

if TYPE_CHECKING:
    from agencyflow.services.delivery.results import DispatchResult

N = Notification
_N = Notification.__table__  # type: ignore[attr-defined]
#: Escalations are folded whatever the recipient's digest flag: a leader gets one message per
#: sweep listing every late assignment, grouped by lead agency, not one message each.
ESCALATION = "escalation"

_ITEMS = (
    update(_N).where(_N.c.id == bindparam("item"))
    .values(status="digested", digest_id=bindparam("did"), lease_owner=None, lease_until=None)
)


def _candidates(conn: Connection, ids: Sequence[int], worker_id: str
                ) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    cols = [col(c) for c in (N.id, N.recipient_code, N.tag, N.lang, N.context, N.kind,
                             N.cycle_id, N.lease_until, N.assignment_id, N.level, N.days_left)]
    foldable = or_(col(N.digest) == True, col(N.kind) == ESCALATION)  # noqa: E712
    stmt = select(*cols).where(col(N.id).in_(ids), col(N.lease_owner) == worker_id, foldable,
                               col(N.kind) != "digest", col(N.status) == "pending",
                               col(N.attempts) == 0).order_by(col(N.id))
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in conn.execute(stmt):
        # RowMapping is also keyed by column objects; here it is only ever read by name.
        item = cast(Mapping[str, Any], row._mapping)
        groups.setdefault((row.recipient_code, row.lang), []).append(item)
    return {k: v for k, v in groups.items() if len(v) > 1}


def _digest_row(items: list[Mapping[str, Any]], contexts: list[dict[str, Any]],
                now: datetime, worker_id: str) -> dict[str, Any]:
    first = items[0]
    context = {
        "recipient_name": contexts[0].get("recipient_name", first["recipient_code"]),
        "plan": contexts[0].get("plan"),
        "items": [{"kind": item["kind"], "level": item["level"] or 0,
                   "assignment": ctx.get("assignment"), "plan": ctx.get("plan")}
                  for item, ctx in zip(items, contexts, strict=True)],
    }
    return {
        "key": f"digest:{first['recipient_code']}:{first['id']}", "assignment_id": None,
        "cycle_id": first["cycle_id"], "kind": "digest", "window": now.date().isoformat(),
        "scheduled_on": now.date(), "recipient_code": first["recipient_code"],
        "tag": first["tag"], "level": 0, "lang": first["lang"], "digest": False,
        "context": context, "status": "pending", "attempts": 0, "created_at": now,
        "next_attempt_at": now, "lease_owner": worker_id, "lease_until": first["lease_until"],
    }


def _insert(conn: Connection, row: dict[str, Any]) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_N).values(**row).on_conflict_do_nothing(index_elements=["key"])
    inserted = conn.execute(stmt.returning(_N.c.id)).scalar_one_or_none()
    if inserted is not None:
        return int(inserted)
    return int(conn.execute(select(_N.c.id).where(_N.c.key == row["key"])).scalar_one())


def fold(engine: Engine, ids: Sequence[int], *, now: datetime, worker_id: str,
         result: DispatchResult, contexts: RenderContexts) -> list[int]:
    """Fold the claimed digest rows among ``ids`` into digest notifications; return the ids
    to send (the remaining rows and the new digests). An item whose context cannot be built
    (its assignment is gone) is not folded: it is sent, and fails, on its own."""
    with write_transaction(engine) as conn:
        groups = _candidates(conn, ids, worker_id)
        if not groups:
            return list(ids)  # nothing to fold
        folded: set[int] = set()
        created: list[int] = []
        candidates = [item for found in groups.values() for item in found]
        built = dict(zip((item["id"] for item in candidates), contexts.of(conn, candidates),
                         strict=True))  # one read of the assignments for every recipient
        for found in groups.values():
            pairs = [(i, c) for i in found if (c := built[i["id"]]) is not None]
            if len(pairs) < 2:
                continue
            items = [i for i, _ in pairs]
            digest_id = _insert(conn, _digest_row(items, [c for _, c in pairs], now, worker_id))
            conn.execute(_ITEMS, [{"item": item["id"], "did": digest_id} for item in items])
            folded.update(item["id"] for item in items)
            created.append(digest_id)
    result.digests += len(created)
    result.digested += len(folded)
    return [i for i in ids if i not in folded] + created
