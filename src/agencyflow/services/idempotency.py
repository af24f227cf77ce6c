"""Idempotent retries: remember the answer to a request made with an ``Idempotency-Key``.

The rule (one place, used by the API's moves):

- A key belongs to the actor who sent it; the same key from another actor is another key.
- :func:`claim` is called *in the transaction of the change*, before acting: it inserts the key
  with the request's fingerprint. A second request with the same key that arrives meanwhile waits
  on the unique index (PostgreSQL) or on the write lock (SQLite: the API's writing requests begin
  with ``BEGIN IMMEDIATE``) and then finds the key taken (:class:`Replay`), so a change is never
  made twice, even by two retries racing each other.
- :func:`answer` stores the answer in the same transaction; when the change is refused (an error),
  the transaction rolls back and the key with it, so a retry is judged afresh.
- The same key with a different request (another fingerprint) is refused with a ValidationError.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from agencyflow.errors import ValidationError
from agencyflow.models import IdempotentRequest

#: Longest key accepted (the column's width).
MAX_KEY = 200


@dataclass(frozen=True)
class Replay:
    """The stored answer of a request already made with this key."""

    status_code: int
    body: str
    etag: str | None


def fingerprint(*parts: Any) -> str:
    """SHA-256 of the canonical JSON of ``parts`` (route, path parameters, body, file hashes)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_key(key: str) -> str:
    """The key, or ValidationError when it is empty, too long or not printable ASCII."""
    text = key.strip()
    if not text or len(text) > MAX_KEY or not all(33 <= ord(c) < 127 for c in text):
        raise ValidationError(f"Idempotency-Key: 1 to {MAX_KEY} printable ASCII characters, "
                              "no spaces")
    return text


def _stored(session: Session, actor: str, key: str) -> IdempotentRequest | None:
    stmt = (select(IdempotentRequest).where(col(IdempotentRequest.actor) == actor,
                                            col(IdempotentRequest.key) == key)
            .execution_options(populate_existing=True))
    return session.execute(stmt).scalar_one_or_none()


def _replay(row: IdempotentRequest, fingerprint: str) -> Replay:
    if row.fingerprint != fingerprint:
        raise ValidationError(
            f"Idempotency-Key {row.key!r} was already used for another request: use a new key "
            "for a new request")
    return Replay(row.status_code, row.body, row.etag)


def claim(session: Session, *, actor: str, key: str, fingerprint: str, now: datetime
          ) -> IdempotentRequest | Replay:
    """Take ``key`` for this request (a row to :func:`answer` later), or the stored answer.

    ``INSERT … ON CONFLICT DO NOTHING``: a request racing one that holds the key waits for it to
    finish, then inserts nothing and reads the answer it stored.
    """
    key = check_key(key)
    found = _stored(session, actor, key)
    if found is not None:
        return _replay(found, fingerprint)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(IdempotentRequest)
            .values(actor=actor, key=key, fingerprint=fingerprint, status_code=0, body="",
                    created_at=now)
            .on_conflict_do_nothing(index_elements=["actor", "key"]))
    session.execute(stmt)
    found = _stored(session, actor, key)
    assert found is not None  # ours, or the one that won the race
    # Another request's claim is seen only once it committed, and then with its answer: an
    # unanswered row is the one this transaction just inserted.
    return found if found.status_code == 0 else _replay(found, fingerprint)


def answer(session: Session, row: IdempotentRequest, *, status_code: int, body: str,
           etag: str | None = None) -> None:
    """Store the answer of the claimed request (same transaction as the change)."""
    row.status_code, row.body, row.etag = status_code, body, etag
    session.add(row)
    session.flush()
