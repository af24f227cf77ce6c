"""The `agencyflow` command line. Each group of commands lives in its own module.

Commands are registered from one table, :data:`COMMANDS` (see :mod:`agencyflow.cli.registry`):
a command's module is imported only when that command runs, so ``agencyflow --help`` imports no
command module and ``agencyflow assignment show`` only the one that shows. ``app`` is the whole
application, for the console script and the tests alike.
"""

from __future__ import annotations

import typer

from agencyflow.cli.registry import Entry, lazy_group

#: ``agencyflow assignment …``: showing apart from the commands that change an assignment.
ASSIGNMENT: dict[str, Entry] = {
    "show": Entry("assignment_show", "show", "Show an assignment: step, agencies, status on the "
                  "day, history, extensions, evidence."),
    "start": Entry("assignment_cmds", "app", "Start working on an open assignment."),
    "progress": Entry("assignment_cmds", "app", "Report progress: a note, partial figures and "
                      "evidence (an open assignment starts)."),
    "complete": Entry("assignment_cmds", "app", "Complete an assignment with the outputs its "
                      "step declares, and evidence."),
    "submit": Entry("assignment_cmds", "app", "Submit a reviewed step to the coordinator, with "
                    "its outputs and evidence."),
    "approve": Entry("assignment_cmds", "app", "Approve a submitted assignment (coordinator): it "
                     "is done, its dependents open."),
    "reject": Entry("assignment_cmds", "app", "Send a submission back to the lead agency with "
                    "the reason (coordinator)."),
    "cancel": Entry("assignment_cmds", "app", "Cancel an unfinished assignment, with the reason "
                    "(coordinator)."),
    "extend": Entry("assignment_cmds", "app", "Request an extension (gia hạn) to a later due "
                    "date (lead agency)."),
    "decide": Entry("assignment_cmds", "app", "Approve or refuse an extension request "
                    "(coordinator or leader)."),
    "reassign": Entry("assignment_cmds", "app", "Hand an assignment to another agency of the "
                      "plan (coordinator)."),
    "contribute": Entry("assignment_cmds", "app", "Add a cooperating agency's comment, figures "
                        "or evidence to an assignment."),
}

#: Every command: name → where it is and the first paragraph of its help (a test keeps each
#: equal to the command's own help).
COMMANDS: dict[str, Entry] = {
    "board": Entry("board_cmds", "board", "List assignments with lead, cooperating agencies, "
                   "due date and official status, and a count per agency and status."),
    "targets": Entry("targets_cmds", "targets", "Each target's value against its minimum per "
                     "period: met, not met or in progress."),
    "report": Entry("report_cmds", "report", "The progress report with the board's figures as "
                    "of --now: totals, rates, a table per lead agency and per commune, overdue "
                    "assignments, extensions, targets and a chart."),
    "calendar": Entry("calendar_cmds", "calendar", "One all-day event per assignment on its "
                      "current due date, with an alarm at each reminder of its policy (office "
                      "hours, Vietnam time); import or subscribe in any calendar."),
    "feed": Entry("feed_cmds", "app", "Calendar feeds: a read-only calendar URL per agency."),
    "export": Entry("export_cmds", "app", "Export the board or a progress sheet to Excel."),
    "import": Entry("import_cmds", "app", "Import a filled-in progress sheet."),
    "remind": Entry("notify_cmds", "remind", "Run one reminder sweep and one dispatch now, in "
                    "this process (no Prefect needed)."),
    "serve": Entry("notify_cmds", "serve", "Run the flows on their schedules with Prefect "
                   "(sweep: AGENCYFLOW_SWEEP_CRON, dispatch: every "
                   "AGENCYFLOW_DISPATCH_INTERVAL_SECONDS) until stopped; with --web, the web "
                   "app beside."),
    "dispatch": Entry("worker_cmds", "dispatch", "Deliver the notifications that are due: a "
                      "dispatcher on its own (several may run at once on several machines; "
                      "each claims rows with a lease)."),
    "sweep": Entry("worker_cmds", "sweep", "Queue the reminders, escalations and other notices "
                   "that are due (a sweep on its own; idempotent, so overlapping or repeated "
                   "runs write nothing twice)."),
    "demo": Entry("demo_cmds", "demo", "Simulate the Kim Thành OCOP cycle of a year, working "
                  "day by working day: reminders to a local sink, completions on time and "
                  "late, an extension granted and one refused, a review sent back, an overdue "
                  "assignment escalated to the leader; then what each agency received, the "
                  "board at year end, the targets and the audit verification. Needs an empty "
                  "database (AGENCYFLOW_DATA_DIR); takes about 20 seconds."),
    "web": Entry("web_cmds", "web", "Serve the web app: pages for every role (and the API "
                 "under /api/v1)."),
    "plan": Entry("plan_cmds", "app", "Validate, load, list and show plans."),
    "cycle": Entry("cycle_cmds", "app", "Start and list cycles (one run of a plan over a "
                   "year)."),
    "assignment": Entry("assignment_cmds", "app", "Show and act on assignments: start, report, "
                        "complete, extend, reassign.", ASSIGNMENT),
    "user": Entry("user_cmds", "app", "People, roles and API tokens."),
    "audit": Entry("audit_cmds", "app", "The tamper-evident audit trail: verify, log, export."),
    "notifications": Entry("notify_cmds", "notifications_app", "The notification outbox: list, "
                           "and send again."),
    "channels": Entry("notify_cmds", "channels_app", "Notification channels (apprise "
                      "configuration)."),
    "db": Entry("db_cmds", "app", "Database schema (Alembic migrations)."),
    "products": Entry("product_cmds", "app", "The OCOP product registry: rated products, "
                      "certificates, expiry."),
}

app = typer.Typer(
    name="agencyflow",
    cls=lazy_group(COMMANDS),
    help="Turn an inter-agency plan into tracked, reminded and audited assignments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Turn an inter-agency plan into tracked, reminded and audited assignments."""


def main() -> None:
    """Console-script entry point."""
    app()
