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

from agencyflow.i18n import _

#: The ``prev_hash`` of the first event.
GENESIS = "0" * 64

#: The fields covered by the hash, in the order documented for inspectors.
HASHED_FIELDS = (
    "seq", "at", "actor", "action", "target_type", "target_id", "before", "after", "reason",
    "prev_hash",
)
#: Fields hashed when they are set (not None): the recorded time and the claim of the business
#: time (events written before they existed have none, and keep their hashes).
OPTIONAL_HASHED = ("recorded_at", "claim", "claim_reason")


def _default(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} in an audit event")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes of the hashed fields of an event (the optional ones when set)."""
    data = {name: fields.get(name) for name in HASHED_FIELDS}
    data |= {name: fields[name] for name in OPTIONAL_HASHED if fields.get(name) is not None}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default)
    return text.encode("utf-8")


def event_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical encoding of ``fields``."""
    return hashlib.sha256(canonical(fields)).hexdigest()


def normalise(value: Any) -> Any:
    """Turn dates, datetimes and tuples into the JSON values that will be stored and hashed."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_default))


def _instant(value: Any) -> str | None:
    """A recorded time in its canonical text (which sorts as time does), or None."""
    if value is None:
        return None
    return value if isinstance(value, str) else _default(value)


@dataclass(frozen=True)
class ChainBreak:
    """The first event where the chain does not hold, and why."""

    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        if self.event_id is None:
            return _("event #{seq}: {reason}").format(seq=self.seq, reason=self.reason)
        return _("event #{seq} (id {id}): {reason}").format(seq=self.seq, id=self.event_id,
                                                           reason=self.reason)


def verify(events: Iterable[Mapping[str, Any]], *, head: tuple[int, str] | None = None
           ) -> tuple[int, ChainBreak | None]:
    """Check events in storage order; return (events checked, first break or None).

    Each event must have the next sequence number, link to the previous hash, hash to its own
    stored hash, and be recorded (``recorded_at``, the real clock) no earlier than the event
    before it. ``head`` (seq, hash) from the head row, when given, must match the last event,
    which catches events deleted from (or appended to) the end of the chain; the break then names
    the first event where the chain and the head disagree.
    """
    prev, expected_seq, count = GENESIS, 1, 0
    last_recorded: str | None = None
    before: Mapping[str, Any] | None = None
    for event in events:
        count += 1
        seq, event_id = event["seq"], event.get("id")
        if seq != expected_seq:
            why = _("sequence number {seq} where {expected} was expected (missing or moved)"
                    ).format(seq=seq, expected=expected_seq)
            return count, ChainBreak(seq, event_id, why)
        if event["prev_hash"] != prev:
            if before is not None and event["prev_hash"] == before["prev_hash"]:
                # It links past the event before it: that one was inserted (name it, not this).
                return count, ChainBreak(before["seq"], before.get("id"),
                                         _("inserted: event #{seq} links to the event before it")
                                         .format(seq=seq))
            return count, ChainBreak(seq, event_id,
                                     _("prev_hash does not match the previous event"))
        if event_hash(event) != event["hash"]:
            return count, ChainBreak(seq, event_id, _("content does not match its hash (edited)"))
        recorded = _instant(event.get("recorded_at"))
        if recorded is not None and last_recorded is not None and recorded < last_recorded:
            why = (_("recorded at {recorded}, before the previous event ({last_recorded}): out "
                     "of real-clock order").format(recorded=recorded, last_recorded=last_recorded))
            return count, ChainBreak(seq, event_id, why)
        last_recorded = recorded or last_recorded
        prev, expected_seq, before = event["hash"], expected_seq + 1, event
    if head is not None and head != (expected_seq - 1, prev):
        end = expected_seq - 1
        reason = _("chain ends at #{end} but the head records #{head}").format(end=end,
                                                                              head=head[0])
        if head[0] > end:
            return count, ChainBreak(end + 1, None, reason + " (deleted at the end)")
        first = head[0] + 1 if head[0] < end else end
        return count, ChainBreak(first, None, reason + " (appended or replaced at the end)")
    return count, None
