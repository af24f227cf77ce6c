"""`agencyflow feed …`: the subscribable calendar feeds of the agencies (see
:mod:`agencyflow.services.reports.feeds`)."""

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
from agencyflow.i18n import _

app = typer.Typer(help="Calendar feeds: a read-only calendar URL per agency.",
                  no_args_is_help=True)


@app.command("create")
@handle_errors
def create(
    agency: str = typer.Option(..., "--agency", help="Whose calendar the feed serves."),
    plan: str = typer.Option(None, "--plan", help="Plan key (default: the newest cycle's)."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Create a feed and print its URL once on stdout (only its token's SHA-256 is stored).

    Example: agencyflow feed create --agency KTHT --as dieu.phoi
    """
    from agencyflow.cli.common import settings
    from agencyflow.cli.identity import act_as
    from agencyflow.services import reports

    new = act_as(as_user, now, lambda session, actor, when: reports.create(
        session, agency=agency, actor=actor, now=when, plan_key=plan))
    err_console.print(_("calendar feed #{id} of {agency} created; its address is shown only "
                        "now:").format(id=new.feed.id, agency=agency), highlight=False)
    typer.echo(reports.url_of(new.secret, settings().base_url))


@app.command("revoke")
@handle_errors
def revoke(
    feed_id: int = typer.Argument(..., help="The feed's number (see `feed list`)."),
    reason: str = typer.Option(None, "--reason", help="Why (kept in the audit trail)."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Revoke a feed for good: its address stops working.

    Example: agencyflow feed revoke 2 --reason "address shared by mistake" --as dieu.phoi
    """
    from agencyflow.cli.identity import act_as
    from agencyflow.services import reports

    act_as(as_user, now, lambda session, actor, when: reports.revoke(
        session, feed_id, actor=actor, now=when, reason=reason))
    console.print(_("calendar feed #{id} revoked").format(id=feed_id), highlight=False)


@app.command("list")
@handle_errors
def list_(
    agency: str = typer.Option(None, "--agency", help="Only this agency's feeds."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """List the feeds you may manage (never their addresses: only the creator saw them).

    Example: agencyflow feed list --agency KTHT --as dieu.phoi
    """
    from agencyflow.cli.common import transaction
    from agencyflow.cli.identity import resolve_actor
    from agencyflow.domain.permissions import Action
    from agencyflow.services import reports

    with transaction() as session:
        actor = resolve_actor(session, as_user, now=parse_now(now), action=Action.FEED_MANAGE)
        rows = [{"id": f.id, "plan": f.plan_key, "agency": f.agency_code,
                 "created_by": f.created_by, "created_at": _ts(f.created_at),
                 "revoked_at": _ts(f.revoked_at)}
                for f in reports.listing(session, actor=actor, agency=agency)]
    emit(rows, ["id", "plan", "agency", "created_by", "created_at", "revoked_at"], fmt,
         title=_("Calendar feeds"))


def _ts(value: object) -> str | None:
    return value.isoformat(timespec="seconds") if value else None  # type: ignore[attr-defined]
