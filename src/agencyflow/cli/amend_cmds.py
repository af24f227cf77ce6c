"""`agencyflow plan diff` and `agencyflow cycle migrate`: amending a running plan."""

from __future__ import annotations

import json

import typer

from agencyflow.cli.base import AS_HELP, NOW_HELP, calendar, handle_errors, parse_now
from agencyflow.cli.common import transaction
from agencyflow.cli.identity import resolve_actor
from agencyflow.domain.calendar import parse_date
from agencyflow.domain.permissions import Actor, Role
from agencyflow.i18n import _, language

#: Who a dry run acts as when no user is given (everything it does is rolled back).
DRY_RUN_ACTOR = Actor("system:dry-run", Role.SYSTEM)


@handle_errors
def diff(
    old: str = typer.Argument(..., help="The old plan: a file, KEY@VERSION, a key, an amendment."),
    new: str = typer.Argument(..., help="The new plan (the same kinds of names)."),
    as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
    lang: str = typer.Option("vi", "--lang", help="vi or en."),
) -> None:
    """Say what changed between two plans: steps, agencies, groups, deadlines, reminders,
    targets — added, removed, changed.

    Example: agencyflow plan diff kim-thanh-ocop kim-thanh-ocop-2025-07
    """
    from agencyflow.domain.plan_words import describe
    from agencyflow.services import plans

    with transaction() as session:
        changes = plans.diff_plans(session, old, new)
    if as_json:
        print(json.dumps([c.__dict__ for c in changes], ensure_ascii=False, indent=1))
        return
    with language(lang):
        for change in changes:
            typer.echo(describe(change))
        typer.echo(_("{n} changes").format(n=len(changes)))


@handle_errors
def migrate(
    cycle: int = typer.Option(..., "--cycle", help="The cycle's id (agencyflow cycle list)."),
    to: str = typer.Option(..., "--to", help="A plan file, a stored version number, or a "
                           "bundled amendment."),
    effective: str = typer.Option(None, "--effective", help="The day the change takes effect "
                                  "(default: the successor map's, else today)."),
    successors: str = typer.Option(None, "--successors", help="A successor map file or a "
                                   "bundled amendment's map."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would change; save "
                                 "nothing."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
    now: str = typer.Option(None, help=NOW_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    lang: str = typer.Option("vi", "--lang", help="vi or en."),
) -> None:
    """Move a running cycle to a new plan version (and its work to successor agencies).

    Example: agencyflow cycle migrate --cycle 1 --to kim-thanh-ocop-2025-07 --dry-run
    """
    from agencyflow.errors import ValidationError
    from agencyflow.services import cycles, plans

    if not dry_run and not as_user:
        raise ValidationError(_("say --dry-run to see what would change, or --as USER to "
                                "apply it"))
    when, day = parse_now(now), parse_date(effective) if effective else None
    loaded = plans.read_map(successors) if successors else None
    with language(lang), transaction() as session:
        actor = resolve_actor(session, as_user, now=when) if as_user else DRY_RUN_ACTOR
        report = cycles.migrate_cycle(session, cycle_id=cycle, to=to, now=when, actor=actor,
                                     calendar=calendar(), effective=day, succession=loaded,
                                     dry_run=dry_run)
        out = cycles.migration_report_lines(report)
    if as_json:
        print(json.dumps(cycles.as_data(report), ensure_ascii=False, indent=1))
        return
    for line in out:
        typer.echo(line)
