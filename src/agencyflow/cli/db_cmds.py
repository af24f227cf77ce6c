"""`agencyflow db …`: schema upgrades and where the database is."""

from __future__ import annotations

import typer

from agencyflow.cli.base import console, handle_errors
from agencyflow.cli.common import settings
from agencyflow.i18n import _
from agencyflow.services.database import (
    current_revision,
    data_path,
    head_revision,
    make_engine,
    upgrade,
)

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
@handle_errors
def upgrade_cmd() -> None:
    """Apply every migration to the configured database (AGENCYFLOW_DATABASE_URL).

    Example: agencyflow db upgrade   (with AGENCYFLOW_DATABASE_URL=postgresql://user@host/db)
    """
    cfg = settings()
    if cfg.database_url is None:
        data_path(cfg)
    engine = make_engine(cfg.resolved_database_url())
    before = current_revision(engine)
    after = upgrade(engine)
    console.print(_("database at revision {after} (was {before})").format(
        after=after, before=before or _("empty")), highlight=False)


@app.command("status")
@handle_errors
def status() -> None:
    """Show the database URL (password hidden) and its schema revision.

    Example: agencyflow db status
    """
    cfg = settings()
    engine = make_engine(cfg.resolved_database_url())
    console.print(_("address: {url}").format(url=engine.url.render_as_string(hide_password=True)),
                  highlight=False)
    console.print(_("revision: {revision} (newest: {head})").format(
        revision=current_revision(engine) or _("empty"), head=head_revision()), highlight=False)
