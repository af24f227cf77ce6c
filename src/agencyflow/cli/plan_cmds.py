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
from agencyflow.i18n import _, current_language, ngettext, pgettext
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
    counts = ", ".join((
        ngettext("{n} agency", "{n} agencies", len(spec.agencies)).format(n=len(spec.agencies)),
        ngettext("{n} step", "{n} steps", len(spec.steps)).format(n=len(spec.steps)),
        ngettext("{n} target", "{n} targets", len(spec.targets)).format(n=len(spec.targets))))
    console.print(styled((pgettext("plan file", "valid"), "green"), " " + _(
        "{file}: plan {key} — {counts} (sha256 {sha})").format(
            file=file, key=spec.key, counts=counts, sha=loaded.content_hash[:12])),
        highlight=False)


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
    text = (_("plan {key} stored as version {version} (sha256 {sha})") if created else
            _("plan {key} already stored as version {version} (sha256 {sha})"))
    console.print(text.format(key=version.key, version=version.version,
                              sha=version.content_hash[:12]), highlight=False)


@app.command("list")
@handle_errors
def list_(fmt: Format = typer.Option(Format.table, "--format", help="Output format.")) -> None:
    """List bundled plans and every stored version.

    Example: agencyflow plan list --format json
    """
    with transaction() as session:
        stored = plans.list_versions(session)
    english = current_language() == "en"
    rows = [{"key": v.key, "version": v.version,
             "title": (v.title_en or v.title_vi) if english else v.title_vi,
             "sha256": v.content_hash[:12], "source": v.source, "loaded_at": v.loaded_at}
            for v in stored]
    seen = {v.key for v in stored}
    for key in bundled.bundled_plan_keys():
        if key not in seen:
            rows.append({"key": key, "version": None, "title": _("(bundled, not loaded yet)"),
                         "sha256": "", "source": "bundled", "loaded_at": None})
    emit(rows, ["key", "version", "title", "sha256", "source", "loaded_at"], fmt,
         title=_("Plans"), words={"source": "source"})


@app.command("show")
@handle_errors
def show(
    key: str = typer.Argument(..., help="Plan key (stored or bundled) or a plan file."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Show a plan's steps: clauses, lead, cooperating agencies, recurrence and deadline rule.

    Example: agencyflow plan show kim-thanh-ocop --lang en
    """
    lang = current_language()
    if plans.is_file_ref(key):  # a file is read without opening the database
        spec = plans.read_source(key).spec
    else:
        with transaction() as session:
            spec, _version = plans.spec_named(session, key)
    table = fmt is Format.table
    rows = [{"step": s.id, "clauses": s.clauses, "title": s.title.get(lang),
             "lead": s.lead or _("each of group {group}").format(group=s.fan_out),
             "cooperating": s.cooperating, "recurrence": s.recurrence.value,
             "deadline": rule_words(s.deadline) if table else _rule(s.deadline),
             "depends_on": s.depends_on,
             "outputs": [o.label.get(lang) if table else o.name for o in s.outputs]}
            for s in spec.steps]
    if fmt is Format.table:
        console.print(styled((spec.title.get(lang), "bold"), f" ({spec.key}) — "
                             f"{spec.authority.get(lang)}, {spec.period_from}–{spec.period_to}"))
    emit(rows, ["step", "clauses", "title", "lead", "cooperating", "recurrence", "deadline",
                "depends_on", "outputs"], fmt, words={"recurrence": "recurrence"})


def rule_words(rule: object) -> str:
    """A deadline rule as a person says it ("31/03", "10 working days after NN-2 is done")."""
    data = rule.model_dump()  # type: ignore[attr-defined]
    kind, n = data["kind"], data.get("working_days")
    if kind == "fixed_date":
        return _("on {day:02d}/{month:02d}").format(day=data["day"], month=data["month"])
    if kind == "after_cycle_start":
        return ngettext("{n} working day after the period starts",
                        "{n} working days after the period starts", n).format(n=n)
    if kind == "after_step":
        return ngettext("{n} working day after {step} is done",
                        "{n} working days after {step} is done", n).format(n=n, step=data["step"])
    if kind == "month_end":
        return (_("last working day of month {month}").format(month=data["month"])
                if data.get("month") else _("last working day of each month"))
    if kind == "quarter_end":
        return (_("last working day of quarter {quarter}").format(quarter=data["quarter"])
                if data.get("quarter") else _("last working day of each quarter"))
    return _rule(rule)


def _rule(rule: object) -> str:
    data = rule.model_dump()  # type: ignore[attr-defined]
    kind = data.pop("kind")
    return kind + "(" + ", ".join(f"{k}={v}" for k, v in data.items() if v is not None) + ")"


app.command("diff")(amend_cmds.diff)
