"""`agencyflow audit …`: verify, read and export the tamper-evident audit trail.

Reading the audit trail needs :attr:`Action.AUDIT_READ` (coordinators, leaders, inspectors), so
these commands always need an identity once users exist. ``audit verify --file`` checks an export
offline and needs no database at all.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from agencyflow import storage
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
from agencyflow.cli.common import settings, transaction
from agencyflow.cli.identity import resolve_actor
from agencyflow.domain.permissions import Action, require
from agencyflow.errors import ValidationError
from agencyflow.formats import ddmmyyyy_hhmm
from agencyflow.i18n import _, ngettext
from agencyflow.labels import label
from agencyflow.services import audit, delivery
from agencyflow.services.database import Session, dumps

app = typer.Typer(help="The tamper-evident audit trail: verify, log, export.",
                  no_args_is_help=True)

LOG_COLUMNS = ["seq", "at", "recorded", "actor", "action", "subject", "before", "after", "reason",
               "hash"]


class ExportFormat(StrEnum):
    """Formats of `audit export`."""

    jsonl = "jsonl"
    csv = "csv"


def _authorise(session: Session, as_user: str | None, now: str | None) -> None:
    """Resolve the actor and require the right to read the audit trail."""
    actor = resolve_actor(session, as_user, now=parse_now(now), action=Action.AUDIT_READ)
    require(actor, Action.AUDIT_READ, target=_("the audit trail"))


@app.command("verify")
@handle_errors
def verify(
    file: Path = typer.Option(None, "--file", help="Check a jsonl export offline instead."),
    checkpoint: list[Path] = typer.Option(
        None, "--checkpoint", help="A checkpoint file (`audit checkpoint --file`): the chain "
        "must still hold each of its events with its hash (repeat)."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Check the whole hash chain; exit 1 naming the first edited, deleted, inserted or moved event,
    or the first checkpoint the chain no longer holds.

    Example: agencyflow audit verify --checkpoint /mnt/usb/audit-checkpoints.jsonl --as inspector1
    """
    if file is not None:
        with file.open(encoding="utf-8") as lines:
            count = audit.verify_export(lines, source=str(file))
        console.print(ngettext(
            "{n} event, chain intact (export {file}); compare its last hash with the head you "
            "noted", "{n} events, chain intact (export {file}); compare its last hash with the "
            "head you noted", count).format(n=count, file=file), highlight=False, soft_wrap=True)
        return
    with transaction() as session:
        _authorise(session, as_user, now)
        count = audit.verify(session)
        seq, head = audit.head(session)
        checked = sum(audit.check_checkpoints(session, audit.read_checkpoints(path))
                      for path in checkpoint or [])
    text = ngettext("{n} event, chain intact (head #{seq} sha256 {head})",
                    "{n} events, chain intact (head #{seq} sha256 {head})", count).format(
                        n=count, seq=seq, head=head)
    if checkpoint:
        text += "; " + ngettext("{n} checkpoint holds", "{n} checkpoints hold", checked).format(
            n=checked)
    console.print(text, highlight=False, soft_wrap=True)


@app.command("checkpoint")
@handle_errors
def checkpoint_(
    file: Path = typer.Option(None, "--file", help="Append the checkpoint to this JSON-lines "
                              "file (keep it off the database's machine)."),
    notify: bool = typer.Option(False, "--notify", help="Send it to the inspectors' tag "
                                "(AGENCYFLOW_AUDIT_TAG) through the channels file."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Verify the chain and write its head (sequence, hash, time) outside the database.

    Example: agencyflow audit checkpoint --file /mnt/usb/audit-checkpoints.jsonl --notify
    """
    if file is None and not notify:
        raise ValidationError(_("say where the checkpoint goes: --file FILE and/or --notify"))
    cfg = settings()
    notifier = delivery.notifier(cfg) if notify else None
    with transaction() as session:
        _authorise(session, as_user, None)
        point = audit.take_checkpoint(session)
    if file is not None:
        audit.append_checkpoint(file, point)
        console.print(_("checkpoint {point} appended to {file}").format(point=point, file=file),
                      highlight=False, soft_wrap=True)
    if notifier is not None:
        sent = audit.send_checkpoint(notifier, cfg.audit_tag, point)
        console.print(ngettext("checkpoint {point} sent to tag {tag} ({n} channel)",
                               "checkpoint {point} sent to tag {tag} ({n} channels)", sent
                               ).format(point=point, tag=cfg.audit_tag, n=sent),
                      highlight=False, soft_wrap=True)


@app.command("log")
@handle_errors
def log(
    assignment: int = typer.Option(None, "--assignment", help="Only events of this assignment."),
    actor: str = typer.Option(None, "--actor", help="Only events by this user."),
    limit: int = typer.Option(100, "--limit", help="The latest N events (0: all)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Show who did what, to what, when and why (oldest first).

    Example: agencyflow audit log --assignment 42 --format json --as inspector1
    """
    with transaction() as session:
        _authorise(session, as_user, now)
        events = audit.log(session, assignment_id=assignment, actor=actor, limit=limit or None)
        rows = [audit.exported(e.model_dump()) for e in events]
    if fmt is Format.table:
        rows = [{**r, "subject": f"{label('subject', r['target_type'])} {r['target_id']}",
                 "hash": r["hash"][:12],
                 "at": ddmmyyyy_hhmm(r["at"], utc=True), "recorded": _recorded(r),
                 "before": _short(r["before"]),
                 "after": _short(r["after"])} for r in rows]
        emit(rows, LOG_COLUMNS, fmt, title=_("Audit trail (Vietnam time)"),
             words={"action": "action"})
        return
    emit(rows, list(audit.EXPORT_FIELDS), fmt)


def _recorded(row: dict[str, object]) -> str:
    """When the event was really written, and the claim its ``at`` makes (late, simulated)."""
    text = ddmmyyyy_hhmm(row.get("recorded_at"), utc=True)
    if row.get("claim"):
        claim = label("claim", row["claim"])
        text += f" ({claim}: {row['claim_reason']})" if row.get("claim_reason") \
            else f" ({claim})"
    return text


def _short(value: object, width: int = 60) -> str:
    text = "" if value is None else dumps(value)
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command("export")
@handle_errors
def export(
    fmt: ExportFormat = typer.Option(..., "--format", help="jsonl or csv."),
    output: Path = typer.Option(None, "--output", help="Write to this file (default: stdout)."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Export every event with every field and hash, so an inspector can re-verify offline
    (see `agencyflow audit verify --file`, or the recipe in services/audit/trail.py:export).

    Example: agencyflow audit export --format jsonl --output audit-2027.jsonl --as inspector1
    """
    with transaction() as session:
        _authorise(session, as_user, now)
        if output is None:
            count, (seq, head) = audit.export(session, fmt.value, sys.stdout)
        else:
            try:
                with output.open("w", encoding="utf-8", newline="") as out:
                    count, (seq, head) = audit.export(session, fmt.value, out)
            except OSError as exc:  # a full or read-only disk: a message, not a traceback
                raise storage.file_error(exc, where=output, what=_("the export")) or exc \
                    from None
    err_console.print(ngettext("{n} event exported; head #{seq} sha256 {head}",
                               "{n} events exported; head #{seq} sha256 {head}", count).format(
                                   n=count, seq=seq, head=head), highlight=False)
