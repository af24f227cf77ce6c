"""``/users`` and ``/tokens``: people, roles and API tokens (see
services.people.users for the rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from agencyflow.domain.permissions import Action, require
from agencyflow.services import people
from agencyflow.services.database import ApiToken
from agencyflow.web.api.deps import Context, CurrentActor, Reader, Writer
from agencyflow.web.api.problems import COMMON
from agencyflow.web.api.schemas import Schema, Strict

router = APIRouter(tags=["users and tokens"], responses=COMMON)

Username = Annotated[str, Path(min_length=1, max_length=100)]


class UserPublic(Schema):
    """A user (never a password or token)."""

    model_config = {"json_schema_extra": {"examples": [{
        "username": "lan", "full_name": "Nguyễn Thị Lan", "role": "officer",
        "agency_code": "KTHT", "email": None, "active": True,
        "created_at": "2027-01-04T02:00:00Z"}]}}
    username: str
    full_name: str
    role: str
    agency_code: str | None
    email: str | None
    active: bool
    created_at: datetime


class UserIn(Strict):
    """A user to add."""

    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{
        "username": "lan", "role": "officer", "agency": "KTHT",
        "full_name": "Nguyễn Thị Lan"}]}}
    username: str = Field(min_length=1, max_length=100)
    role: str = Field(min_length=1, max_length=16)
    agency: str | None = Field(default=None, max_length=64)
    full_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=200)


class ReasonOptional(Strict):
    """An optional reason, kept in the audit trail."""

    reason: str | None = Field(default=None, max_length=10_000)


class TokenIn(Strict):
    """What the token is for."""

    name: str = Field(default="", max_length=100)


class TokenPublic(Schema):
    """A token (never its secret or hash)."""

    id: int
    user: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenPublic(TokenPublic):
    """A token just created: ``secret`` is shown this once and never again."""

    secret: str


def _token(t: ApiToken, owner: str) -> TokenPublic:
    return TokenPublic(id=t.id or 0, user=owner, name=t.name, created_at=t.created_at,
                       last_used_at=t.last_used_at, revoked_at=t.revoked_at)


def _user(u: object) -> UserPublic:
    return UserPublic.model_validate(u, from_attributes=True)


@router.get("/users", response_model=list[UserPublic], summary="List users")
def list_users(session: Reader, actor: CurrentActor) -> list[UserPublic]:
    """Every user with role, agency and whether they are active."""
    require(actor, Action.READ, target="users")
    return [_user(u) for u in people.list_users(session)]


@router.post("/users", response_model=UserPublic, status_code=201,
             summary="Add a user (coordinator)")
def add_user(body: UserIn, session: Writer, ctx: Context, actor: CurrentActor) -> UserPublic:
    """A user with a role (and, for officers, an agency)."""
    user = people.add_user(session, username=body.username, role=body.role,
                           agency_code=body.agency, full_name=body.full_name, email=body.email,
                           now=ctx.now(), actor=actor)
    session.commit()
    return _user(user)


@router.post("/users/{username}/disable", response_model=UserPublic,
             summary="Disable a user (coordinator)")
def disable_user(username: Username, session: Writer, ctx: Context, actor: CurrentActor,
                 body: ReasonOptional | None = None) -> UserPublic:
    """They can no longer act, by name or with any of their tokens."""
    user = people.disable_user(session, username, now=ctx.now(), actor=actor,
                               reason=(body or ReasonOptional()).reason)
    session.commit()
    return _user(user)


@router.get("/tokens", response_model=list[TokenPublic], summary="List tokens")
def list_tokens(session: Reader, actor: CurrentActor,
                user: Annotated[str | None, Query(max_length=100)] = None) -> list[TokenPublic]:
    """Coordinators see every token (or one user's); others their own."""
    return [_token(t, owner) for t, owner in people.tokens_visible_to(session, actor, user)]


@router.post("/users/{username}/tokens", response_model=NewTokenPublic, status_code=201,
             summary="Create a token (yours, or anyone's as coordinator)")
def create_token(username: Username, session: Writer, ctx: Context, actor: CurrentActor,
                 body: TokenIn | None = None) -> NewTokenPublic:
    """The secret is in this answer only; only its SHA-256 is stored."""
    new = people.create_token(session, username, now=ctx.now(), actor=actor,
                              name=(body or TokenIn()).name)
    session.commit()
    return NewTokenPublic(**_token(new.token, new.username).model_dump(), secret=new.secret)


@router.post("/tokens/{token_id}/revoke", response_model=TokenPublic,
             summary="Revoke a token (yours, or anyone's as coordinator)")
def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**62)], session: Writer, ctx: Context,
                 actor: CurrentActor, body: ReasonOptional | None = None) -> TokenPublic:
    """Using it afterwards fails with 401."""
    t = people.revoke_token(session, token_id, now=ctx.now(), actor=actor,
                            reason=(body or ReasonOptional()).reason)
    session.commit()
    return _token(t, people.token_owner(session, t))
