"""People, roles and API tokens: add, list and disable users; create, list and revoke tokens.

Rules, in one place:

- Only coordinators (and the system actor) manage users (:attr:`Action.USER_MANAGE`). Any active
  user may also create and revoke tokens *for themself*.
- Bootstrap: while no user exists, the CLI acts as the system actor, which may create users; the
  first user must be a coordinator, otherwise nobody could manage users afterwards. For the same
  reason nobody disables the last active coordinator (a rule of the permission table).
- An officer belongs to an agency; any agency named must exist in the ``agency`` table (it is
  filled when a plan is loaded). The ``system`` role is never given to a user.
- A token is ``af_`` + ``secrets.token_urlsafe(32)``: returned once, stored only as its SHA-256.
  Audit events name the token by id and name, never the token or its hash.
- A disabled user, or a revoked token, cannot act (:class:`AuthenticationError`).

Every change is one audit event in the caller's transaction.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from agencyflow.dbapi import stored_utc
from agencyflow.domain.ids import storable
from agencyflow.domain.permissions import Action, Actor, Role, allowed, require
from agencyflow.errors import NotFound, PermissionDenied, ValidationError
from agencyflow.formats import ddmmyyyy_hhmm
from agencyflow.i18n import _
from agencyflow.models import Agency, ApiToken, User
from agencyflow.services import clock
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import token_check
from agencyflow.services.people.token_check import token_hash

#: Prefix of every API token (recognisable in logs and by secret scanners).
TOKEN_PREFIX = "af_"
#: Usernames: lower-case letters, digits, dot, dash, underscore; start with a letter or digit.
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
#: Roles that can be given to a user (``system`` is reserved for the scheduler and bootstrap).
USER_ROLES = tuple(r for r in Role if r is not Role.SYSTEM)


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` is shown once and never stored."""

    token: ApiToken
    username: str
    secret: str


def has_users(session: Session) -> bool:
    """True once at least one user (active or not) exists."""
    session.flush()
    return token_check.has_users(session)


def get_user(session: Session, username: str) -> User:
    """The user called ``username``; NotFound otherwise."""
    user = session.execute(select(User).where(col(User.username) == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(_("no user \"{user}\" (see `agencyflow user list`)").format(user=username))
    return user


def list_users(session: Session, *, include_disabled: bool = True) -> list[User]:
    """Every user by username (only active ones unless ``include_disabled``)."""
    stmt = select(User).order_by(col(User.username))
    if not include_disabled:
        stmt = stmt.where(col(User.active).is_(True))
    return list(session.execute(stmt).scalars())


def _public(user: User) -> dict[str, object]:
    """What the audit trail records about a user."""
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "agency": user.agency_code, "email": user.email, "active": user.active}


def _check_new_user(session: Session, username: str, role: str, agency_code: str | None) -> Role:
    """Validate a new user's name, role and agency; return the role."""
    if not USERNAME_RE.match(username):
        raise ValidationError(_(
            "username \"{user}\": use lower-case letters, digits, '.', '-' or '_' (at most 100, "
            "starting with a letter or digit)").format(user=username))
    try:
        parsed = Role(role)
    except ValueError:
        parsed = Role.SYSTEM
    if parsed is Role.SYSTEM:
        raise ValidationError(_("role \"{role}\": choose one of {roles}").format(
            role=role, roles=", ".join(r.value for r in USER_ROLES)))
    if parsed is Role.OFFICER and not agency_code:
        raise ValidationError(_("officer {user} needs an agency (--agency CODE)").format(
            user=username))
    if agency_code and not _agency_exists(session, agency_code):
        raise ValidationError(_(
            "agency \"{agency}\" is not in any loaded plan (load the plan first)").format(
                agency=agency_code))
    if session.execute(select(col(User.id)).where(col(User.username) == username)).first():
        raise ValidationError(_("user {user} already exists").format(user=username))
    return parsed


def _agency_exists(session: Session, code: str) -> bool:
    stmt = select(col(Agency.id)).where(col(Agency.code) == code).limit(1)
    return session.execute(stmt).first() is not None


def add_user(session: Session, *, username: str, role: str, now: datetime, actor: Actor,
             agency_code: str | None = None, full_name: str = "", email: str | None = None
             ) -> User:
    """Create a user (see the module rules); the first user must be a coordinator."""
    require(actor, Action.USER_MANAGE, target=_("user {user}").format(user=username))
    parsed = _check_new_user(session, username, role, agency_code)
    if parsed is not Role.COORDINATOR and not has_users(session):
        raise ValidationError(_(
            "the first user must be a coordinator (only coordinators can add other users)"))
    user = User(username=username, full_name=full_name, agency_code=agency_code or None,
                role=parsed.value, email=email, created_at=now)
    session.add(user)
    session.flush()
    audit.record(session, now=now, actor=actor, action="user.add", target_type="user",
                 target_id=username, after=_public(user))
    return user


def _active_coordinators(session: Session) -> int:
    stmt = select(func.count()).select_from(User).where(
        col(User.role) == Role.COORDINATOR.value, col(User.active).is_(True))
    return int(session.execute(stmt).scalar_one())


def disable_user(session: Session, username: str, *, now: datetime, actor: Actor,
                 reason: str | None = None) -> User:
    """Disable a user: they can no longer act, with ``--as`` or with any of their tokens."""
    require(actor, Action.USER_MANAGE, target=_("user {user}").format(user=username))
    user = get_user(session, username)
    if not user.active:
        raise ValidationError(_("user {user} is already disabled").format(user=username))
    last = user.role == Role.COORDINATOR.value and _active_coordinators(session) <= 1
    require(actor, Action.USER_MANAGE, target=_("user {user}").format(user=username),
            last_coordinator=last)
    user.active = False
    session.add(user)
    session.flush()
    audit.record(session, now=now, actor=actor, action="user.disable",
                 target_type="user", target_id=username, before={"active": True},
                 after={"active": False}, reason=reason)
    return user


def _require_token_owner_or_manager(actor: Actor, user: User, what: str) -> None:
    """Managers handle anyone's tokens; a user handles their own."""
    if actor.username == user.username:
        return
    try:
        require(actor, Action.USER_MANAGE, target=what)
    except PermissionDenied as exc:
        raise PermissionDenied(_("{problem} (users may only manage their own tokens)").format(
            problem=exc)) from None


def create_token(session: Session, username: str, *, now: datetime, actor: Actor,
                 name: str = "") -> NewToken:
    """Create an API token for an active user; the secret is in the result, and only there."""
    user = get_user(session, username)
    _require_token_owner_or_manager(actor, user, f"the tokens of {username}")
    if not user.active:
        raise ValidationError(_("user {user} is disabled: no token can be created").format(
            user=username))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id or 0, name=name, token_hash=token_hash(secret),
                     created_at=now)
    session.add(token)
    session.flush()
    audit.record(session, now=now, actor=actor, action="token.create",
                 target_type="token", target_id=token.id or 0,
                 after={"token_id": token.id, "name": name, "user": username})
    return NewToken(token, username, secret)


def revoke_token(session: Session, token_id: int, *, now: datetime, actor: Actor,
                 reason: str | None = None) -> ApiToken:
    """Revoke a token for good; using it afterwards fails."""
    token = session.get(ApiToken, token_id) if storable(token_id) else None
    if token is None:
        raise NotFound(_("no API token #{id} (see `agencyflow user token list`)").format(
            id=token_id))
    user = session.get(User, token.user_id)
    assert user is not None  # foreign key
    _require_token_owner_or_manager(actor, user, f"token #{token_id} of {user.username}")
    if token.revoked_at is not None:
        raise ValidationError(_("token #{id} was already revoked on {day}").format(
            id=token_id, day=ddmmyyyy_hhmm(token.revoked_at)))
    token.revoked_at = now
    session.add(token)
    session.flush()
    audit.record(session, now=now, actor=actor, action="token.revoke",
                 target_type="token", target_id=token_id,
                 before={"token_id": token_id, "name": token.name, "user": user.username,
                         "revoked": False},
                 after={"revoked": True}, reason=reason)
    return token


def list_tokens(session: Session, username: str | None = None) -> list[tuple[ApiToken, str]]:
    """Tokens (never their secrets) with their owner's username, optionally of one user."""
    stmt = select(ApiToken, col(User.username)).join(User, col(User.id) == ApiToken.user_id)
    if username:
        stmt = stmt.where(col(User.username) == username)
    rows = session.execute(stmt.order_by(col(ApiToken.id))).all()
    return [(token, name) for token, name in rows]


def tokens_visible_to(session: Session, actor: Actor, username: str | None = None
                      ) -> list[tuple[ApiToken, str]]:
    """The tokens ``actor`` may see: any user's (or ``username``'s) for a user manager, their
    own for everyone else."""
    if not allowed(actor, Action.USER_MANAGE):
        username = actor.username
    return list_tokens(session, username)


def token_owner(session: Session, token: ApiToken) -> str:
    """The username of the user owning ``token``."""
    user = session.get(User, token.user_id)
    return user.username if user else f"#{token.user_id}"


def actor_for(session: Session, username: str) -> Actor:
    """The actor for an active user; AuthenticationError for an unknown or disabled one."""
    session.flush()  # SQL text does not flush what the session holds
    return token_check.user_actor(session, username)  # the one definition


def authenticate_token(session: Session, token: str, now: datetime) -> Actor:
    """The actor owning ``token`` (records ``last_used_at``, by the real clock: ``now`` is the
    time the command decides at, which a read may move); AuthenticationError if invalid."""
    actor, row = token_actor(session, token)
    touch_token(session, row.id or 0, clock.of(session).read())
    return actor


@dataclass(frozen=True)
class TokenUse:
    """The token a request came with: its id and when it was last used."""

    id: int
    last_used_at: datetime | None


def token_actor(session: Session, token: str) -> tuple[Actor, TokenUse]:
    """The actor owning ``token`` and the token's use, without writing anything (a reader's
    check); AuthenticationError when the token is unknown or revoked or its user disabled
    (:func:`agencyflow.services.people.token_check.token_actor`, which the board's fast path runs
    too)."""
    token_id, actor, last = token_check.token_use(session, token)  # the one definition
    return actor, TokenUse(token_id, stored_utc(last))


#: A token used again within this long is not written again (readers stay read-only).
TOUCH_EVERY = timedelta(minutes=1)


def needs_touch(row: TokenUse, now: datetime) -> bool:
    """True when ``last_used_at`` of ``row`` is unset or older than :data:`TOUCH_EVERY`."""
    return row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    """Record that token ``token_id`` was used at ``now``."""
    session.execute(update(ApiToken).where(col(ApiToken.id) == token_id)
                    .values(last_used_at=now), execution_options={"synchronize_session": False})
