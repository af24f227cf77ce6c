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


#: Where bundled amendments live: ``amendments/<name>.yaml`` (a new version of a bundled plan)
#: and, beside it, ``amendments/<name>.successors.yaml`` (its successor map).
AMENDMENTS = "amendments"
_SUCCESSORS = ".successors.yaml"


def amendment_names() -> list[str]:
    """Names of the bundled amendments, sorted (e.g. ``kim-thanh-ocop-2025-07``)."""
    root = resources.files(__name__).joinpath(AMENDMENTS)
    if not root.is_dir():
        return []
    return sorted(entry.name.removesuffix(SUFFIX) for entry in root.iterdir()
                  if entry.name.endswith(SUFFIX) and not entry.name.endswith(_SUCCESSORS)
                  and _KEY.match(entry.name.removesuffix(SUFFIX)))


def amendment_text(name: str, *, successors: bool = False) -> tuple[str, str]:
    """``(text, display path)`` of the bundled amendment ``name`` (its plan, or with
    ``successors`` its successor map); :class:`NotFound` if there is none."""
    if name not in amendment_names():
        known = ", ".join(amendment_names()) or "none"
        raise NotFound(f"no bundled amendment {name!r} (bundled: {known})")
    file = f"{name}{_SUCCESSORS if successors else SUFFIX}"
    entry = resources.files(__name__).joinpath(AMENDMENTS).joinpath(file)
    if not entry.is_file():
        raise NotFound(f"bundled amendment {name!r} has no successor map")
    return entry.read_text(encoding="utf-8"), f"agencyflow/plans/{AMENDMENTS}/{file}"
