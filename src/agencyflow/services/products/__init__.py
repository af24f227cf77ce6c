"""The OCOP product registry: rated products and their certificates, imports of products rated
before agencyflow, and the re-evaluation opened before a certificate expires.

- :mod:`.registry`: products entering the registry from evaluation outputs, reads, and the
  registry's products as target inputs;
- :mod:`.imports`: ``agencyflow products import FILE`` (CSV or .xlsx), all or nothing;
- :mod:`.reevaluation`: the sweep's part — open a re-evaluation for the producer's commune.
"""

# --- public names: _EXPORTS, __all__ and the TYPE_CHECKING imports say the same (tested) ---
from typing import TYPE_CHECKING

from agencyflow.services._public import lazy_exports

#: Public name -> (submodule, name in it); a submodule is imported on first use only.
_EXPORTS: dict[str, tuple[str, str]] = {
    "import_file": ("imports", "import_file"),
    "product": ("registry", "product"),
    "products": ("registry", "products"),
    "status": ("registry", "status"),
}
__all__ = [
    "import_file",
    "product",
    "products",
    "status",
]
if TYPE_CHECKING:  # what mypy sees (and checks every caller against)
    from agencyflow.services.products.imports import (
        import_file as import_file,
    )
    from agencyflow.services.products.registry import (
        product as product,
    )
    from agencyflow.services.products.registry import (
        products as products,
    )
    from agencyflow.services.products.registry import (
        status as status,
    )
else:  # what runs: each name imported from its submodule on first use
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
