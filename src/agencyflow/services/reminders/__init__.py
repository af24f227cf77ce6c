"""Reminders: the sweep that writes due notices to the outbox, and the notices use cases write."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "EVENT_KINDS": ("event_notices", "EVENT_KINDS"),
    "SweepResult": ("sweeps", "SweepResult"),
    "due_by_agency": ("sweeps", "due_by_agency"),
    "needing_attention": ("attention", "needing_attention"),
    "preview": ("sweeps", "preview"),
    "sweep": ("sweeps", "sweep"),
}
__all__ = [
    "EVENT_KINDS",
    "SweepResult",
    "due_by_agency",
    "needing_attention",
    "preview",
    "sweep",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.reminders.attention import (
        needing_attention as needing_attention,
    )
    from agencyflow.services.reminders.event_notices import (
        EVENT_KINDS as EVENT_KINDS,
    )
    from agencyflow.services.reminders.sweeps import (
        SweepResult as SweepResult,
    )
    from agencyflow.services.reminders.sweeps import (
        due_by_agency as due_by_agency,
    )
    from agencyflow.services.reminders.sweeps import (
        preview as preview,
    )
    from agencyflow.services.reminders.sweeps import (
        sweep as sweep,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
