"""Delivery: the dispatcher that sends the outbox, digests, rendering contexts, the real
adapters."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "DispatchResult": ("dispatch", "DispatchResult"),
    "RendererFactory": ("dispatch", "RendererFactory"),
    "agency_tags": ("outbox", "agency_tags"),
    "calendar": ("wiring", "calendar"),
    "check_channels": ("outbox", "check_channels"),
    "counts": ("outbox", "counts"),
    "dispatch_outbox": ("dispatch", "dispatch"),
    "engine": ("wiring", "engine"),
    "list_notifications": ("outbox", "list_notifications"),
    "notifier": ("wiring", "notifier"),
    "renderer_factory": ("wiring", "renderer_factory"),
    "retry_as": ("outbox", "retry_as"),
    "settings_for": ("wiring", "settings_for"),
    "worker_id": ("wiring", "worker_id"),
}
__all__ = [
    "DispatchResult",
    "RendererFactory",
    "agency_tags",
    "calendar",
    "check_channels",
    "counts",
    "dispatch_outbox",
    "engine",
    "list_notifications",
    "notifier",
    "renderer_factory",
    "retry_as",
    "settings_for",
    "worker_id",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.delivery.dispatch import (
        DispatchResult as DispatchResult,
    )
    from agencyflow.services.delivery.dispatch import (
        RendererFactory as RendererFactory,
    )
    from agencyflow.services.delivery.dispatch import (
        dispatch as dispatch_outbox,
    )
    from agencyflow.services.delivery.outbox import (
        agency_tags as agency_tags,
    )
    from agencyflow.services.delivery.outbox import (
        check_channels as check_channels,
    )
    from agencyflow.services.delivery.outbox import (
        counts as counts,
    )
    from agencyflow.services.delivery.outbox import (
        list_notifications as list_notifications,
    )
    from agencyflow.services.delivery.outbox import (
        retry_as as retry_as,
    )
    from agencyflow.services.delivery.wiring import (
        calendar as calendar,
    )
    from agencyflow.services.delivery.wiring import (
        engine as engine,
    )
    from agencyflow.services.delivery.wiring import (
        notifier as notifier,
    )
    from agencyflow.services.delivery.wiring import (
        renderer_factory as renderer_factory,
    )
    from agencyflow.services.delivery.wiring import (
        settings_for as settings_for,
    )
    from agencyflow.services.delivery.wiring import (
        worker_id as worker_id,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
