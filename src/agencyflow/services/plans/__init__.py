"""Plans: loading and storing plan versions, reading cycles, the working-day calendar, the
successor maps and the timeline (starting and migrating a cycle is
:mod:`agencyflow.services.cycles`, above this one)."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "calendar_for": ("calendar_store", "calendar_for"),
    "diff_plans": ("diff", "diff"),
    "ensure_loaded": ("store", "ensure_loaded"),
    "find": ("cycle_queries", "find"),
    "is_file_ref": ("store", "is_file_ref"),
    "latest": ("store", "latest"),
    "lines": ("timeline", "lines"),
    "list_cycles": ("cycle_queries", "list_cycles"),
    "list_versions": ("store", "list_versions"),
    "read_map": ("successors", "read_map"),
    "read_source": ("store", "read_source"),
    "spec_named": ("store", "spec_named"),
    "spec_of": ("store", "spec_of"),
    "store_plan": ("store", "store"),
}
__all__ = [
    "calendar_for",
    "diff_plans",
    "ensure_loaded",
    "find",
    "is_file_ref",
    "latest",
    "lines",
    "list_cycles",
    "list_versions",
    "read_map",
    "read_source",
    "spec_named",
    "spec_of",
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
    from agencyflow.services.plans.diff import (
        diff as diff_plans,
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
