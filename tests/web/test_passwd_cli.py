"""`agencyflow user passwd`: a prompt or stdin, an Argon2 hash, the permission rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from agencyflow.config import get_settings
from agencyflow.models import AuditEvent, User
from agencyflow.services.people import passwords
from tests.cli_helpers import cli_for
from tests.web_world import COORDINATOR, XA_A_OFFICER, XA_B_OFFICER


def _hash(engine: Engine, username: str) -> str | None:
    with Session(engine) as s:
        return s.execute(select(col(User.password_hash))
                         .where(col(User.username) == username)).scalar_one()


def test_passwd_by_prompt_and_stdin(world: Engine, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    invoke = cli_for(world, monkeypatch, tmp_path)
    from typer.testing import CliRunner

    from agencyflow.cli import app

    runner = CliRunner()
    before = _hash(world, XA_A_OFFICER.username)
    result = runner.invoke(app, ["user", "passwd", XA_A_OFFICER.username, "--as",
                                 COORDINATOR.username], input="mới-mật-khẩu\nmới-mật-khẩu\n")
    assert result.exit_code == 0, result.output
    stored = _hash(world, XA_A_OFFICER.username)
    assert stored != before and stored and stored.startswith("$argon2")
    assert "mới-mật-khẩu" not in stored
    with Session(world) as s:
        user = s.execute(select(User).where(col(User.username) == XA_A_OFFICER.username)
                         ).scalar_one()
        assert passwords.check(user, "mới-mật-khẩu")
        event = s.execute(select(AuditEvent).order_by(col(AuditEvent.seq).desc())).scalars().first()
        assert event is not None and event.action == "user.passwd"
        assert "argon2" not in str(event.after)
    # an officer may set their own password, not someone else's
    result = runner.invoke(app, ["user", "passwd", XA_A_OFFICER.username, "--stdin", "--as",
                                 XA_A_OFFICER.username], input="của-tôi-thôi\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["user", "passwd", XA_B_OFFICER.username, "--stdin", "--as",
                                 XA_A_OFFICER.username], input="hợp-lệ-nhưng-không-được\n")
    assert result.exit_code == 1 and "may not" in result.output
    assert invoke("user", "list").exit_code == 0
    result = runner.invoke(app, ["user", "passwd", XA_A_OFFICER.username, "--stdin", "--as",
                                 XA_A_OFFICER.username], input="ngắn\n")
    assert result.exit_code == 1 and "8" in result.output
    get_settings.cache_clear()
