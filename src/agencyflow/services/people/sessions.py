"""Browser sessions: log in (throttled), resolve a cookie to its user, log out.

Rules, in one place:

- A session id is 32 random bytes (``secrets.token_urlsafe``) given to the browser once, in a
  cookie; the ``web_session`` row stores only its SHA-256, the user, a CSRF token and the times.
- A session ends after :attr:`SessionPolicy.idle` without a request, :attr:`SessionPolicy.absolute`
  after login whatever happens, at logout, and when its user is disabled.
- Throttling: after :data:`MAX_FAILURES_PER_USER` failed logins for one username within
  :data:`WINDOW`, or :data:`MAX_FAILURES_PER_ADDRESS` from one address, further attempts are
  refused — without checking the password — until the oldest counted failure leaves the window;
  the message says until when. A successful login does not wipe the count of the address.
- Every login, failed login and logout is an audit event (``web.login``, ``web.login_failed``,
  ``web.logout``) about the user; a refused (throttled) attempt is a failed login.

:func:`login` returns a :class:`LoginResult` instead of raising, so that the caller commits the
failed attempt (and its audit event) before answering.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from agencyflow.dbapi import fetch, stored_utc
from agencyflow.domain.permissions import Actor, Role
from agencyflow.models import LoginAttempt, User, WebSession
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import passwords

#: Failed logins counted per username and per address.
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
#: A session's last-seen time is written at most this often (not on every request).
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: idle time and absolute lifetime."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login: the cookie value and CSRF token on success, else a message."""

    ok: bool
    cookie: str | None = None
    csrf: str | None = None
    message: str = ""
    throttled_until: datetime | None = None


@dataclass(frozen=True)
class Current:
    """The session behind a cookie: who is acting and the session's CSRF token."""

    session_id: int
    actor: Actor
    csrf: str
    full_name: str
    #: True when the session's last-seen time is older than :data:`TOUCH_EVERY`: the caller
    #: refreshes it with :func:`touch`, in a short transaction of its own.
    stale: bool = False


def cookie_hash(cookie: str) -> str:
    """SHA-256 (hex) of a cookie value: the only form in which it is stored."""
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def _failures_since(session: Session, column: str, value: str, since: datetime
                    ) -> list[datetime]:
    attr = getattr(LoginAttempt, column)
    stmt = (select(col(LoginAttempt.at)).where(attr == value, col(LoginAttempt.ok).is_(False),
                                              col(LoginAttempt.at) > since)
            .order_by(col(LoginAttempt.at)))
    return list(session.execute(stmt).scalars())


def throttled_until(session: Session, username: str, address: str, now: datetime
                    ) -> datetime | None:
    """When attempts for ``username`` from ``address`` are allowed again (None: now)."""
    since = now - WINDOW
    for column, value, limit in (("username", username, MAX_FAILURES_PER_USER),
                                 ("address", address, MAX_FAILURES_PER_ADDRESS)):
        failed = _failures_since(session, column, value, since)
        if len(failed) >= limit:
            return failed[len(failed) - limit] + WINDOW
    return None


def _user(session: Session, username: str) -> User | None:
    stmt = select(User).where(col(User.username) == username)
    return session.execute(stmt).scalar_one_or_none()


def login(session: Session, *, username: str, password: str, address: str, now: datetime
          ) -> LoginResult:
    """Check the password (unless throttled); on success open a session."""
    name = username.strip().lower()[:100]
    address = address[:64]
    until = throttled_until(session, name, address, now)
    user = _user(session, name) if until is None else None
    ok = until is None and passwords.check(user, password)
    session.add(LoginAttempt(username=name, address=address, at=now, ok=ok))
    if not ok or user is None:
        reason = "throttled" if until else "wrong username or password"
        audit.record(session, now=now, actor=name or "anonymous", action="web.login_failed",
                     target_type="user", target_id=name, after={"address": address,
                                                                "reason": reason})
        session.flush()
        if until is not None:
            return LoginResult(False, message="too many failed logins", throttled_until=until)
        return LoginResult(False, message="wrong username or password")
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = WebSession(token_hash=cookie_hash(cookie), user_id=user.id or 0, csrf_token=csrf,
                     created_at=now, last_seen_at=now, address=address)
    session.add(row)
    session.add(user)
    session.flush()
    audit.record(session, now=now, actor=user.username, action="web.login", target_type="user",
                 target_id=user.username, after={"address": address, "session": row.id})
    return LoginResult(True, cookie=cookie, csrf=csrf)


#: The session behind a cookie's hash and its user (plain SQL: the check runs on every page).
RESOLVE_SQL = """SELECT s.id, s.csrf_token, s.created_at, s.last_seen_at, s.ended_at,
  u.username, u.role, u.agency_code, u.full_name, u.active
FROM web_session s JOIN app_user u ON u.id = s.user_id
WHERE s.token_hash = :hash"""


def resolve(session: Session, cookie: str | None, *, now: datetime, policy: SessionPolicy
            ) -> Current | None:
    """The live session behind ``cookie``, or None. It only reads: when the last-seen time is
    due for a refresh (``stale``), the caller writes it with :func:`touch` in a transaction of
    its own, so that a page's reads never hold the database's write lock. No password hash is
    checked here: a cookie is looked up by its SHA-256."""
    if not cookie or len(cookie) > 200:
        return None
    found = fetch(session, RESOLVE_SQL, {"hash": cookie_hash(cookie)})
    if not found:
        return None
    session_id, csrf, created, seen, ended, username, role, agency, full_name, active = found[0]
    last_seen, started = stored_utc(seen), stored_utc(created)
    assert last_seen is not None and started is not None  # NOT NULL columns
    expired = (ended is not None or now - last_seen > policy.idle
               or now - started > policy.absolute or not active)
    if expired:
        return None
    return Current(int(session_id), Actor(username, Role(role), agency), csrf, full_name,
                   stale=now - last_seen > TOUCH_EVERY)


def touch(session: Session, session_id: int, *, now: datetime) -> None:
    """Refresh the last-seen time of a session (never moving it back, never reviving one that
    ended): the idle expiry counts from here."""
    session.execute(update(WebSession)
                    .where(col(WebSession.id) == session_id, col(WebSession.ended_at).is_(None),
                           col(WebSession.last_seen_at) < now)
                    .values(last_seen_at=now))


def logout(session: Session, current: Current, *, now: datetime) -> None:
    """End the session for good (its cookie no longer works anywhere)."""
    session.execute(update(WebSession).where(col(WebSession.id) == current.session_id)
                    .values(ended_at=now))
    audit.record(session, now=now, actor=current.actor.username, action="web.logout",
                 target_type="user", target_id=current.actor.username,
                 after={"session": current.session_id})


def live_sessions(session: Session, username: str) -> int:
    """How many sessions of ``username`` have not ended (expired ones included)."""
    stmt = (select(func.count()).select_from(WebSession)
            .join(User, col(User.id) == WebSession.user_id)
            .where(col(User.username) == username, col(WebSession.ended_at).is_(None)))
    return int(session.execute(stmt).scalar_one())
