"""Checkpoints: the audit head written down outside the database, and checked against it.

A checkpoint is the head of a verified chain — sequence number, hash, and the real time it was
taken — written where someone with write access to the database cannot reach it:

- a file (:func:`append_to_file`): one JSON line per checkpoint, appended and synced;
- a message (:func:`send`) through the notifier (apprise) to the inspectors' tag
  (``AGENCYFLOW_AUDIT_TAG``, default ``inspectors``: map it to their mailbox or chat in the
  channels file). It is sent directly, not through the outbox, so that a stuck outbox cannot
  hold it back; a tag without a channel, or a failed channel, is an error.

:func:`check` then fails, naming the checkpoint, when the chain no longer holds that event with
that hash: the trail was truncated below it (even with the triggers dropped and the head row
deleted), or rewritten at or before it (a rewritten tail, forged events appended after cutting
back past it). What a checkpoint cannot show: changes after the latest checkpoint (events
appended or rewritten since are checked only by the chain itself and the next checkpoint).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain import audit_chain, files
from agencyflow.errors import AuditError, DeliveryError
from agencyflow.i18n import _
from agencyflow.models import AuditEvent
from agencyflow.notifications.base import Message, Notifier
from agencyflow.services import clock
from agencyflow.services.audit import trail as audit

#: The tag checkpoints are sent to by default (the inspectors' channels).
DEFAULT_TAG = "inspectors"


@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at a moment: ``seq``, ``hash`` and the real time ``at``."""

    seq: int
    hash: str
    at: datetime

    def line(self) -> str:
        """The JSON line written to a checkpoint file."""
        return json.dumps({"seq": self.seq, "hash": self.hash,
                           "at": audit_chain.normalise(self.at)}, sort_keys=True)

    def __str__(self) -> str:
        return f"#{self.seq} sha256 {self.hash}"


def take(session: Session) -> Checkpoint:
    """Verify the whole chain (AuditError when it is broken) and return its head, now."""
    audit.verify(session)
    seq, head = audit.head(session)
    return Checkpoint(seq, head, clock.of(session).read())


def append_to_file(path: Path, checkpoint: Checkpoint) -> None:
    """Append ``checkpoint`` to the JSON-lines file ``path`` (created if missing), synced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(checkpoint.line() + "\n")
        out.flush()
        os.fsync(out.fileno())


def message(checkpoint: Checkpoint) -> Message:
    """The checkpoint as a message for the inspectors (the JSON line included, to keep)."""
    text = (f"Điểm kiểm tra nhật ký kiểm toán agencyflow / audit checkpoint: sự kiện "
            f"#{checkpoint.seq}, sha256 {checkpoint.hash}, lúc {checkpoint.line()}.\n"
            "Keep this message: `agencyflow audit verify --checkpoint FILE` checks the trail "
            "against it (one JSON line per checkpoint).\n" + checkpoint.line())
    return Message(subject=f"agencyflow audit checkpoint #{checkpoint.seq}", text=text,
                   key=f"audit-checkpoint:{checkpoint.seq}:{checkpoint.hash[:16]}",
                   data={"kind": "audit_checkpoint", "seq": checkpoint.seq,
                         "hash": checkpoint.hash, "at": audit_chain.normalise(checkpoint.at)})


def send(notifier: Notifier, tag: str, checkpoint: Checkpoint) -> int:
    """Send ``checkpoint`` to every channel of ``tag``; return how many; DeliveryError when no
    channel matches or one fails."""
    results = notifier.send(tag, message(checkpoint))
    if not results:
        raise DeliveryError(_("no channel for tag {tag}: the checkpoint was not sent (map the "
                              "tag to the inspectors' channels in AGENCYFLOW_APPRISE_CONFIG)"
                              ).format(tag=repr(tag)))
    failed = [f"{r.channel}: {r.error}" for r in results if not r.ok]
    if failed:
        raise DeliveryError(_("checkpoint {checkpoint} not delivered to: {value}").format(
            checkpoint=checkpoint, value='; '.join(failed)))
    return len(results)


def read_file(path: Path) -> Iterator[tuple[str, Checkpoint]]:
    """(``file:line``, checkpoint) of each line of a checkpoint file; AuditError for a line that
    is not a checkpoint."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AuditError(_("checkpoint file {path}: {reason}").format(
            path=path, reason=files.reason(exc))) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
            seq, digest = data["seq"], data["hash"]
            at = datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00"))
            valid = type(seq) is int and seq >= 0 and isinstance(digest, str) and len(digest) == 64
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise AuditError(_("checkpoint {where}: not a checkpoint line (seq, hash, at)").format(
                where=where))
        yield where, Checkpoint(seq, digest, at)


def check(session: Session, checkpoints: Iterable[tuple[str, Checkpoint]]) -> int:
    """Raise AuditError naming the first checkpoint the chain no longer holds; return how many
    were checked."""
    count = 0
    for where, checkpoint in checkpoints:
        count += 1
        if checkpoint.seq == 0:
            continue
        stored = session.execute(select(col(AuditEvent.hash)).where(
            col(AuditEvent.seq) == checkpoint.seq)).scalar_one_or_none()
        if stored is None:
            last, _hash = audit.head(session)
            raise AuditError(
                _("checkpoint {where} ({checkpoint}, taken {at} UTC): the trail has no event "
                  "#{seq} any more (truncated; its head is #{last})").format(
                    where=where, checkpoint=checkpoint, at=f"{checkpoint.at:%Y-%m-%d %H:%M}",
                    seq=checkpoint.seq, last=last))
        if stored != checkpoint.hash:
            raise AuditError(
                _("checkpoint {where} ({checkpoint}, taken {at} UTC): event #{seq} now hashes "
                  "to {stored} (rewritten)").format(
                    where=where, checkpoint=checkpoint, at=f"{checkpoint.at:%Y-%m-%d %H:%M}",
                    seq=checkpoint.seq, stored=stored))
    return count
