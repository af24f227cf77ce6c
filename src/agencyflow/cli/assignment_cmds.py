"""`agencyflow assignment …`: show an assignment and act on it (one transaction per command).

Every command that changes something acts as a user (``--as USER`` or ``AGENCYFLOW_TOKEN``), can
travel in time with ``--now`` and can name the version the user saw (``--version``): if someone
changed the assignment meanwhile, the command is refused with a conflict and nothing is saved.

``start``, ``progress``, ``complete`` and ``submit`` take a quick path when the database is
ready as it is, no ``AGENCYFLOW_TOKEN`` is set (a token's use is recorded, which the full path
does) and no evidence is attached: the same move (:mod:`agencyflow.services.assignments.acts`)
on a plain DBAPI connection, without importing SQLAlchemy, SQLModel or pydantic-settings (see
:func:`_quick`).
Whatever needs the full path — a database to upgrade, evidence files, products to register —
runs there, with the same output and errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from agencyflow import dbapi, locations
from agencyflow.cli.assignment_show import AS, ID, NOW
from agencyflow.cli.base import (
    calendar,
    console,
    handle_errors,
    parse_now,
    styled,
)
from agencyflow.cli.identity import Act, act_as, resolve_actor
from agencyflow.domain import files
from agencyflow.domain.calendar import parse_date
from agencyflow.domain.clock import Clock
from agencyflow.domain.outputs import parse_assignments
from agencyflow.domain.permissions import Actor
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.labels import label
from agencyflow.services import assignments

if TYPE_CHECKING:
    from agencyflow.services.assignments import Tx

#: A move on the quick path: ``(transaction, actor, now) -> assignment``.
Quick = Callable[["Tx", Actor, datetime], Any]

app = typer.Typer(help="Show and act on assignments: start, report, complete, extend, reassign.",
                  no_args_is_help=True)

VERSION = typer.Option(None, "--version", help="The version you saw (refused if it changed).")
OUTPUT = typer.Option(None, "--output", help="An output as name=value (repeat); a list as JSON.")
OUTPUTS_FILE = typer.Option(None, "--outputs-file", help="Outputs from a JSON or YAML file.")
EVIDENCE = typer.Option(None, "--evidence", help="A file to attach as evidence (repeat).")
LINK = typer.Option(None, "--link", help="An http(s) link to attach as evidence (repeat).")
NOTE = typer.Option(None, "--note", help="A note for the coordinator.")
REASON = typer.Option(..., "--reason", help="Why (recorded in the audit trail).")
LATE = typer.Option(None, "--late-reason",
                    help="Coordinators: record a past --now as a late entry of what happened on "
                         "paper, and why it is recorded late.")

def _as(as_user: str | None, now: str | None, late_reason: str | None, act: Act) -> Any:
    """``act`` as the user at ``--now``, a coordinator's ``--late-reason`` passed on."""
    return act_as(as_user, now, act, late_reason=late_reason)


def _quick(as_user: str | None, now: str | None, late_reason: str | None, move: Quick
           ) -> Any | None:
    """``move`` as the user at ``--now`` on a plain DBAPI connection in one transaction, or
    None when the full path must run it: the settings need pydantic to be read, a token is
    set, the database is not ready as it is, or the move needs the full path
    (:class:`~agencyflow.services.assignments.FullPath`: rolled back, nothing written)."""
    where = locations.from_environment()
    if where is None or where.token:
        return None
    when = parse_now(now)
    conn = dbapi.open_current(where.resolved_database_url(), write=True)
    if conn is None:
        return None
    # The clock the full path's engine gives (simulated with AGENCYFLOW_SIMULATION), carrying
    # a coordinator's --late-reason as the full path's transaction does.
    tx = assignments.Tx(conn, Clock(simulated=where.simulation, late_reason=late_reason or None))
    try:
        result = move(tx, resolve_actor(conn, as_user, now=when), when)
        conn.commit()
        return result
    except assignments.FullPath:
        conn.rollback()
        return None
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def _language() -> str:
    """The language of what a move writes for people (notices): AGENCYFLOW_LANGUAGE."""
    where = locations.from_environment()
    if where is not None:
        return where.language
    from agencyflow.cli.common import settings

    return settings().language


def _done(a: Any) -> None:
    console.print(styled(_("assignment {id} ({step} {lead}) is now").format(
        id=a.id, step=a.step_id, lead=a.lead_code) + " ", (label("state", a.status), "bold"),
        " " + _("(version {version})").format(version=a.version)), highlight=False)


def _outputs(pairs: list[str] | None, path: Path | None) -> dict[str, Any]:
    """``--output`` pairs merged with ``--outputs-file`` (a name given twice is refused)."""
    given: dict[str, Any] = _read_outputs(path) if path else {}
    for key, value in parse_assignments(pairs or []).items():
        if key in given:
            raise ValidationError(_("output {key} is given both in {path} and with --output")
                                  .format(key=key, path=path))
        given[key] = value
    return given


def _read_outputs(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except OSError as exc:
        raise ValidationError(_("{path}: cannot read the outputs file: {reason}").format(
            path=path, reason=files.reason(exc))) from None
    except (ValueError, yaml.YAMLError) as exc:
        raise ValidationError(_("{path}: not valid JSON/YAML: {reason}").format(
            path=path, reason=exc)) from None
    if not isinstance(data, dict):
        raise ValidationError(_("{path}: expected a mapping of output name: value").format(
            path=path))
    return {str(k): v for k, v in data.items()}


def _evidence(files: list[Path] | None, links: list[str] | None) -> dict[str, Any]:
    from agencyflow.cli.common import settings

    s = settings()
    return {"files": list(files or []), "links": list(links or []),
            "evidence_dir": s.resolved_evidence_dir(), "max_bytes": s.evidence_max_bytes}


@app.command("start")
@handle_errors
def start(assignment_id: int = ID, as_user: str = AS, now: str = NOW,
          late_reason: str = LATE, version: int = VERSION) -> None:
    """Start working on an open assignment.

    Example: agencyflow assignment start 12 --as can.bo.nn
    """
    done = _quick(as_user, now, late_reason, lambda tx, actor, when: assignments.quick_start(
        tx, assignment_id=assignment_id, actor=actor, now=when, expected_version=version))
    _done(done or _as(as_user, now, late_reason, lambda s, actor, when: assignments.start(
        s, assignment_id=assignment_id, actor=actor, now=when, expected_version=version)))


@app.command("progress")
@handle_errors
def progress(assignment_id: int = ID, note: str = NOTE, output: list[str] = OUTPUT,
             outputs_file: Path = OUTPUTS_FILE, evidence: list[Path] = EVIDENCE,
             link: list[str] = LINK, as_user: str = AS, now: str = NOW,
             late_reason: str = LATE, version: int = VERSION) -> None:
    """Report progress: a note, partial figures and evidence (an open assignment starts).

    Example: agencyflow assignment progress 12 --note "Đã họp 5/9 xã" --output budget=120
    """
    figures = _outputs(output, outputs_file)
    done = None if evidence or link else _quick(
        as_user, now, late_reason, lambda tx, actor, when: assignments.quick_progress(
            tx, assignment_id=assignment_id, actor=actor, now=when, note=note, figures=figures,
            expected_version=version))
    _done(done or _as(as_user, now, late_reason, lambda s, actor, when: assignments.progress(
        s, assignment_id=assignment_id, actor=actor, now=when, note=note, figures=figures,
        expected_version=version, **_evidence(evidence, link))))


def _hand_in(move: str, assignment_id: int, output: list[str] | None,
             outputs_file: Path | None, evidence: list[Path] | None, link: list[str] | None,
             note: str | None, as_user: str | None, now: str | None, version: int | None,
             late_reason: str | None = None, **extra: Any) -> None:
    """Complete or submit (``move``): on the quick path unless evidence is attached."""
    outputs = _outputs(output, outputs_file)
    done = None if evidence or link else _quick(
        as_user, now, late_reason, lambda tx, actor, when: getattr(assignments, "quick_" + move)(
            tx, assignment_id=assignment_id, actor=actor, now=when, calendar=calendar(),
            outputs=outputs, note=note, expected_version=version, **extra))
    # looked up by name: the full path's module imports SQLAlchemy, only when it runs
    _done(done or _as(as_user, now, late_reason, lambda s, actor, when: getattr(
        assignments, move)(
        s, assignment_id=assignment_id, actor=actor, now=when, calendar=calendar(),
        outputs=outputs, note=note, expected_version=version, **_evidence(evidence, link),
        **extra)))


@app.command("complete")
@handle_errors
def complete(assignment_id: int = ID, output: list[str] = OUTPUT,
             outputs_file: Path = OUTPUTS_FILE, evidence: list[Path] = EVIDENCE,
             link: list[str] = LINK, note: str = NOTE, as_user: str = AS, now: str = NOW,
             late_reason: str = LATE, version: int = VERSION) -> None:
    """Complete an assignment with the outputs its step declares, and evidence.

    Example: agencyflow assignment complete 31 --outputs-file products.yaml --evidence bb.pdf
    """
    _hand_in("complete", assignment_id, output, outputs_file, evidence, link, note, as_user, now,
             version, late_reason, lang=_language())


@app.command("submit")
@handle_errors
def submit(assignment_id: int = ID, output: list[str] = OUTPUT,
           outputs_file: Path = OUTPUTS_FILE, evidence: list[Path] = EVIDENCE,
           link: list[str] = LINK, note: str = NOTE, as_user: str = AS, now: str = NOW,
           late_reason: str = LATE, version: int = VERSION) -> None:
    """Submit a reviewed step to the coordinator, with its outputs and evidence.

    Example: agencyflow assignment submit 12 --output plan_document=https://x.gov.vn/kh.pdf
    """
    _hand_in("submit", assignment_id, output, outputs_file, evidence, link, note, as_user, now,
             version, late_reason)


@app.command("approve")
@handle_errors
def approve(assignment_id: int = ID,
            reason: str = typer.Option(None, "--reason", help="An optional comment."),
            as_user: str = AS, now: str = NOW,
            late_reason: str = LATE, version: int = VERSION) -> None:
    """Approve a submitted assignment (coordinator): it is done, its dependents open.

    Example: agencyflow assignment approve 12 --as dieu.phoi
    """
    _done(_as(as_user, now, late_reason, lambda s, actor, when: assignments.approve(
        s, assignment_id=assignment_id, actor=actor, now=when, calendar=calendar(),
        reason=reason, expected_version=version, lang=_language())))


@app.command("reject")
@handle_errors
def reject(assignment_id: int = ID, reason: str = REASON, as_user: str = AS, now: str = NOW,
           late_reason: str = LATE, version: int = VERSION) -> None:
    """Send a submission back to the lead agency with the reason (coordinator).

    Example: agencyflow assignment reject 12 --reason "Thiếu dự toán"
    """
    _done(_as(as_user, now, late_reason, lambda s, actor, when: assignments.reject(
        s, assignment_id=assignment_id, actor=actor, now=when, reason=reason,
        expected_version=version)))


@app.command("cancel")
@handle_errors
def cancel(assignment_id: int = ID, reason: str = REASON, as_user: str = AS, now: str = NOW,
           late_reason: str = LATE, version: int = VERSION) -> None:
    """Cancel an unfinished assignment, with the reason (coordinator).

    Example: agencyflow assignment cancel 40 --reason "Xã sáp nhập"
    """
    _done(_as(as_user, now, late_reason, lambda s, actor, when: assignments.cancel(
        s, assignment_id=assignment_id, actor=actor, now=when, calendar=calendar(),
        reason=reason, expected_version=version)))


@app.command("extend")
@handle_errors
def extend(assignment_id: int = ID,
           to: str = typer.Option(..., "--to", help="New due date (YYYY-MM-DD or dd/mm/yyyy)."),
           reason: str = REASON, as_user: str = AS, now: str = NOW,
           late_reason: str = LATE, version: int = VERSION) -> None:
    """Request an extension (gia hạn) to a later due date (lead agency).

    Example: agencyflow assignment extend 12 --to 30/04/2027 --reason "Chờ số liệu các xã"
    """
    new_due = parse_date(to)
    ext = _as(as_user, now, late_reason, lambda s, actor, when: assignments.request_extension(
        s, assignment_id=assignment_id, actor=actor, now=when, new_due=new_due, reason=reason,
        expected_version=version))
    console.print(_("extension request #{id} for assignment {assignment}: {old} → {new}, "
                    "pending a decision").format(id=ext.id, assignment=assignment_id,
                                                 old=f"{ext.old_due:%d/%m/%Y}",
                                                 new=f"{ext.new_due:%d/%m/%Y}"),
                  highlight=False)


@app.command("decide")
@handle_errors
def decide(extension_id: int = typer.Argument(..., help="Extension request id."),
           approve: bool = typer.Option(None, "--approve/--refuse",
                                        help="Approve or refuse the request."),
           reason: str = typer.Option(None, "--reason", help="Why (required to refuse)."),
           as_user: str = AS, now: str = NOW,
           late_reason: str = LATE, version: int = VERSION) -> None:
    """Approve or refuse an extension request (coordinator or leader).

    Example: agencyflow assignment decide 3 --refuse --reason "Quá dài"
    """
    if approve is None:
        raise ValidationError(_("say --approve or --refuse"))
    ext = _as(as_user, now, late_reason, lambda s, actor, when: assignments.decide_extension(
        s, extension_id=extension_id, actor=actor, now=when, approve=approve, reason=reason,
        expected_version=version, lang=_language()))
    console.print(_("extension request #{id} {status}: due {day}").format(
        id=ext.id, status=label("extension", ext.status),
        day=f"{ext.new_due if approve else ext.old_due:%d/%m/%Y}"), highlight=False)


@app.command("reassign")
@handle_errors
def reassign(assignment_id: int = ID,
             to: str = typer.Option(..., "--to", help="Code of the new lead agency."),
             reason: str = REASON, as_user: str = AS, now: str = NOW,
             late_reason: str = LATE, version: int = VERSION) -> None:
    """Hand an assignment to another agency of the plan (coordinator).

    Example: agencyflow assignment reassign 40 --to NN --reason "Xã thiếu cán bộ"
    """
    _done(_as(as_user, now, late_reason, lambda s, actor, when: assignments.reassign(
        s, assignment_id=assignment_id, actor=actor, now=when, new_lead=to, reason=reason,
        expected_version=version)))


@app.command("contribute")
@handle_errors
def contribute(assignment_id: int = ID,
               comment: str = typer.Option(None, "--comment", help="A comment."),
               output: list[str] = OUTPUT, outputs_file: Path = OUTPUTS_FILE,
               evidence: list[Path] = EVIDENCE, link: list[str] = LINK,
               agency: str = typer.Option(None, "--agency", help="Agency contributing "
                                          "(coordinators; officers contribute for their own)."),
               as_user: str = AS, now: str = NOW,
               late_reason: str = LATE) -> None:
    """Add a cooperating agency's comment, figures or evidence to an assignment.

    Example: agencyflow assignment contribute 12 --comment "Đã rà soát" --as can.bo.ktht
    """
    figures = _outputs(output, outputs_file)
    row = _as(as_user, now, late_reason, lambda s, actor, when: assignments.contribute(
        s, assignment_id=assignment_id, actor=actor, now=when, comment=comment,
        figures=figures or None, agency_code=agency, **_evidence(evidence, link)))
    console.print(_("contribution #{id} of {agency} added to assignment {assignment}").format(
        id=row.id, agency=row.agency_code, assignment=assignment_id), highlight=False)
