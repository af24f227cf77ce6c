"""Cycles: starting a plan's cycle (its steps become assignments, the ready ones open) and
migrating a running cycle to an amended plan (assignments move, their reminders follow).

It sits above :mod:`~agencyflow.services.plans` (what it reads),
:mod:`~agencyflow.services.assignments` (what it opens and moves) and
:mod:`~agencyflow.services.reminders` (what follows a move), none of which imports it back.

- :mod:`.opening`: ``start`` / ``start_plan``, one transaction per cycle;
- :mod:`.steps`: the ``start_cycle`` flow's view, step by step (``start_or_find``,
  ``step_summary``);
- :mod:`.migrate`, :mod:`.migrate_apply`, :mod:`.migrate_report`: ``agencyflow cycle migrate``.
"""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "CycleStarted": ("opening", "CycleStarted"),
    "MigrationReport": ("migrate", "MigrationReport"),
    "as_data": ("migrate_report", "as_data"),
    "migrate_cycle": ("migrate", "migrate"),
    "migration_report_lines": ("migrate_report", "lines"),
    "start": ("opening", "start"),
    "start_or_find": ("steps", "start_or_find"),
    "start_plan": ("opening", "start_plan"),
    "step_summary": ("steps", "step_summary"),
}
__all__ = [
    "CycleStarted",
    "MigrationReport",
    "as_data",
    "migrate_cycle",
    "migration_report_lines",
    "start",
    "start_or_find",
    "start_plan",
    "step_summary",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.cycles.migrate import (
        MigrationReport as MigrationReport,
    )
    from agencyflow.services.cycles.migrate import (
        migrate as migrate_cycle,
    )
    from agencyflow.services.cycles.migrate_report import (
        as_data as as_data,
    )
    from agencyflow.services.cycles.migrate_report import (
        lines as migration_report_lines,
    )
    from agencyflow.services.cycles.opening import (
        CycleStarted as CycleStarted,
    )
    from agencyflow.services.cycles.opening import (
        start as start,
    )
    from agencyflow.services.cycles.opening import (
        start_plan as start_plan,
    )
    from agencyflow.services.cycles.steps import (
        start_or_find as start_or_find,
    )
    from agencyflow.services.cycles.steps import (
        step_summary as step_summary,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
