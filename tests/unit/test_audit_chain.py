"""The hash chain without a database: canonical encoding and every kind of tampering."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agencyflow.domain import audit_chain


def chain(n: int) -> list[dict[str, Any]]:
    events, prev = [], audit_chain.GENESIS
    for seq in range(1, n + 1):
        event = {"id": seq, "seq": seq, "at": datetime(2027, 1, seq, tzinfo=UTC), "actor": "an",
                 "action": "x", "target_type": "assignment", "target_id": str(seq),
                 "before": {"status": "open"}, "after": {"status": "done", "note": "Đã xong"},
                 "reason": None, "prev_hash": prev}
        event["hash"] = audit_chain.event_hash(event)
        prev = event["hash"]
        events.append(event)
    return events


def test_canonical_encoding_is_stable_and_keeps_vietnamese() -> None:
    event = chain(1)[0]
    assert audit_chain.canonical(event) == audit_chain.canonical(dict(reversed(event.items())))
    assert "Đã xong".encode() in audit_chain.canonical(event)
    assert b'"at":"2027-01-01T00:00:00.000000Z"' in audit_chain.canonical(event)


def test_an_untouched_chain_verifies() -> None:
    events = chain(5)
    assert audit_chain.verify(events, head=(5, events[-1]["hash"])) == (5, None)


def test_edit_delete_insert_reorder_and_truncation_are_each_found() -> None:
    edited = chain(5)
    edited[2]["after"] = {"status": "done", "note": "sửa"}
    assert audit_chain.verify(edited)[1].seq == 3

    deleted = chain(5)
    del deleted[1]
    assert audit_chain.verify(deleted)[1].seq == 3

    inserted = chain(5)
    forged = dict(inserted[1], id=99, target_id="forged")
    forged["hash"] = audit_chain.event_hash(forged)
    inserted.insert(2, forged)
    assert audit_chain.verify(inserted)[1].seq == 2

    swapped = chain(5)
    swapped[1], swapped[3] = swapped[3], swapped[1]
    assert audit_chain.verify(swapped)[1].seq == 4

    truncated = chain(5)
    head = (5, truncated[-1]["hash"])
    broken = audit_chain.verify(truncated[:-1], head=head)[1]
    assert broken is not None and "deleted" in broken.reason
