"""Appending to and verifying the audit trail (the hash chain lives in domain.audit_chain)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain import audit_chain
from agencyflow.domain.ids import clamp_limit
from agencyflow.domain.permissions import Actor
from agencyflow.errors import AuditError, ValidationError
from agencyflow.i18n import _
from agencyflow.models import AuditEvent, AuditHead
from agencyflow.services import clock
from agencyflow.services.audit import append
from agencyflow.services.audit.append import Entry

__all__ = ["EXPORT_FIELDS", "Entry", "export", "export_stream", "exported", "head", "last_actor",
           "log", "record", "record_many", "verify", "verify_export"]


def record(
    session: Session,
    *,
    now: datetime,
    actor: Actor | str,
    action: str,
    target_type: str,
    target_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    opened_on: date | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the change).

    ``now`` is the business time the change was decided at; the event records the real clock
    too (``recorded_at``, from the session's :mod:`~agencyflow.services.clock`, never going
    backwards along the chain) and the claim ``now`` makes. A claim that is not honest — a time
    after the real clock, a past time from anyone but a coordinator giving a reason, a late
    entry before ``opened_on`` (the day the assignment opened) — raises, and the caller's
    transaction rolls back (:func:`agencyflow.domain.clock.stamp`).
    """
    return AuditEvent(**record_many(session, [Entry(now, actor, action, target_type, target_id,
                                                    before, after, reason, opened_on)])[0])


def record_many(session: Session, entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """Append ``entries`` in order, as :func:`record` appends one (the single path of both, and
    of the CLI's quick writes: :func:`agencyflow.services.audit.append.append_many`). Returns
    the stored fields."""
    session.flush()  # SQL text does not flush what the session holds
    return append.append_many(session, entries, clock.of(session))


def _rows(session: Session, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every event in storage order (by id, whatever the ids are), in batches."""
    last: int | None = None
    while True:
        stmt = (select(AuditEvent).order_by(col(AuditEvent.id)).limit(batch)
                .execution_options(populate_existing=True))
        if last is not None:
            stmt = stmt.where(col(AuditEvent.id) > last)
        events = session.execute(stmt).scalars().all()
        if not events:
            return
        for event in events:
            yield event.model_dump()
        last = events[-1].id


def _snapshot(session: Session) -> None:
    """Make the reads of a fresh transaction see one consistent snapshot, so that appends
    committed while a long verify or export runs do not look like tampering (no lock is taken:
    writers are never blocked). In a transaction the caller already began, nothing changes."""
    if session.in_transaction():
        return
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection().exec_driver_sql("BEGIN")


def head(session: Session) -> tuple[int, str]:
    """The chain head as recorded: (last sequence number, its hash)."""
    stmt = select(AuditHead).where(col(AuditHead.id) == 1).execution_options(populate_existing=True)
    row = session.execute(stmt).scalar_one_or_none()
    return (row.seq, row.hash) if row else (0, audit_chain.GENESIS)


def verify(session: Session) -> int:
    """Check the whole chain in storage order; return the number of events, or raise AuditError
    naming the first broken event."""
    _snapshot(session)
    count, broken = audit_chain.verify(_rows(session), head=head(session))
    if broken is not None:
        raise AuditError(_('audit trail broken at {broken}').format(broken=broken))
    return count


def log(session: Session, *, assignment_id: int | None = None, actor: str | None = None,
        limit: int | None = 100) -> list[AuditEvent]:
    """The latest ``limit`` events (all when None), oldest first, optionally only those about
    one assignment or by one actor."""
    stmt = select(AuditEvent).order_by(col(AuditEvent.seq).desc())
    limit = clamp_limit(limit)
    if assignment_id is not None:
        stmt = stmt.where(col(AuditEvent.target_type) == "assignment",
                          col(AuditEvent.target_id) == str(assignment_id))
    if actor:
        stmt = stmt.where(col(AuditEvent.actor) == actor)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(reversed(session.execute(stmt).scalars().all()))


def last_actor(session: Session, *, target_type: str, target_id: str | int, action: str
               ) -> str | None:
    """The actor of the latest ``action`` event on the target (None: there is none)."""
    stmt = (select(col(AuditEvent.actor))
            .where(col(AuditEvent.target_type) == target_type,
                   col(AuditEvent.target_id) == str(target_id), col(AuditEvent.action) == action)
            .order_by(col(AuditEvent.seq).desc()).limit(1))
    return session.execute(stmt).scalar_one_or_none()


#: Columns of an export, in order: every stored field, hashes included.
EXPORT_FIELDS = ("id", *audit_chain.HASHED_FIELDS, *audit_chain.OPTIONAL_HASHED, "hash")


def exported(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event as exported: every field, ``at`` in the canonical form that was hashed."""
    return {name: audit_chain.normalise(event.get(name)) for name in EXPORT_FIELDS}


def export(session: Session, fmt: str, out: TextIO) -> tuple[int, tuple[int, str]]:
    """Write every event to ``out`` as ``jsonl`` or ``csv``; return (events, head).

    The export is made so that an inspector can re-verify the chain without agencyflow:

    - **jsonl**: one JSON object per line with ``id, seq, at, actor, action, target_type,
      target_id, before, after, reason, prev_hash, recorded_at, claim, claim_reason, hash``.
      ``at`` (the business time) and ``recorded_at`` (the real clock) are exactly the strings
      that were hashed (ISO 8601 UTC with microseconds and ``Z``); ``recorded_at``, ``claim``
      and ``claim_reason`` are hashed only when they are not null (older events have none).
    - **csv**: the same columns with a header row; ``before``, ``after``, ``reason`` and
      ``claim_reason`` are JSON-encoded (``null`` when empty) so that nothing is lost.

    Re-verifying a jsonl export with Python's standard library alone::

        import hashlib, json
        FIELDS = ("seq", "at", "actor", "action", "target_type", "target_id",
                  "before", "after", "reason", "prev_hash")
        OPTIONAL = ("recorded_at", "claim", "claim_reason")
        prev, n = "0" * 64, 0
        for line in open("audit.jsonl", encoding="utf-8"):
            e, n = json.loads(line), n + 1
            data = {k: e[k] for k in FIELDS}
            data |= {k: e[k] for k in OPTIONAL if e.get(k) is not None}
            body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            assert e["seq"] == n and e["prev_hash"] == prev, f"event #{e['seq']}: link broken"
            assert hashlib.sha256(body.encode()).hexdigest() == e["hash"], f"#{n}: edited"
            prev = e["hash"]
        print(n, "events, chain intact, head", prev)

    (for csv, ``json.loads`` the before/after/reason cells and ``int`` the seq first). Compare the
    last hash with the head printed by ``agencyflow audit verify`` or this export, noted down at
    the time: a chain is only as trustworthy as a head kept outside the database.
    ``agencyflow audit verify --file audit.jsonl`` does the same check.
    """
    at_head, lines = export_stream(session, fmt)
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count - (fmt == "csv"), at_head


def export_stream(session: Session, fmt: str) -> tuple[tuple[int, str], Iterator[str]]:
    """The head of the snapshot an export reads and the export's lines (a csv header first),
    read in batches as they are consumed: the trail is never held in memory. The events are
    the head's first ``seq`` (the chain numbers them from 1 without a gap)."""
    check_export_format(fmt)
    _snapshot(session)
    return head(session), _export_lines(session, fmt)


def _export_lines(session: Session, fmt: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer) if fmt == "csv" else None
    if writer:
        writer.writerow(EXPORT_FIELDS)
        yield _take(buffer)
    for event in _rows(session):
        row = exported(event)
        if writer:
            writer.writerow([_csv_cell(name, row[name]) for name in EXPORT_FIELDS])
            yield _take(buffer)
        else:
            yield json.dumps(row, ensure_ascii=False) + "\n"


def check_export_format(fmt: str) -> None:
    """ValidationError unless ``fmt`` is an export format (jsonl, csv)."""
    if fmt not in ("jsonl", "csv"):
        raise ValidationError(_('export format {fmt}: use jsonl or csv').format(fmt=repr(fmt)))


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _csv_cell(name: str, value: Any) -> Any:
    if name in ("before", "after", "reason", "claim_reason"):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def verify_export(lines: Iterable[str], *, source: str = "export") -> int:
    """Check a jsonl export offline (no database); return the number of events or raise
    AuditError naming the first broken event (a deleted tail needs the head noted down)."""
    def events() -> Iterator[dict[str, Any]]:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    event = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise AuditError(_("{source}:{number}: not a JSON line (column {column})"
                                       ).format(source=source, number=number,
                                                column=exc.colno)) from None
                missing = ([f for f in (*audit_chain.HASHED_FIELDS, "hash") if f not in event]
                           if isinstance(event, dict) else ["every field"])
                if missing:
                    raise AuditError(_("{source}:{number}: not an exported audit event (missing "
                                       "{value})").format(
                        source=source, number=number, value=', '.join(missing)))
                yield event

    count, broken = audit_chain.verify(events())
    if broken is not None:
        raise AuditError(_("{source}: audit trail broken at {broken}").format(
            source=source, broken=broken))
    return count
