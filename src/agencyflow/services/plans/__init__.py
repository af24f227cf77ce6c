"""Plans and cycles: loading plans, starting cycles, the working-day calendar, the timeline."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "MigrationReport": ("migrate", "MigrationReport"),
    "as_data": ("migrate_report", "as_data"),
    "calendar_for": ("calendar_store", "calendar_for"),
    "diff_plans": ("diff", "diff"),
    "ensure_loaded": ("store", "ensure_loaded"),
    "find": ("cycle_queries", "find"),
    "is_file_ref": ("store", "is_file_ref"),
    "latest": ("store", "latest"),
    "lines": ("timeline", "lines"),
    "list_cycles": ("cycle_queries", "list_cycles"),
    "list_versions": ("store", "list_versions"),
    "migrate_cycle": ("migrate", "migrate"),
    "migration_report_lines": ("migrate_report", "lines"),
    "read_map": ("successors", "read_map"),
    "read_source": ("store", "read_source"),
    "spec_named": ("store", "spec_named"),
    "spec_of": ("store", "spec_of"),
    "start": ("cycles", "start"),
    "start_or_find": ("cycle_steps", "start_or_find"),
    "start_plan": ("cycles", "start_plan"),
    "step_summary": ("cycle_steps", "step_summary"),
    "store_plan": ("store", "store"),
}
__all__ = [
    "MigrationReport",
    "as_data",
    "calendar_for",
    "diff_plans",
    "ensure_loaded",
    "find",
    "is_file_ref",
    "latest",
    "lines",
    "list_cycles",
    "list_versions",
    "migrate_cycle",
    "migration_report_lines",
    "read_map",
    "read_source",
    "spec_named",
    "spec_of",
    "start",
    "start_or_find",
    "start_plan",
    "step_summary",
    "store_plan",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.plans.calendar_store import (
        calendar_for as calendar_for,
    )
    from agencyflow.services.plans.cycle_queries import (
        find as find,
    )
    from agencyflow.services.plans.cycle_queries import (
        list_cycles as list_cycles,
    )
    from agencyflow.services.plans.cycle_steps import (
        start_or_find as start_or_find,
    )
    from agencyflow.services.plans.cycle_steps import (
        step_summary as step_summary,
    )
    from agencyflow.services.plans.cycles import (
        start as start,
    )
    from agencyflow.services.plans.cycles import (
        start_plan as start_plan,
    )
    from agencyflow.services.plans.diff import (
        diff as diff_plans,
    )
    from agencyflow.services.plans.migrate import (
        MigrationReport as MigrationReport,
    )
    from agencyflow.services.plans.migrate import (
        migrate as migrate_cycle,
    )
    from agencyflow.services.plans.migrate_report import (
        as_data as as_data,
    )
    from agencyflow.services.plans.migrate_report import (
        lines as migration_report_lines,
    )
    from agencyflow.services.plans.store import (
        ensure_loaded as ensure_loaded,
    )
    from agencyflow.services.plans.store import (
        is_file_ref as is_file_ref,
    )
    from agencyflow.services.plans.store import (
        latest as latest,
    )
    from agencyflow.services.plans.store import (
        list_versions as list_versions,
    )
    from agencyflow.services.plans.store import (
        read_source as read_source,
    )
    from agencyflow.services.plans.store import (
        spec_named as spec_named,
    )
    from agencyflow.services.plans.store import (
        spec_of as spec_of,
    )
    from agencyflow.services.plans.store import (
        store as store_plan,
    )
    from agencyflow.services.plans.successors import (
        read_map as read_map,
    )
    from agencyflow.services.plans.timeline import (
        lines as lines,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
