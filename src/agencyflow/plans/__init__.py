"""Plan files bundled with agencyflow (read with :mod:`importlib.resources`, never from the CWD).

A bundled plan's key is its file name without ``.yaml``; ``kim-thanh-ocop`` is the Kim Thành
district OCOP plan. Load one with ``load_plan_text(*bundled_plan_text(key))``.
"""

from __future__ import annotations

import re
from importlib import resources

from agencyflow.errors import NotFound

#: Suffix of a bundled plan file.
SUFFIX = ".yaml"
_KEY = re.compile(r"^[a-z0-9-]+$")


def bundled_plan_keys() -> list[str]:
    """Keys of the bundled plans, sorted."""
    root = resources.files(__name__)
    return sorted(
        entry.name.removesuffix(SUFFIX)
        for entry in root.iterdir()
        if entry.name.endswith(SUFFIX) and _KEY.match(entry.name.removesuffix(SUFFIX))
    )


def bundled_plan_text(key: str) -> tuple[str, str]:
    """``(text, display path)`` of the bundled plan ``key``; :class:`NotFound` if there is none."""
    if not _KEY.match(key) or key not in bundled_plan_keys():
        known = ", ".join(bundled_plan_keys()) or "none"
        raise NotFound(f"no bundled plan {key!r} (bundled: {known})")
    name = f"{key}{SUFFIX}"
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return text, f"agencyflow/plans/{name}"
