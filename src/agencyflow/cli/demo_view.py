"""How `agencyflow demo` prints: month lines as the year runs, then the year-end tables.

Vietnamese by default, English with ``--lang en`` (gettext, as every command). Nothing here
computes: it shows the
:class:`~agencyflow.demo.runner.DemoResult` and the :class:`~agencyflow.demo.simulation.Month`
records the demo produced.
"""

from __future__ import annotations

from collections import Counter

from rich import box
from rich.panel import Panel
from rich.table import Table

from agencyflow.cli.base import console, styled
from agencyflow.demo.cast import PEOPLE
from agencyflow.demo.report import KINDS
from agencyflow.demo.runner import DemoResult
from agencyflow.demo.simulation import Event, Month
from agencyflow.domain.status import BoardStatus
from agencyflow.i18n import _, current_language, ngettext
from agencyflow.labels import label


def texts() -> dict[str, str]:
    """The demo's sentences in the current language (gettext, domain ``cli``)."""
    return {
        "title": _("agencyflow demo — Kim Thành district OCOP plan, {year} cycle"),
        "how": _("Every working day simulated in this process (no Prefect server): 09:00 "
                 "reminder sweep and dispatch, 10:00 the agencies act on their assignments."),
        "where": _("Data: {db}"),
        "sink": _("Notifications go through apprise to a local sink json://127.0.0.1:<port>/"
                  "<agency code>; tags without a channel: {missing}."),
        "people": _("Users"),
        "digest_note": _("Communes and the town get their notices folded into digest "
                         "messages."),
        "received": _("What each agency received (local sink, cross-checked with the outbox)"),
        "agency": _("Agency"), "total": _("Total"),
        "outbox": _("✓: matches the outbox (rows sent)"),
        "sample": _("One message as received (verbatim)"),
        "board": _("Board on {day} (by lead agency)"),
        "targets": _("Targets for {year}"),
        "audit_ok": _("Audit trail: {n} events, hash chain intact ✓ (verified by thanh.tra)"),
        "audit_bad": _("Audit trail: {n} events, CHAIN BROKEN: {error}"),
        "mismatch": _("The sink and the outbox do NOT agree ({unmatched} unknown messages)"),
        "took": _("Run time: {s:.1f} s. Explore: {explore}"),
        "web": _("Open the dashboard on this data: AGENCYFLOW_DATA_DIR={dir} agencyflow web, "
                 "then http://127.0.0.1:8000/ — log in as {users} (password: {password})."),
    }


def target_columns() -> list[str]:
    """The headers of the targets table."""
    return [_("Target"), _("Title"), _("Period"), _("Value"), _("Minimum"), _("Status")]


def events() -> dict[str, str]:
    """The demo's notable events in words (``{label}``: the assignment)."""
    return {"submit": _("{label}: submitted for review"),
            "reject": _("{label}: sent back by the coordinator — {detail}"),
            "approve": _("{label}: approved by the coordinator"),
            "extend": _("{label}: asks for an extension to {detail}"),
            "grant": _("{label}: the coordinator grants the extension"),
            "refuse": _("{label}: the leader refuses the extension — {detail}"),
            "escalation": _("{label}: overdue, escalated to {detail} (level {number})")}


def t(key: str, **values: object) -> str:
    """The text ``key`` with ``values`` filled in."""
    return texts()[key].format(**values)


def header(year: int, db: str) -> None:
    """What the demo is about to do, and who takes part."""
    console.print(styled((t("title", year=year), "bold")), highlight=False)
    console.print(t("how"), highlight=False)
    console.print(t("where", db=db), highlight=False)
    people = ", ".join(
        f"{p.username} ({label('role', p.role)}{', ' + p.agency if p.agency else ''})"
        for p in PEOPLE)
    console.print(f"{t('people')}: {people}", highlight=False)
    console.print(t("digest_note"), highlight=False)


def month_line(month: Month) -> None:
    """One line per month, and one indented line per notable event."""
    kinds = ", ".join(f"{label('notice', k)} {n}" for k in KINDS if (n := month.queued[k]))
    own = "; " + ngettext("{n} by the coordinator's own office: no completion notice",
                          "{n} by the coordinator's own office: no completion notice",
                          month.own).format(n=month.own) if month.own else ""
    notices = sum(month.queued.values())
    console.print(_("{month}: {done} ({late}{own}) · {notices} [{kinds}] → {sent}").format(
        month=_("month {m}").format(m=f"{month.first:%m/%Y}"),
        done=ngettext("{n} completed", "{n} completed", month.completed).format(
            n=month.completed),
        late=ngettext("{n} late", "{n} late", month.late).format(n=month.late), own=own,
        notices=ngettext("{n} notice", "{n} notices", notices).format(n=notices),
        kinds=kinds or "—",
        sent=ngettext("{n} message sent", "{n} messages sent", month.sent).format(n=month.sent)),
        highlight=False)
    for event in month.events:
        console.print(f"   {event.day:%d/%m} {event_text(event)}", highlight=False)


def event_text(event: Event) -> str:
    """An event in words."""
    if event.kind == "late":
        return ngettext("{label}: completed {number} working day late",
                        "{label}: completed {number} working days late", event.number or 0
                        ).format(label=event.label, number=event.number)
    return events()[event.kind].format(label=event.label, detail=event.detail,
                                       number=event.number)


def year_end(result: DemoResult) -> None:
    """The tables after the year: received, a sample message, the board, the targets."""
    console.print(t("sink", missing=", ".join(result.missing_tags) or "—"),
                  highlight=False)
    received_table(result)
    if result.sample is not None:
        console.print(Panel(styled((result.sample.title, "bold"), f"\n\n{result.sample.body}"),
                            title=f"{t('sample')} → {result.sample.agency}",
                            expand=False), highlight=False)
    board_table(result)
    targets_table(result)


def received_table(result: DemoResult) -> None:
    """Messages per agency and kind (sink), with the outbox count beside them."""
    tally = result.tally
    table = _table(t("received"), t("agency"),
                   [*(label("notice", k) for k in KINDS), t("total")])
    table.caption = t("outbox")
    for agency in sorted(set(tally.kinds) | set(tally.outbox_sent)):
        kinds = tally.kinds.get(agency, Counter())
        got, sent = tally.received(agency), tally.outbox_sent[agency]
        mark = "✓" if got == sent else f"✗ {sent}"
        table.add_row(agency, *(str(kinds.get(k, 0) or "") for k in KINDS), f"{got} {mark}")
    console.print(table)


def _table(title: str, first: str, numbers: list[str]) -> Table:
    """A compact table: the agency column never wraps, numbers are right-aligned."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(first, no_wrap=True)
    for header_text in numbers:
        table.add_column(header_text, justify="right")
    return table


def board_table(result: DemoResult) -> None:
    """The year-end board: assignments per lead agency and status (statuses that occur)."""
    counts = result.findings.board
    shown = [s for s in BoardStatus if any(c.get(s.value) for c in counts.values())]
    table = _table(t("board", day=f"31/12/{result.year}"), t("agency"),
                   [*(label("board_short", s) for s in shown), t("total")])
    for agency in sorted(counts):
        row = counts[agency]
        table.add_row(agency, *(str(row.get(s.value, 0) or "") for s in shown),
                      str(sum(row.values())))
    totals = [sum(c.get(s.value, 0) for c in counts.values()) for s in shown]
    table.add_row(styled((t("total"), "bold")), *(styled((str(n), "bold")) for n in totals),
                  styled((str(sum(totals)), "bold")))
    console.print(table)


def targets_table(result: DemoResult) -> None:
    """The plan's targets for the demo year."""
    if not result.findings.targets:
        return
    table = Table(title=t("targets", year=result.year), box=box.SIMPLE_HEAD)
    for header_text in target_columns():
        table.add_column(header_text)
    for r in result.findings.targets:
        table.add_row(r.target_id, r.title.get(current_language()), r.period, f"{r.value:g}",
                      f"{r.min:g}", label("target", r.status))
    console.print(table)


def finish(result: DemoResult, *, tables: bool, explore: str) -> None:
    """Everything after the year: the tables (unless ``--quiet``) and the closing lines;
    ``explore`` is the command to look at the board."""
    if tables:
        year_end(result)
    closing(result, explore)


def web_hint(data_dir: object) -> None:
    """How to open the web app on the demo's data, with the users and their password."""
    from agencyflow.demo import cast

    names = ", ".join(f"{p.username} ({label('role', p.role)})"
                      for p in cast.PEOPLE)
    console.print(t("web", dir=data_dir, users=names, password=cast.PASSWORD),
                  highlight=False, soft_wrap=True)


def closing(result: DemoResult, explore: str) -> None:
    """The summary lines: totals, escalations, cross-check, audit verification, run time and
    the command to explore further."""
    tally, f = result.tally, result.findings
    escalations = tally.kinds.get(result.leader, Counter())["escalation"]
    sent, agencies = sum(tally.outbox_sent.values()), len(tally.outbox_sent)
    console.print(_("{sent} to {agencies}; {escalations} to {leader}.").format(
        sent=ngettext("{n} notification sent", "{n} notifications sent", sent).format(n=sent),
        agencies=ngettext("{n} agency", "{n} agencies", agencies).format(n=agencies),
        escalations=ngettext("{n} escalation", "{n} escalations", escalations).format(
            n=escalations), leader=result.leader), highlight=False)
    if not tally.consistent:
        console.print(styled((t("mismatch", unmatched=tally.unmatched), "bold red")))
    if f.audit_error is None:
        console.print(styled((t("audit_ok", n=f.audit_events), "bold green")),
                      highlight=False)
    else:
        console.print(styled((t("audit_bad", n=f.audit_events, error=f.audit_error),
                              "bold red")), highlight=False)
    console.print(t("took", s=result.seconds, explore=explore), highlight=False,
                  soft_wrap=True)
