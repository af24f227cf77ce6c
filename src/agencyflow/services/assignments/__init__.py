"""Assignment use cases: the moves of the lead and the coordinator, contributions, evidence,
extensions."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "FullPath": ("acts", "FullPath"),
    "MOVES": ("actions", "MOVES"),
    "Tx": ("rows", "Tx"),
    "approve": ("moves", "approve"),
    "authorise": ("actions", "authorise"),
    "available": ("actions", "available"),
    "cancel": ("moves", "cancel"),
    "complete": ("moves", "complete"),
    "contribute": ("contributions", "contribute"),
    "decide_extension": ("extensions", "decide_extension"),
    "evidence_file": ("actions", "evidence_file"),
    "list_requests": ("extension_queries", "list_requests"),
    "load": ("core", "load"),
    "notices_for": ("reads", "notices_for"),
    "pending_extensions": ("reads", "pending_extensions"),
    "pending_request": ("extensions", "pending_request"),
    "plan_agencies": ("actions", "plan_agencies"),
    "progress": ("moves", "progress"),
    "quick_complete": ("quick", "complete"),
    "quick_progress": ("quick", "progress"),
    "quick_start": ("quick", "start"),
    "quick_submit": ("quick", "submit"),
    "reassign": ("extensions", "reassign"),
    "reject": ("moves", "reject"),
    "request_extension": ("extensions", "request_extension"),
    "safe_name": ("evidence", "safe_name"),
    "show": ("views", "show"),  # the read model alone: it imports no SQLAlchemy
    "start": ("moves", "start"),
    "step_of": ("actions", "step_of"),
    "submit": ("moves", "submit"),
}
__all__ = [
    "FullPath",
    "MOVES",
    "Tx",
    "approve",
    "authorise",
    "available",
    "cancel",
    "complete",
    "contribute",
    "decide_extension",
    "evidence_file",
    "list_requests",
    "load",
    "notices_for",
    "pending_extensions",
    "pending_request",
    "plan_agencies",
    "progress",
    "quick_complete",
    "quick_progress",
    "quick_start",
    "quick_submit",
    "reassign",
    "reject",
    "request_extension",
    "safe_name",
    "show",
    "start",
    "step_of",
    "submit",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.assignments.actions import (
        MOVES as MOVES,
    )
    from agencyflow.services.assignments.actions import (
        authorise as authorise,
    )
    from agencyflow.services.assignments.actions import (
        available as available,
    )
    from agencyflow.services.assignments.actions import (
        evidence_file as evidence_file,
    )
    from agencyflow.services.assignments.actions import (
        plan_agencies as plan_agencies,
    )
    from agencyflow.services.assignments.actions import (
        step_of as step_of,
    )
    from agencyflow.services.assignments.acts import (
        FullPath as FullPath,
    )
    from agencyflow.services.assignments.contributions import (
        contribute as contribute,
    )
    from agencyflow.services.assignments.core import (
        load as load,
    )
    from agencyflow.services.assignments.evidence import (
        safe_name as safe_name,
    )
    from agencyflow.services.assignments.extension_queries import (
        list_requests as list_requests,
    )
    from agencyflow.services.assignments.extensions import (
        decide_extension as decide_extension,
    )
    from agencyflow.services.assignments.extensions import (
        pending_request as pending_request,
    )
    from agencyflow.services.assignments.extensions import (
        reassign as reassign,
    )
    from agencyflow.services.assignments.extensions import (
        request_extension as request_extension,
    )
    from agencyflow.services.assignments.moves import (
        approve as approve,
    )
    from agencyflow.services.assignments.moves import (
        cancel as cancel,
    )
    from agencyflow.services.assignments.moves import (
        complete as complete,
    )
    from agencyflow.services.assignments.moves import (
        progress as progress,
    )
    from agencyflow.services.assignments.moves import (
        reject as reject,
    )
    from agencyflow.services.assignments.moves import (
        start as start,
    )
    from agencyflow.services.assignments.moves import (
        submit as submit,
    )
    from agencyflow.services.assignments.quick import (
        complete as quick_complete,
    )
    from agencyflow.services.assignments.quick import (
        progress as quick_progress,
    )
    from agencyflow.services.assignments.quick import (
        start as quick_start,
    )
    from agencyflow.services.assignments.quick import (
        submit as quick_submit,
    )
    from agencyflow.services.assignments.reads import (
        notices_for as notices_for,
    )
    from agencyflow.services.assignments.reads import (
        pending_extensions as pending_extensions,
    )
    from agencyflow.services.assignments.rows import (
        Tx as Tx,
    )
    from agencyflow.services.assignments.views import (
        show as show,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
