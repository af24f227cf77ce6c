"""Database: engines, a unit of work (``session_scope``), schema migrations, the errors a
request answers (``OperationalError``: unavailable, ``IntegrityError``: a write conflict), a
health check (``ping``) and the row types the entry points handle — the only way the CLI and
the web reach the database and the models."""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "ApiToken": ("wiring", "ApiToken"),
    "Assignment": ("wiring", "Assignment"),
    "Engine": ("wiring", "Engine"),
    "IntegrityError": ("wiring", "IntegrityError"),
    "OperationalError": ("wiring", "OperationalError"),
    "PlanVersion": ("wiring", "PlanVersion"),
    "Product": ("wiring", "Product"),
    "Session": ("wiring", "Session"),
    "current_revision": ("schema", "current_revision"),
    "data_path": ("schema", "data_path"),
    "dumps": ("wiring", "dumps"),
    "engine_from_settings": ("wiring", "engine_from_settings"),
    "head_revision": ("schema", "head_revision"),
    "make_engine": ("schema", "make_engine"),
    "make_url": ("wiring", "make_url"),
    "ping": ("wiring", "ping"),
    "session_scope": ("wiring", "session_scope"),
    "upgrade": ("schema", "upgrade"),
}
__all__ = [
    "ApiToken",
    "Assignment",
    "Engine",
    "IntegrityError",
    "OperationalError",
    "PlanVersion",
    "Product",
    "Session",
    "current_revision",
    "data_path",
    "dumps",
    "engine_from_settings",
    "head_revision",
    "make_engine",
    "make_url",
    "ping",
    "session_scope",
    "upgrade",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.database.schema import (
        current_revision as current_revision,
    )
    from agencyflow.services.database.schema import (
        data_path as data_path,
    )
    from agencyflow.services.database.schema import (
        head_revision as head_revision,
    )
    from agencyflow.services.database.schema import (
        make_engine as make_engine,
    )
    from agencyflow.services.database.schema import (
        upgrade as upgrade,
    )
    from agencyflow.services.database.wiring import (
        ApiToken as ApiToken,
    )
    from agencyflow.services.database.wiring import (
        Assignment as Assignment,
    )
    from agencyflow.services.database.wiring import (
        Engine as Engine,
    )
    from agencyflow.services.database.wiring import (
        IntegrityError as IntegrityError,
    )
    from agencyflow.services.database.wiring import (
        OperationalError as OperationalError,
    )
    from agencyflow.services.database.wiring import (
        PlanVersion as PlanVersion,
    )
    from agencyflow.services.database.wiring import (
        Product as Product,
    )
    from agencyflow.services.database.wiring import (
        Session as Session,
    )
    from agencyflow.services.database.wiring import (
        dumps as dumps,
    )
    from agencyflow.services.database.wiring import (
        engine_from_settings as engine_from_settings,
    )
    from agencyflow.services.database.wiring import (
        make_url as make_url,
    )
    from agencyflow.services.database.wiring import (
        ping as ping,
    )
    from agencyflow.services.database.wiring import (
        session_scope as session_scope,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
