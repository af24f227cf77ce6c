"""Processes of a test, found by a mark in their environment (``AGENCYFLOW_TEST_MARK``).

A process started with the mark passes it on to every process it starts (a Prefect worker to its
flow-run processes, a dispatcher to its apprise worker processes and multiprocessing's resource
tracker), so a test can ask which of them are still alive after a ``kill -9``.
"""

from __future__ import annotations

from pathlib import Path

MARK = "AGENCYFLOW_TEST_MARK"


def marked(mark: str) -> list[int]:
    """Pids of live (not zombie) processes whose environment carries ``mark``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if f"{MARK}={mark}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def parent_of(pid: int) -> int:
    """The parent pid of ``pid`` (from /proc; OSError when it is gone)."""
    return int((Path("/proc") / str(pid) / "stat").read_text().split(") ", 1)[1].split()[1])
