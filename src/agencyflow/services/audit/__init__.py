"""The audit trail: appending and verifying the hash chain, and checkpoints kept outside the
database."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "EXPORT_FIELDS": ("trail", "EXPORT_FIELDS"),
    "append_checkpoint": ("anchor", "append_to_file"),
    "check_checkpoints": ("anchor", "check"),
    "export": ("trail", "export"),
    "exported": ("trail", "exported"),
    "head": ("trail", "head"),
    "log": ("trail", "log"),
    "read_checkpoints": ("anchor", "read_file"),
    "send_checkpoint": ("anchor", "send"),
    "take_checkpoint": ("anchor", "take"),
    "verify": ("trail", "verify"),
    "verify_export": ("trail", "verify_export"),
}
__all__ = [
    "EXPORT_FIELDS",
    "append_checkpoint",
    "check_checkpoints",
    "export",
    "exported",
    "head",
    "log",
    "read_checkpoints",
    "send_checkpoint",
    "take_checkpoint",
    "verify",
    "verify_export",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.audit.anchor import (
        append_to_file as append_checkpoint,
    )
    from agencyflow.services.audit.anchor import (
        check as check_checkpoints,
    )
    from agencyflow.services.audit.anchor import (
        read_file as read_checkpoints,
    )
    from agencyflow.services.audit.anchor import (
        send as send_checkpoint,
    )
    from agencyflow.services.audit.anchor import (
        take as take_checkpoint,
    )
    from agencyflow.services.audit.trail import (
        EXPORT_FIELDS as EXPORT_FIELDS,
    )
    from agencyflow.services.audit.trail import (
        export as export,
    )
    from agencyflow.services.audit.trail import (
        exported as exported,
    )
    from agencyflow.services.audit.trail import (
        head as head,
    )
    from agencyflow.services.audit.trail import (
        log as log,
    )
    from agencyflow.services.audit.trail import (
        verify as verify,
    )
    from agencyflow.services.audit.trail import (
        verify_export as verify_export,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
