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


def test_a_consistent_forgery_of_prev_hash_is_caught_only_by_the_link_check() -> None:
    """Event #2 re-linked to a forged predecessor and re-hashed: its own hash matches, so only
    the prev_hash check catches it (disable that check and this test fails)."""
    events = chain(4)
    events[1]["prev_hash"] = "f" * 64
    events[1]["hash"] = audit_chain.event_hash(events[1])
    events[2]["prev_hash"] = events[1]["hash"]
    events[2]["hash"] = audit_chain.event_hash(events[2])
    events[3]["prev_hash"] = events[2]["hash"]
    events[3]["hash"] = audit_chain.event_hash(events[3])
    _, broken = audit_chain.verify(events)
    assert broken is not None and broken.seq == 2 and "prev_hash" in broken.reason


def test_recorded_times_are_hashed_when_set_and_must_not_go_backwards() -> None:
    events = chain(3)
    for i, event in enumerate(events):
        event["recorded_at"] = datetime(2026, 12, 1, 3, i, tzinfo=UTC)
        event["prev_hash"] = events[i - 1]["hash"] if i else audit_chain.GENESIS
        event["hash"] = audit_chain.event_hash(event)
    assert audit_chain.verify(events) == (3, None)
    assert b'"recorded_at":"2026-12-01T03:01:00.000000Z"' in audit_chain.canonical(events[1])
    events[2]["recorded_at"] = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    events[2]["hash"] = audit_chain.event_hash(events[2])
    _, broken = audit_chain.verify(events)
    assert broken is not None and broken.seq == 3 and "out of real-clock order" in broken.reason
