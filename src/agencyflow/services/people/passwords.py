"""Web passwords: Argon2 hashes through pwdlib, set by the user or a coordinator.

Rules, in one place:

- A password has at least :data:`MIN_LENGTH` characters and at most :data:`MAX_LENGTH`; it is
  never stored, logged or put in the audit trail — only its Argon2 hash
  (``app_user.password_hash``).
- A user sets their own password; a coordinator (:attr:`Action.USER_MANAGE`) sets anyone's. The
  change is an audit event ``user.passwd`` (without the hash).
- :func:`check` verifies a password in constant work whether or not the user exists (an unknown
  name costs the same Argon2 verification as a wrong password), and upgrades an old hash when the
  library's parameters changed.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from pwdlib import PasswordHash
from sqlmodel import Session

from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.models import User
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import users

#: Shortest password accepted.
MIN_LENGTH = 8
#: Longest password accepted (Argon2 hashes any length; this bounds the work of one login).
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not a password of anyone")


def hash_password(password: str) -> str:
    """The Argon2 hash of ``password`` (checked against the length rule first)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"a password has at most {MAX_LENGTH} characters")
    return _hasher().hash(password)


def set_password(session: Session, username: str, password: str, *, now: datetime,
                 actor: Actor) -> User:
    """Give ``username`` a new web password (themself, or a coordinator for anyone)."""
    user = users.get_user(session, username)
    if actor.username != username:
        require(actor, Action.USER_MANAGE, target=_("the password of {user}").format(user=username))
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    audit.record(session, now=now, actor=actor.username, action="user.passwd",
                 target_type="user", target_id=username, after={"password": "changed"})
    return user


def check(user: User | None, password: str) -> bool:
    """True when ``user`` exists, is active, has a password and ``password`` matches it."""
    if len(password) > MAX_LENGTH:
        return False
    stored = user.password_hash if user is not None else None
    ok, new_hash = _hasher().verify_and_update(password, stored or _dummy_hash())
    if not ok or user is None or stored is None or not user.active:
        return False
    if new_hash:
        user.password_hash = new_hash
    return True
