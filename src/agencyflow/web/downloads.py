"""Downloads streamed as they are read, for the pages and the API alike: the audit export.

The export reads one snapshot in a session of its own, opened before the answer starts (so the
head named in the headers is the snapshot's) and closed when the last byte is sent or the
client goes away; the text goes out in pieces of :data:`CHUNK` bytes.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.responses import StreamingResponse

from agencyflow.domain.permissions import Actor
from agencyflow.services import people
from agencyflow.services.database import Engine, Session

#: Bytes sent at a time.
CHUNK = 64 * 1024

#: Media type of each export format.
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


def audit_export(engine: Engine, actor: Actor, fmt: str, filename: str) -> StreamingResponse:
    """The audit trail as an attachment ``filename``, with ``X-Audit-Head`` (seq and hash of
    the head the export ends at) and ``X-Audit-Events``; refused (permission, format) before
    anything is sent."""
    session = Session(engine)
    try:
        (seq, head), lines = people.audit_export_stream(session, actor, fmt)
    except BaseException:
        session.close()
        raise
    return StreamingResponse(_body(session, lines), media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Audit-Head": f"{seq} {head}", "X-Audit-Events": str(seq)})


def _body(session: Session, lines: Iterator[str]) -> Iterator[bytes]:
    try:
        yield from chunked(lines, CHUNK)
    finally:
        session.close()


def chunked(lines: Iterator[str], size: int) -> Iterator[bytes]:
    """``lines`` encoded in UTF-8, in pieces of about ``size`` bytes."""
    piece: list[bytes] = []
    held = 0
    for line in lines:
        data = line.encode("utf-8")
        piece.append(data)
        held += len(data)
        if held >= size:
            yield b"".join(piece)
            piece, held = [], 0
    if piece:
        yield b"".join(piece)
