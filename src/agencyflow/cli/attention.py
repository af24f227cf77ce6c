"""The "needs attention" note that ``board`` and ``notifications`` print after their listing."""

from __future__ import annotations

from typing import Any

from agencyflow.cli.base import err_console
from agencyflow.i18n import _, ngettext
from agencyflow.services.reminders import needing_attention


def print_attention(conn: Any, cycle_id: int | None = None) -> None:
    """On standard error (JSON and CSV output stay clean): the assignments the reminder sweep
    could not handle, with why."""
    total, rows = needing_attention(conn, cycle_id)
    if not total:
        return
    err_console.print(ngettext(
        "{n} assignment needs attention: the reminder sweep cannot handle it and skips it "
        "until its dates or lead are corrected",
        "{n} assignments need attention: the reminder sweep cannot handle them and skips them "
        "until their dates or lead are corrected", total).format(n=total), highlight=False)
    for r in rows:
        err_console.print(f"  #{r['id']} {r['step_id']} {r['period']} {r['lead']}: {r['why']}",
                          highlight=False)
    if total > len(rows):
        err_console.print("  " + _("… and {n} more").format(n=total - len(rows)),
                          highlight=False)
