"""`agencyflow products …`: the OCOP product registry (list, show, import)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from agencyflow.cli.base import AS_HELP, NOW_HELP, Format, console, emit, handle_errors, parse_now
from agencyflow.cli.common import transaction
from agencyflow.cli.identity import resolve_actor
from agencyflow.domain.calendar import local_date
from agencyflow.domain.permissions import Action
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.i18n import N_, _
from agencyflow.services import plans, products
from agencyflow.services.database import Product

app = typer.Typer(help="The OCOP product registry: rated products, certificates, expiry.",
                  no_args_is_help=True)

COLUMNS = ["id", "product", "producer", "commune", "score", "stars", "level", "decision_number",
           "decision_date", "criteria", "expires_on", "status", "source", "reevaluation"]
#: How a product's status reads (see agencyflow.domain.products).
STATUS = {"uncertified": N_("uncertified"), "pending": N_("pending"), "valid": N_("valid"),
          "expiring": N_("expiring: re-evaluate"), "expired": N_("EXPIRED")}


def _row(row: Product, spec: PlanSpec, today: date, human: bool) -> dict[str, Any]:
    status = products.status(row, spec, today).value
    return {"id": row.id, "product": row.product, "producer": row.producer,
            "commune": row.commune, "score": row.score, "stars": row.stars, "level": row.level,
            "decision_number": row.decision_number, "decision_date": row.decision_date,
            "criteria": row.criteria, "expires_on": row.expires_on,
            "status": _(STATUS[status]) if human else status, "source": row.source,
            "reevaluation": row.reevaluation_id}


@app.command("list")
@handle_errors
def list_(
    plan: str = typer.Option(..., "--plan", help="Plan key."),
    status: str = typer.Option(None, "--status", help="Only this status: uncertified, "
                               "pending, valid, expiring, expired."),
    now: str = typer.Option(None, help=NOW_HELP),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """The registry's products with their certificate and status on the day (--now).

    Example: agencyflow products list --plan kim-thanh-ocop --now 2030-01-15
    """
    when = parse_now(now)
    today = local_date(when)
    if status is not None and status not in STATUS:
        raise typer.BadParameter(_("unknown status {value!r}: use one of {known}").format(
            value=status, known=", ".join(STATUS)), param_hint="--status")
    with transaction() as session:
        resolve_actor(session, as_user, now=when, action=Action.READ)
        spec = plans.spec_of(plans.latest(session, plan))
        rows = [_row(r, spec, today, fmt is Format.table)
                for r in products.products(session, spec.key)]
    if status is not None:
        rows = [r for r in rows if r["status"] in (status, _(STATUS[status]))]
    emit(rows, COLUMNS, fmt, title=_("OCOP product registry — {day}").format(
        day=f"{today:%d/%m/%Y}"))


@app.command("show")
@handle_errors
def show(
    product_id: int = typer.Argument(..., help="The product's id (from `products list`)."),
    now: str = typer.Option(None, help=NOW_HELP),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """One product: its certificate, expiry, status and re-evaluation.

    Example: agencyflow products show 3 --now 2030-01-15
    """
    when = parse_now(now)
    with transaction() as session:
        resolve_actor(session, as_user, now=when, action=Action.READ)
        row = products.product(session, product_id)
        spec = plans.spec_of(plans.latest(session, row.plan_key))
        found = _row(row, spec, local_date(when), fmt is Format.table)
    if fmt is Format.table:
        emit([{"field": k, "value": v} for k, v in found.items()], ["field", "value"], fmt)
    else:
        emit([found], COLUMNS, fmt)


@app.command("import")
@handle_errors
def import_(
    path: Path = typer.Argument(..., help="A CSV file (UTF-8) or an Excel workbook (.xlsx)."),
    plan: str = typer.Option(..., "--plan", help="Plan key."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Register products rated before agencyflow; one bad row imports nothing, and every
    problem is listed with its row and column.

    Example: agencyflow products import san-pham-2024.csv --plan kim-thanh-ocop
    """
    when = parse_now(now)
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when, action=Action.PLAN_LOAD)
        done = products.import_file(session, plan=plan, path=path, actor=actor, now=when)
    console.print(_("{added} products registered, {already} already in the registry").format(
        added=done.added, already=done.already))
