"""People, roles and tokens: the service rules, the identity rule of the CLI, and the commands."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow.cli.identity import ANONYMOUS, resolve_actor
from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.domain.permissions import Action, Actor, Role
from agencyflow.errors import AuthenticationError, PermissionDenied, ValidationError
from agencyflow.models import ApiToken, AuditEvent
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import users
from tests.cli_helpers import Invoke, cli_for
from tests.factories import SYSTEM, at, store_plan

NOW = at(2021, 3, 1)
BOSS = Actor("boss", Role.COORDINATOR, "NN")


@pytest.fixture
def plan(engine: Engine) -> Engine:
    """A database with the small plan's agencies (NN, HOI-DONG, XA-A, XA-B, UBND-HUYEN)."""
    store_plan(engine)
    return engine


def act(engine: Engine, use_case, **kwargs):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return use_case(session, **kwargs)


def test_bootstrap_then_only_coordinators_manage_users(plan: Engine) -> None:
    with pytest.raises(ValidationError, match="first user must be a coordinator"):
        act(plan, users.add_user, username="an", role="officer", agency_code="XA-A", now=NOW,
            actor=SYSTEM)
    act(plan, users.add_user, username="boss", role="coordinator", agency_code="NN", now=NOW,
        actor=SYSTEM, full_name="Trần Văn Bình")
    act(plan, users.add_user, username="an", role="officer", agency_code="XA-A", now=NOW,
        actor=BOSS)
    an = act(plan, users.actor_for, username="an")
    assert an == Actor("an", Role.OFFICER, "XA-A")
    for who in (an, Actor("le", Role.LEADER), Actor("insp", Role.INSPECTOR)):
        with pytest.raises(PermissionDenied, match="may not manage users"):
            act(plan, users.add_user, username="x", role="inspector", now=NOW, actor=who)
    with Session(plan) as session:
        assert [u.username for u in users.list_users(session)] == ["an", "boss"]
        events = session.execute(select(AuditEvent).where(AuditEvent.action == "user.add")
                                 ).scalars().all()
    assert [(e.actor, e.target_id, e.after["role"]) for e in events] == [  # type: ignore[index]
        ("system:test", "boss", "coordinator"), ("boss", "an", "officer")]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"username": "an", "role": "officer"}, "needs an agency"),
    ({"username": "an", "role": "officer", "agency_code": "XA-Z"}, "not in any loaded plan"),
    ({"username": "le", "role": "leader", "agency_code": "NOPE"}, "not in any loaded plan"),
    ({"username": "sys", "role": "system"}, "choose one of coordinator, officer"),
    ({"username": "Bad Name", "role": "inspector"}, "lower-case letters"),
    ({"username": "boss", "role": "inspector"}, "already exists"),
])
def test_invalid_users_are_refused(plan: Engine, kwargs: dict[str, str], message: str) -> None:
    act(plan, users.add_user, username="boss", role="coordinator", now=NOW, actor=SYSTEM)
    with pytest.raises(ValidationError, match=message):
        act(plan, users.add_user, now=NOW, actor=BOSS, **kwargs)


def test_tokens_are_shown_once_stored_hashed_and_revocable(plan: Engine) -> None:
    act(plan, users.add_user, username="boss", role="coordinator", now=NOW, actor=SYSTEM)
    act(plan, users.add_user, username="an", role="officer", agency_code="XA-A", now=NOW,
        actor=BOSS)
    an = Actor("an", Role.OFFICER, "XA-A")
    new = act(plan, users.create_token, username="an", now=NOW, actor=an, name="phone")
    assert new.secret.startswith("af_") and len(new.secret) > 40
    before = datetime.now(UTC)
    assert act(plan, users.authenticate_token, token=new.secret, now=at(2021, 3, 2)) == an
    with Session(plan) as session:
        row = session.get(ApiToken, new.token.id)
        assert row is not None and row.token_hash == hashlib.sha256(new.secret.encode()).hexdigest()
        # the real clock, never the time a command claims (a read may travel in time)
        assert row.last_used_at is not None and before <= row.last_used_at <= datetime.now(UTC)
        stored = " ".join(str(e.model_dump()) for e in audit.log(session, limit=None))
    assert new.secret not in stored and row.token_hash not in stored
    with pytest.raises(PermissionDenied, match="only manage their own tokens"):
        act(plan, users.create_token, username="boss", now=NOW, actor=an)
    act(plan, users.revoke_token, token_id=new.token.id, now=NOW, actor=BOSS, reason="lost")
    with pytest.raises(AuthenticationError, match="revoked"):
        act(plan, users.authenticate_token, token=new.secret, now=NOW)
    with pytest.raises(AuthenticationError, match="no such token"):
        act(plan, users.authenticate_token, token="af_guess", now=NOW)


def test_a_disabled_user_cannot_act(plan: Engine) -> None:
    act(plan, users.add_user, username="boss", role="coordinator", now=NOW, actor=SYSTEM)
    for who in (BOSS, SYSTEM):
        with pytest.raises(PermissionDenied, match="would leave no active coordinator"):
            act(plan, users.disable_user, username="boss", now=NOW, actor=who)
    act(plan, users.add_user, username="an", role="officer", agency_code="XA-A", now=NOW,
        actor=BOSS)
    token = act(plan, users.create_token, username="an", now=NOW, actor=BOSS).secret
    act(plan, users.disable_user, username="an", now=NOW, actor=BOSS, reason="moved")
    with pytest.raises(AuthenticationError, match="disabled"):
        act(plan, users.actor_for, username="an")
    with pytest.raises(AuthenticationError, match="disabled"):
        act(plan, users.authenticate_token, token=token, now=NOW)


def test_the_identity_rule(plan: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENCYFLOW_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        with Session(plan) as session:
            first = resolve_actor(session, None, now=NOW)
        assert first.role is Role.SYSTEM and first.username.startswith("system")
        act(plan, users.add_user, username="boss", role="coordinator", now=NOW, actor=SYSTEM)
        token = act(plan, users.create_token, username="boss", now=NOW, actor=BOSS).secret
        with Session(plan) as session:
            with pytest.raises(AuthenticationError, match="act as one with --as USER"):
                resolve_actor(session, None, now=NOW)
            with pytest.raises(AuthenticationError, match="act as one with --as USER"):
                resolve_actor(session, None, now=NOW, action=Action.AUDIT_READ)
            assert resolve_actor(session, None, now=NOW, action=Action.READ) == ANONYMOUS
            assert resolve_actor(session, "boss", now=NOW).role is Role.COORDINATOR
            with pytest.raises(AuthenticationError, match="unknown user"):
                resolve_actor(session, "nobody", now=NOW, action=Action.READ)
        monkeypatch.setenv("AGENCYFLOW_TOKEN", token)
        get_settings.cache_clear()
        with Session(plan) as session:
            assert resolve_actor(session, None, now=NOW).username == "boss"
        monkeypatch.setenv("AGENCYFLOW_TOKEN", "af_wrong")
        get_settings.cache_clear()
        with Session(plan) as session, pytest.raises(AuthenticationError, match="no such token"):
            resolve_actor(session, None, now=NOW, action=Action.READ)
    finally:
        get_settings.cache_clear()


@pytest.fixture
def cli(plan: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    """The CLI on the plan's database."""
    yield cli_for(plan, monkeypatch, tmp_path)
    get_settings.cache_clear()


def test_user_commands(cli: Invoke) -> None:
    assert cli("user", "add", "boss", "--role", "coordinator", "--name", "Trần Văn Bình",
               "--now", "2021-03-01").exit_code == 0
    refused = cli("user", "add", "an", "--role", "officer", "--agency", "XA-A")
    assert refused.exit_code == 1 and "act as one with --as USER" in refused.output
    assert cli("user", "add", "an", "--role", "officer", "--agency", "XA-A",
               "--as", "boss").exit_code == 0
    created = cli("user", "token", "create", "an", "--name", "phone", "--as", "an")
    assert created.exit_code == 0, created.output
    secret = next(w for w in created.output.split() if w.startswith("af_"))
    listed = cli("user", "token", "list", token=secret)
    assert listed.exit_code == 0 and "phone" in listed.output and secret not in listed.output
    denied = cli("user", "disable", "boss", token=secret)
    assert denied.exit_code == 1 and "may not manage users" in denied.output
    assert cli("user", "token", "revoke", "1", "--as", "boss").exit_code == 0
    revoked = cli("user", "list", token=secret)
    assert revoked.exit_code == 1 and "revoked" in revoked.output
    assert cli("user", "disable", "an", "--as", "boss", "--reason", "moved").exit_code == 0
    shown = cli("user", "list", "--format", "json")   # reading needs no identity
    assert shown.exit_code == 0 and '"active": false' in shown.output


@pytest.mark.parametrize("command", [
    ["user", "add"], ["user", "list"], ["user", "disable"], ["user", "token", "create"],
    ["user", "token", "revoke"], ["user", "token", "list"], ["audit", "verify"], ["audit", "log"],
    ["audit", "export"], ["targets"],
])
def test_every_command_has_an_example_as_and_now(cli: Invoke, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and "--as" in result.output and "--now" in result.output
