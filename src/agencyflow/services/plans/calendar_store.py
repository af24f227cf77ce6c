"""The working-day calendar of a process, with its computed table cached on disk.

Building the table imports the ``holidays`` package (which loads every country, ~0.3 s) and
computes 26 years of Vietnamese holidays; interactive commands like ``agencyflow board`` would pay
that on every run. The table is cached as JSON in ``<data dir>/cache/``, keyed by the holidays
package version, the year range and the override file's bytes, so a new package version or an
edited override file builds a fresh one. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from agencyflow.domain.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    OVERRIDES_MAX_BYTES,
    WorkingCalendar,
    load_overrides,
)
from agencyflow.domain.files import FileRefused, read_bounded

if TYPE_CHECKING:  # at run time any object with these two attributes will do
    from agencyflow.config import Settings
    from agencyflow.locations import Locations

#: Bump when the cached table's shape changes.
FORMAT = 1


def _key(overrides: Path | None) -> str:
    digest = hashlib.sha256(f"{FORMAT}|{version('holidays')}|{FIRST_YEAR}-{LAST_YEAR}|".encode())
    if overrides is not None:
        try:
            digest.update(read_bounded(overrides, OVERRIDES_MAX_BYTES))
        except FileRefused:
            digest.update(b"unreadable")  # load_overrides says why, naming the file
    return digest.hexdigest()[:20]


@lru_cache(maxsize=4)
def cached_calendar(cache_dir: Path, overrides: Path | None = None) -> WorkingCalendar:
    """The calendar with ``overrides`` applied, from the cache in ``cache_dir`` when possible."""
    ov = load_overrides(overrides) if overrides is not None else None
    path = cache_dir / f"calendar-{_key(overrides)}.json"
    try:
        return WorkingCalendar.from_table(json.loads(path.read_text(encoding="utf-8")), ov)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    calendar = WorkingCalendar(FIRST_YEAR, LAST_YEAR, overrides=ov)
    _write(path, calendar)
    return calendar


def _write(path: Path, calendar: WorkingCalendar) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".calendar-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(calendar.table(), out, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only data directory only costs the rebuild next time


def calendar_for(settings: Settings | Locations) -> WorkingCalendar:
    """The calendar of ``settings``: its override file, cached under its data directory.

    :class:`~agencyflow.locations.Locations` (read without pydantic) serves as well as Settings.
    """
    return cached_calendar(settings.data_dir / "cache", settings.calendar_overrides)
