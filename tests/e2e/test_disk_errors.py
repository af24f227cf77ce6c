"""A full or read-only disk is a message, and nothing is half-written (issue 9, finding 7).

The disks are real: small tmpfs mounts (this suite runs as root; when a mount is impossible the
test fails, it never skips), filled with a filler file or remounted read-only, and always
unmounted. Evidence was ``OSError: No space left on device`` and a database write on a full disk
said ``ConfigError: cannot open the database``.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from agencyflow.config import get_settings
from agencyflow.models import Evidence
from tests.cli_helpers import Invoke, cli_for
from tests.e2e.test_cli_bounds import _people
from tests.lifecycle_plan import assignment_id, get, setup_cycle

AGENCYFLOW = Path(sys.executable).with_name("agencyflow")  # the installed console script


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` for the block (unmounted even on failure)."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                   check=True, capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True, capture_output=True)


def read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def fill(directory: Path, leave: int = 0) -> Path:
    """Fill the file system of ``directory`` up, then give back ``leave`` bytes."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while out.write(b"\0" * 4096):
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    if leave:
        os.truncate(filler, max(filler.stat().st_size - leave, 0))
    return filler


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``agencyflow ARGS`` in a fresh process on the embedded database in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENCYFLOW_")}
    env |= {"AGENCYFLOW_DATA_DIR": str(data_dir), "COLUMNS": "300", "AGENCYFLOW_LANGUAGE": "en"}
    return subprocess.run([str(AGENCYFLOW), *args], env=env, capture_output=True, text=True,
                          timeout=120)


def refused(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out, out
    for fragment in fragments:
        assert fragment in out, out


def test_the_database_on_a_full_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        data = disk / "data"
        assert run(data, "user", "list").returncode == 0  # creates and migrates the database
        db = data / "agencyflow.db"
        filler = fill(disk, leave=32 * 1024)  # room for a small write, not for a plan
        refused(run(data, "plan", "load", "kim-thanh-ocop"),
                f"Error: no space left on the device holding {db}: nothing was written")
        filler.unlink()
        fill(disk)  # not a byte left: SQLite cannot even open its journal files
        refused(run(data, "user", "add", "a.b", "--role", "coordinator", "--agency", "NN"),
                f"no space left on the device holding {db}")
        filler.unlink()
        assert "(bundled, not loaded yet)" in run(data, "plan", "list").stdout
        assert "a.b" not in run(data, "user", "list").stdout  # neither was half-stored
        assert run(data, "plan", "load", "kim-thanh-ocop").returncode == 0  # nothing was lost
        check = subprocess.run(["python3", "-c", "import sqlite3,sys; print(sqlite3.connect("
                                "sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
                                str(db)], capture_output=True, text=True, check=True)
        assert check.stdout.strip() == "ok"


def test_a_read_only_data_directory(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        data = disk / "data"
        assert run(data, "plan", "load", "kim-thanh-ocop").returncode == 0
        read_only(disk)
        refused(run(data, "user", "add", "a.b", "--role", "coordinator", "--agency", "NN"),
                f"the data directory {data} is on a read-only file system: nothing was written")
        refused(run(disk / "new", "board"),
                f"cannot create the data directory {disk / 'new'}: read-only file system")


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    monkeypatch.setenv("AGENCYFLOW_LANGUAGE", "en")  # the messages asserted are the English ids
    yield cli_for(engine, monkeypatch, tmp_path)
    get_settings.cache_clear()


def _evidence_rows(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Evidence)).scalar_one())


def test_evidence_on_a_full_and_on_a_read_only_disk(cli: Invoke, engine: Engine,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    setup_cycle(engine)
    _people(engine)
    pid = str(assignment_id(engine, "PLAN"))
    assert cli("assignment", "start", pid, "--as", "can.bo.nn").exit_code == 0
    proof = tmp_path / "bien-ban.pdf"
    proof.write_bytes(os.urandom(512 * 1024))  # twice the disk
    with tmpfs(tmp_path / "evidence", "256k") as store:
        monkeypatch.setenv("AGENCYFLOW_EVIDENCE_DIR", str(store))
        result = cli("assignment", "progress", pid, "--as", "can.bo.nn", "--note", "x",
                     "--evidence", str(proof))
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert (f"Error: no space left on the device holding {store}: evidence "
                "bien-ban.pdf was not stored, nothing was written") in result.output
        assert list(store.iterdir()) == []  # no half-written temporary file
        assert _evidence_rows(engine) == 0 and get(engine, int(pid)).version == 2
        read_only(store)
        result = cli("assignment", "progress", pid, "--as", "can.bo.nn", "--note", "x",
                     "--evidence", str(proof))
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert f"{store} is on a read-only file system: evidence bien-ban.pdf cannot be " \
            "stored" in result.output
        assert _evidence_rows(engine) == 0 and get(engine, int(pid)).version == 2


def test_an_export_to_a_full_device_is_a_message(cli: Invoke, engine: Engine) -> None:
    setup_cycle(engine)
    _people(engine)
    result = cli("audit", "export", "--format", "jsonl", "--output", "/dev/full", "--as",
                 "dieu.phoi")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "no space left on the device holding /dev/full: the export was not stored" \
        in result.output
