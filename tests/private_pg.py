"""A PostgreSQL server of the test's own, which the test may restart or stop.

The shared server at 127.0.0.1:5432 serves every other test; restarting it would break them.
This one is a fresh cluster (``initdb``) in a temporary directory, owned by the ``postgres``
system user, on a free loopback port, with trust authentication. It fails loudly when the
PostgreSQL server binaries are missing: the test is never skipped.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.sinks import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise AssertionError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found[-1]


class PrivatePostgres:
    """``start()``, ``restart()``, ``stop()``; ``url(db)`` for SQLAlchemy (psycopg)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="af-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres([_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                           "--no-sync", "-E", "UTF8"])

    def _as_postgres(self, args: list[str]) -> None:
        command = args if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {done.stderr or done.stdout}")

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres([_bin("pg_ctl"), action, "-D", str(self.data), "-w", "-t", "60",
                           "-l", str(self.root / "log"), "-o", options, *extra])

    def start(self) -> PrivatePostgres:
        """Start the server and wait until it accepts connections."""
        self._ctl("start")
        return self

    def restart(self) -> None:
        """Restart at once: every connection is cut (``-m fast``), as after a crash or failover."""
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        """Stop the server and remove its files."""
        try:
            self._ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for ``database`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"
