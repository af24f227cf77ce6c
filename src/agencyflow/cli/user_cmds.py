"""`agencyflow user …`: people, roles and API tokens (see :mod:`agencyflow.services.people.users`).

On a fresh database the first command is `agencyflow user add NAME --role coordinator` (it runs as
the system actor); from then on changes need `--as USER` or AGENCYFLOW_TOKEN.
"""

from __future__ import annotations

import typer

from agencyflow.cli.base import (
    AS_HELP,
    NOW_HELP,
    Format,
    console,
    emit,
    err_console,
    handle_errors,
    parse_now,
)
from agencyflow.cli.common import transaction
from agencyflow.cli.identity import act_as, resolve_actor
from agencyflow.domain.permissions import Action
from agencyflow.i18n import _
from agencyflow.labels import label
from agencyflow.services import people

app = typer.Typer(help="People, roles and API tokens.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (shown once, stored only as a hash).",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")



@app.command("add")
@handle_errors
def add(
    username: str = typer.Argument(..., help="Login name: lower-case letters, digits, . - _"),
    role: str = typer.Option(..., "--role", help="One of: coordinator, officer, leader, "
                              "inspector."),
    agency: str = typer.Option(None, "--agency", help="Agency code (required for officers)."),
    name: str = typer.Option("", "--name", help="Full name."),
    email: str = typer.Option(None, "--email", help="E-mail address."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Add a user with a role (and an agency); on a fresh database, the first coordinator.

    Example: agencyflow user add lan --role officer --agency KTHT --name "Nguyễn Thị Lan" --as admin
    """
    user = act_as(as_user, now, lambda session, actor, when: people.add_user(
        session, username=username, role=role, agency_code=agency, full_name=name, email=email,
        now=when, actor=actor))
    role = label("role", user.role)
    console.print((_("user {user} added: {role} of {agency}") if user.agency_code else
                   _("user {user} added: {role}")).format(user=user.username, role=role,
                                                          agency=user.agency_code),
                  highlight=False)


@app.command("list")
@handle_errors
def list_(
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """List users with their role, agency and whether they are active (anyone may read it).

    Example: agencyflow user list --format json
    """
    with transaction() as session:
        resolve_actor(session, as_user, now=parse_now(now), action=Action.READ)
        rows = [{"username": u.username, "name": u.full_name, "role": u.role,
                 "agency": u.agency_code, "email": u.email, "active": u.active,
                 "created_at": u.created_at}
                for u in people.list_users(session)]
    emit(rows, ["username", "name", "role", "agency", "email", "active", "created_at"], fmt,
         title=_("Users"), words={"role": "role"})


@app.command("disable")
@handle_errors
def disable(
    username: str = typer.Argument(..., help="The user to disable."),
    reason: str = typer.Option(None, "--reason", help="Why (kept in the audit trail)."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Disable a user: they can no longer act, by name or with any of their tokens.

    Example: agencyflow user disable lan.nguyen --reason "moved to another office" --as admin
    """
    act_as(as_user, now, lambda session, actor, when: people.disable_user(
        session, username, now=when, actor=actor, reason=reason))
    console.print(_("user {user} disabled").format(user=username), highlight=False)


@app.command("passwd")
@handle_errors
def passwd(
    username: str = typer.Argument(..., help="Whose web password (yourself, or anyone if "
                                   "coordinator)."),
    stdin: bool = typer.Option(False, "--stdin", help="Read the password from standard input "
                               "(one line) instead of prompting."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Set a user's password for the web app (stored only as an Argon2 hash).

    Example: agencyflow user passwd lan --as admin
    (from a script: echo "$PW" | agencyflow user passwd lan --stdin --as admin)
    """
    import sys

    from agencyflow.services import people

    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(_("New password"), hide_input=True,
                                confirmation_prompt=_("Repeat for confirmation"))
    act_as(as_user, now, lambda session, actor, when: people.set_password(
        session, username, password, now=when, actor=actor))
    console.print(_("password of {user} set").format(user=username), highlight=False)


@token_app.command("create")
@handle_errors
def token_create(
    username: str = typer.Argument(..., help="Whose token (yourself, or anyone if coordinator)."),
    name: str = typer.Option("", "--name", help="What the token is for, e.g. 'nightly job'."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Create an API token and print it once on stdout (only its SHA-256 is stored).

    Example: export AGENCYFLOW_TOKEN=$(agencyflow user token create lan --name laptop --as admin)
    """
    new = act_as(as_user, now, lambda session, actor, when: people.create_token(
        session, username, now=when, actor=actor, name=name))
    err_console.print(_("token #{id} for {user} created. It is shown only now: store it (e.g. "
                        "AGENCYFLOW_TOKEN) — it cannot be shown again.").format(
                            id=new.token.id, user=new.username), highlight=False)
    typer.echo(new.secret)


@token_app.command("revoke")
@handle_errors
def token_revoke(
    token_id: int = typer.Argument(..., help="The token's number (see `user token list`)."),
    reason: str = typer.Option(None, "--reason", help="Why (kept in the audit trail)."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Revoke a token for good (yours, or anyone's if you are a coordinator).

    Example: agencyflow user token revoke 3 --reason "laptop lost" --as admin
    """
    act_as(as_user, now, lambda session, actor, when: people.revoke_token(
        session, token_id, now=when, actor=actor, reason=reason))
    console.print(_("token #{id} revoked").format(id=token_id), highlight=False)


@token_app.command("list")
@handle_errors
def token_list(
    username: str = typer.Option(None, "--user", help="Only this user's tokens."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """List tokens (never their secrets): coordinators see all, others their own.

    Example: agencyflow user token list --user lan.nguyen --as admin
    """
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=parse_now(now), action=Action.USER_MANAGE)
        rows = [{"id": t.id, "user": owner, "name": t.name, "created_at": t.created_at,
                 "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}
                for t, owner in people.tokens_visible_to(session, actor, username)]
    emit(rows, ["id", "user", "name", "created_at", "last_used_at", "revoked_at"], fmt,
         title=_("API tokens"))
