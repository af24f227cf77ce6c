"""Who is acting — the user called by a name, or the owner of an API token — checked with SQL
text that needs no SQLAlchemy.

:func:`token_actor` runs through :func:`agencyflow.dbapi.fetch`, so the same query serves the
board's plain DBAPI connection (``agencyflow board`` never imports SQLAlchemy) and every
SQLAlchemy session (:func:`agencyflow.services.people.users.authenticate_token`, which also records
when
the token was last used). An unknown or revoked token, or one of a disabled user, raises
:class:`~agencyflow.errors.AuthenticationError`; nothing falls back to anonymous reading.
"""

from __future__ import annotations

import hashlib
from typing import Any

from agencyflow.dbapi import fetch
from agencyflow.domain.permissions import Actor, Role
from agencyflow.errors import AuthenticationError
from agencyflow.formats import ddmmyyyy_hhmm
from agencyflow.i18n import _

TOKEN_SQL = """SELECT t.id, t.revoked_at, u.username, u.role, u.agency_code, u.active,
  t.last_used_at
FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = :hash"""


def token_hash(secret: str) -> str:
    """SHA-256 (hex) of a token: the only form in which a token is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_actor(conn: Any, secret: str) -> tuple[int, Actor]:
    """(token id, the actor owning ``secret``) on a DBAPI connection or a SQLAlchemy session;
    AuthenticationError when the token is unknown, revoked, or its user disabled."""
    token_id, actor, _last_used = token_use(conn, secret)
    return token_id, actor


def token_use(conn: Any, secret: str) -> tuple[int, Actor, Any]:
    """:func:`token_actor` and the token's ``last_used_at`` as the driver gives it (one query:
    an API request checks its token with it)."""
    rows = fetch(conn, TOKEN_SQL, {"hash": token_hash(secret.strip())})
    if not rows:
        raise AuthenticationError(_("invalid API token (AGENCYFLOW_TOKEN): no such token"))
    token_id, revoked_at, username, role, agency, active, last_used = rows[0]
    if revoked_at is not None:
        raise AuthenticationError(_("API token #{id} was revoked on {day}: create a new one")
                                  .format(id=token_id, day=ddmmyyyy_hhmm(revoked_at, utc=True)))
    if not active:
        raise AuthenticationError(_("API token #{id} belongs to user {user}, who is disabled")
                                  .format(id=token_id, user=username))
    return int(token_id), Actor(username, Role(role), agency), last_used


USER_SQL = "SELECT username, role, agency_code, active FROM app_user WHERE username = :username"


def user_actor(conn: Any, username: str) -> Actor:
    """The actor for an active user (on a DBAPI connection or a SQLAlchemy session);
    AuthenticationError for an unknown or disabled one."""
    rows = fetch(conn, USER_SQL, {"username": username})
    if not rows:
        raise AuthenticationError(_("unknown user \"{user}\" (see `agencyflow user list`)")
                                  .format(user=username))
    name, role, agency, active = rows[0]
    if not active:
        raise AuthenticationError(_("user {user} is disabled and cannot act").format(
            user=username))
    return Actor(name, Role(role), agency)


def has_users(conn: Any) -> bool:
    """True once at least one user (active or not) exists."""
    return bool(fetch(conn, "SELECT 1 FROM app_user LIMIT 1", {}))
