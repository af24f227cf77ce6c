"""How a capability package publishes its public names without importing its submodules.

Each package of :mod:`agencyflow.services` (``plans``, ``cycles``, ``assignments``, ``board``,
``reminders``, ``delivery``, ``audit``, ``people``, ``products``, ``reports``, ``sheets``,
``database``) is the one module the entry points (CLI, web, API, flows, tasks, demo) call: its
``__init__`` holds a table *public name → (submodule, name)* and resolves a name on first use
(PEP 562), so ``from agencyflow.services import assignments`` costs nothing until
``assignments.complete`` is called — the CLI's cold start imports only what the command runs.
The import contracts in ``pyproject.toml`` keep the entry points off the submodules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, tuple[str, str]]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` publishing ``exports``."""

    def __getattr__(name: str) -> Any:
        # Not cached: the submodule's attribute is read each time, as ``module.name`` would be.
        try:
            module, attr = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        return getattr(importlib.import_module(f"{package}.{module}"), attr)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
