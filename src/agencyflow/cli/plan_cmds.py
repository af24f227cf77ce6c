"""`agencyflow plan …`: validate, load, list and show plans."""

from __future__ import annotations

from pathlib import Path

import typer

from agencyflow import plans as bundled
from agencyflow.cli import amend_cmds
from agencyflow.cli.base import (
    AS_HELP,
    NOW_HELP,
    Format,
    console,
    emit,
    handle_errors,
    parse_now,
    styled,
)
from agencyflow.cli.common import settings, transaction
from agencyflow.cli.identity import resolve_actor
from agencyflow.domain.plan_loader import load_plan_file
from agencyflow.services import plans

app = typer.Typer(help="Validate, load, list and show plans.", no_args_is_help=True)


@app.command("validate")
@handle_errors
def validate(file: Path = typer.Argument(..., help="The plan file (YAML).")) -> None:
    """Check a plan file strictly; list every problem as file:line:column: field: message.

    Example: agencyflow plan validate plans/kim-thanh-ocop.yaml
    """
    loaded = load_plan_file(file, max_bytes=settings().plan_max_bytes)
    spec = loaded.spec
    console.print(
        styled(("ok", "green"), f" {file}: plan {spec.key} — {len(spec.agencies)} agencies, "
               f"{len(spec.steps)} steps, {len(spec.targets)} targets "
               f"(sha256 {loaded.content_hash[:12]})"))


@app.command("load")
@handle_errors
def load(
    source: str = typer.Argument(..., help="A plan file, or the key of a bundled plan."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Store a plan (a new version if its text changed; nothing if it is already stored).

    Example: agencyflow plan load my-district-plan.yaml
    """
    loaded = plans.read_source(source, max_bytes=settings().plan_max_bytes)
    when = parse_now(now)
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when)
        version, created = plans.store_plan(session, loaded, now=when, actor=actor)
    verb = "stored as" if created else "already stored as"
    console.print(f"plan {version.key} {verb} version {version.version} "
                  f"(sha256 {version.content_hash[:12]})")


@app.command("list")
@handle_errors
def list_(fmt: Format = typer.Option(Format.table, "--format", help="Output format.")) -> None:
    """List bundled plans and every stored version.

    Example: agencyflow plan list --format json
    """
    with transaction() as session:
        stored = plans.list_versions(session)
    rows = [{"key": v.key, "version": v.version, "title": v.title_vi, "sha256": v.content_hash[:12],
             "source": v.source, "loaded_at": v.loaded_at.isoformat(timespec="seconds")}
            for v in stored]
    seen = {v.key for v in stored}
    for key in bundled.bundled_plan_keys():
        if key not in seen:
            rows.append({"key": key, "version": None, "title": "(bundled, not loaded yet)",
                         "sha256": "", "source": "bundled", "loaded_at": None})
    emit(rows, ["key", "version", "title", "sha256", "source", "loaded_at"], fmt,
         title="Plans")


@app.command("show")
@handle_errors
def show(
    key: str = typer.Argument(..., help="Plan key (stored or bundled) or a plan file."),
    lang: str = typer.Option("vi", help="vi or en."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Show a plan's steps: clauses, lead, cooperating agencies, recurrence and deadline rule.

    Example: agencyflow plan show kim-thanh-ocop --lang en
    """
    if plans.is_file_ref(key):  # a file is read without opening the database
        spec = plans.read_source(key).spec
    else:
        with transaction() as session:
            spec, _ = plans.spec_named(session, key)
    rows = [{"step": s.id, "clauses": s.clauses, "title": s.title.get(lang),
             "lead": s.lead or f"each of group {s.fan_out}", "cooperating": s.cooperating,
             "recurrence": s.recurrence.value, "deadline": _rule(s.deadline),
             "depends_on": s.depends_on, "outputs": [o.name for o in s.outputs]}
            for s in spec.steps]
    if fmt is Format.table:
        console.print(styled((spec.title.get(lang), "bold"), f" ({spec.key}) — "
                             f"{spec.authority.get(lang)}, {spec.period_from}–{spec.period_to}"))
    emit(rows, ["step", "clauses", "title", "lead", "cooperating", "recurrence", "deadline",
                "depends_on", "outputs"], fmt)


def _rule(rule: object) -> str:
    data = rule.model_dump()  # type: ignore[attr-defined]
    kind = data.pop("kind")
    return kind + "(" + ", ".join(f"{k}={v}" for k, v in data.items() if v is not None) + ")"


app.command("diff")(amend_cmds.diff)
