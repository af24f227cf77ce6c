"""Full, read-only and unwritable disks, told as such: "no space left on …", never a traceback.

Two kinds of writes meet a disk: files (evidence, written by agencyflow itself, where the
``OSError`` says what happened) and the database (SQLite in the data directory, or a PostgreSQL
server). SQLite says "database or disk is full" when a write does not fit, but only "disk I/O
error" or "unable to open database file" when it cannot even create its journal files; then the
file system of the database's directory tells whether it is full or read-only. PostgreSQL reports
``disk_full`` (SQLSTATE 53100) and ``read_only_sql_transaction`` (25006).

Every function returns a :class:`~agencyflow.errors.StorageError` to raise, or None when the
error is something else. Nothing here imports SQLAlchemy or a driver.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from agencyflow.errors import StorageError
from agencyflow.i18n import _
from agencyflow.locations import masked_url

#: Free space below which a file system that failed a write is taken to be full.
LOW_SPACE = 1024 * 1024
_FULL = (errno.ENOSPC, errno.EDQUOT)
_DENIED = (errno.EACCES, errno.EPERM)
_SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
#: SQLite messages that a full or read-only file system can be behind.
_SQLITE_SYMPTOMS = ("disk i/o error", "unable to open database file", "readonly database")


def full(where: Path | str, what: str | None = None) -> StorageError:
    """No space left (for ``what``) on the file system holding ``where``."""
    if what:
        return StorageError(_("no space left on the device holding {where}: {what} was not "
                              "stored, nothing was written; free some space and try again"
                              ).format(where=where, what=what))
    return StorageError(_("no space left on the device holding {where}: nothing was written; "
                          "free some space and try again").format(where=where))


def read_only(where: Path | str, what: str | None = None) -> StorageError:
    """``where`` is on a read-only file system."""
    if what:
        return StorageError(_("{where} is on a read-only file system: {what} cannot be stored, "
                              "nothing was written").format(where=where, what=what))
    return StorageError(_("{where} is on a read-only file system: nothing was written"
                          ).format(where=where))


def file_error(exc: OSError, *, where: Path | str, what: str) -> StorageError | None:
    """The StorageError of a failed file write (None: ``exc`` is another problem)."""
    if exc.errno in _FULL:
        return full(where, what)
    if exc.errno == errno.EROFS:
        return read_only(where, what)
    if exc.errno in _DENIED:
        return StorageError(_("permission denied writing to {where}: {what} was not stored, "
                              "nothing was written").format(where=where, what=what))
    return None


def state(directory: Path) -> str | None:
    """"read-only" or "full" for the file system holding ``directory``, else None."""
    try:
        info = os.statvfs(directory)
    except OSError:
        return None
    if info.f_flag & os.ST_RDONLY:
        return "read-only"
    if info.f_bavail * info.f_frsize < LOW_SPACE:
        return "full"
    return None


def database_error(exc: BaseException, url: str) -> StorageError | None:
    """The StorageError behind a database error of ``url`` (None: it is another problem)."""
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None)
    what = None
    if sqlstate == "53100":
        return full(_("the database server of {url}").format(url=masked_url(url)), what)
    if sqlstate == "25006":
        return read_only(_("the database {url}").format(url=masked_url(url)), what)
    prefix = next((p for p in _SQLITE_PREFIXES if url.startswith(p)), None)
    if prefix is None or type(orig).__module__.split(".")[0] != "sqlite3":
        return None
    path = Path(url.removeprefix(prefix).split("?")[0])
    message = str(orig).lower()
    if "disk is full" in message:
        return full(path, what)
    if not any(symptom in message for symptom in _SQLITE_SYMPTOMS):
        return None
    found = state(path.parent)
    if found == "read-only":
        return read_only(_("the data directory {path}").format(path=path.parent), what)
    if found == "full":
        return full(path, what)
    if "readonly database" in message:
        return StorageError(_("the database {path} is not writable ({reason}): nothing was "
                              "written").format(path=path, reason=orig))
    return None
