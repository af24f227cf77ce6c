"""The audit hash chain: canonical encoding and verification, with no database.

Each event's hash is SHA-256 over the canonical JSON of its fields *including the previous event's
hash and its own sequence number*. Editing an event changes its hash; deleting, inserting or
reordering events breaks the link (``prev_hash``) or the sequence of the next one. Canonical JSON:
UTF-8, keys sorted, no whitespace, timestamps as ISO 8601 UTC with microseconds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

#: The ``prev_hash`` of the first event.
GENESIS = "0" * 64

#: The fields covered by the hash, in the order documented for inspectors.
HASHED_FIELDS = (
    "seq", "at", "actor", "action", "target_type", "target_id", "before", "after", "reason",
    "prev_hash",
)


def _default(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} in an audit event")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes of the hashed fields of an event."""
    data = {name: fields.get(name) for name in HASHED_FIELDS}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default)
    return text.encode("utf-8")


def event_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical encoding of ``fields``."""
    return hashlib.sha256(canonical(fields)).hexdigest()


def normalise(value: Any) -> Any:
    """Turn dates, datetimes and tuples into the JSON values that will be stored and hashed."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_default))


@dataclass(frozen=True)
class ChainBreak:
    """The first event where the chain does not hold, and why."""

    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f" (id {self.event_id})" if self.event_id is not None else ""
        return f"event #{self.seq}{where}: {self.reason}"


def verify(events: Iterable[Mapping[str, Any]], *, head: tuple[int, str] | None = None
           ) -> tuple[int, ChainBreak | None]:
    """Check events in storage order; return (events checked, first break or None).

    Each event must have the next sequence number, link to the previous hash and hash to its own
    stored hash. ``head`` (seq, hash) from the head row, when given, must match the last event,
    which catches events deleted from (or appended to) the end of the chain; the break then names
    the first event where the chain and the head disagree.
    """
    prev, expected_seq, count = GENESIS, 1, 0
    for event in events:
        count += 1
        seq, event_id = event["seq"], event.get("id")
        if seq != expected_seq:
            why = f"sequence number {seq} where {expected_seq} was expected (missing or moved)"
            return count, ChainBreak(seq, event_id, why)
        if event["prev_hash"] != prev:
            return count, ChainBreak(seq, event_id, "prev_hash does not match the previous event")
        if event_hash(event) != event["hash"]:
            return count, ChainBreak(seq, event_id, "content does not match its hash (edited)")
        prev, expected_seq = event["hash"], expected_seq + 1
    if head is not None and head != (expected_seq - 1, prev):
        end = expected_seq - 1
        reason = f"chain ends at #{end} but the head records #{head[0]}"
        if head[0] > end:
            return count, ChainBreak(end + 1, None, reason + " (deleted at the end)")
        first = head[0] + 1 if head[0] < end else end
        return count, ChainBreak(first, None, reason + " (appended or replaced at the end)")
    return count, None
