"""Evidence: files stored content-addressed by SHA-256, and links.

A file is copied to ``<evidence_dir>/<aa>/<sha256>`` (``aa`` = the first two hex digits), so the
same content is stored once whoever attaches it and under whatever name. What is refused, with a
clear :class:`~agencyflow.errors.ValidationError`:

- a file over ``max_bytes`` (checked while reading, so a file growing meanwhile is caught too);
- anything that is not a regular file: a symlink (opened with ``O_NOFOLLOW``), a directory, a
  device or a FIFO;
- system files, wherever a path leads once every symbolic link is resolved: the pseudo-file
  systems ``/proc``, ``/sys`` and ``/dev`` (their files look regular: ``/proc/self/environ`` is the
  process environment, tokens included) and the system directories of :data:`SYSTEM_DIRS`
  (``/etc``, ``/run`` …);
- a file not owned by the invoking user, or that they cannot read;
- path tricks: a ``..`` component, a NUL byte, and stored names other than a plain basename (no
  separators, no control characters, not ``.`` or ``..``);
- links that are not ``http(s)://host/…`` URLs.

The file is written to a temporary name and renamed into place, so a reader never sees half a
file. A file stored by a transaction that then rolls back stays on disk; being addressed by its
content it is harmless and is reused by the next attachment of the same content.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow import storage
from agencyflow.domain import files
from agencyflow.domain.outputs import check_link
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.models import Evidence

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    """A file in the evidence store: its hash, size and the (basename) name it was given."""

    sha256: str
    size: int
    filename: str


def content_type_of(filename: str) -> str:
    """The media type a file named ``filename`` is stored and served with: from its name (the
    content is never sniffed, an uploader's claimed type never trusted), else
    ``application/octet-stream``."""
    return mimetypes.guess_type(filename, strict=True)[0] or "application/octet-stream"


def safe_name(name: str) -> str:
    """``name`` if it is a plain file name; ValidationError naming the trick otherwise."""
    if not name or name in (".", ".."):
        raise ValidationError(_("evidence file name {name} is not a file name").format(
            name=repr(name)))
    if "\x00" in name or "/" in name or "\\" in name:
        raise ValidationError(_("evidence file name {name} contains a path separator or NUL")
                              .format(name=repr(name)))
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValidationError(_("evidence file name {name} contains control characters").format(
            name=repr(name)))
    if len(name.encode("utf-8")) > 255:
        raise ValidationError(_("evidence file name is longer than 255 bytes"))
    return name


def blob_path(evidence_dir: Path, sha256: str) -> Path:
    """Where the content with ``sha256`` is stored."""
    return evidence_dir / sha256[:2] / sha256


#: Where no evidence comes from: the kernel's and the system's own files (``/proc/self/environ``
#: holds the process environment, tokens included; ``/etc`` the system's configuration).
SYSTEM_DIRS = ("/proc", "/sys", "/dev", "/run", "/etc", "/boot", "/var/run", "/var/lib",
               "/var/log")
#: Pseudo-file systems, also refused wherever they are mounted (their files look regular).
_PSEUDO_MOUNTS = ("/proc", "/sys", "/dev")


def _open_regular(path: Path) -> int:
    """Open ``path`` for reading: a regular file owned by the invoking user, outside the
    system's directories, reached without a symbolic link as its last component."""
    text = str(path)
    if "\x00" in text:
        raise ValidationError(_("evidence path {path} contains a NUL byte").format(
            path=repr(text)))
    if ".." in path.parts:
        raise ValidationError(_("evidence path {path} contains '..': give a direct path").format(
            path=text))
    try:
        fd = os.open(text, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if Path(text).is_symlink():
            raise ValidationError(_("evidence {path} is a symbolic link: give the file itself")
                                  .format(path=text)) from None
        raise ValidationError(_("cannot read evidence {path}: {reason}").format(
            path=text, reason=files.reason(exc))) from None
    try:
        _check_opened(fd, text)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_opened(fd: int, text: str) -> None:
    """ValidationError unless the open ``fd`` is a regular file the user owns, outside the
    system directories and pseudo-file systems once every symbolic link is resolved."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError(_("evidence {path} is not a regular file").format(path=text))
    real = os.path.realpath(text)
    system = next((d for d in SYSTEM_DIRS if real == d or real.startswith(d + "/")), None)
    if system is not None or info.st_dev in _pseudo_devices():
        where = system or _("a pseudo-file system")
        raise ValidationError(_("evidence {path} is a system file ({real} is in {where}): "
                                "attach your own documents only").format(
                                    path=text, real=real, where=where))
    try:
        same = os.stat(real)
    except OSError:
        same = None
    if same is None or (same.st_dev, same.st_ino) != (info.st_dev, info.st_ino):
        raise ValidationError(_("evidence {path} changed while it was opened: try again")
                              .format(path=text))
    if info.st_uid != os.geteuid():
        raise ValidationError(_("evidence {path} belongs to another user (uid {uid}): attach a "
                                "file of your own (copy it first)").format(
                                    path=text, uid=info.st_uid))


def _pseudo_devices() -> set[int]:
    devices = set()
    for mount in _PSEUDO_MOUNTS:
        try:
            devices.add(os.stat(mount).st_dev)
        except OSError:
            continue
    return devices


def store_path(path: Path, *, evidence_dir: Path, max_bytes: int) -> StoredFile:
    """Copy the regular file at ``path`` into the store; return its hash, size and name."""
    name = safe_name(path.name)
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as src:
        return _store_stream(src, name, evidence_dir=evidence_dir, max_bytes=max_bytes)


def store_bytes(data: bytes, filename: str, *, evidence_dir: Path, max_bytes: int) -> StoredFile:
    """Store ``data`` (an upload) named ``filename`` (must be a plain basename)."""
    name = safe_name(filename)
    return _store_stream(io.BytesIO(data), name, evidence_dir=evidence_dir, max_bytes=max_bytes)


def _store_stream(src: BinaryIO, name: str, *, evidence_dir: Path, max_bytes: int
                  ) -> StoredFile:
    """Copy ``src`` to a temporary file while hashing it, then rename it to its address.

    A full, read-only or unwritable evidence directory is a StorageError; the temporary file is
    removed, so nothing half-written stays (and the caller's transaction rolls back)."""
    try:
        evidence_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=evidence_dir, prefix=".tmp-")
    except OSError as exc:
        raise _write_failed(exc, evidence_dir, name) from None
    try:
        with os.fdopen(fd, "wb") as out:
            digest, size = _copy(src, out, name, max_bytes)
            out.flush()
            os.fsync(out.fileno())
        target = blob_path(evidence_dir, digest)
        target.parent.mkdir(exist_ok=True)
        if target.is_file():
            Path(tmp).unlink()
        else:
            os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_failed(exc, evidence_dir, name) from None
        raise
    return StoredFile(digest, size, name)


def _write_failed(exc: OSError, evidence_dir: Path, name: str) -> Exception:
    """What to raise for a failed write of evidence ``name``: a StorageError for a full,
    read-only or unwritable disk, else ``exc`` itself."""
    what = _("evidence {name}").format(name=name)
    return storage.file_error(exc, where=evidence_dir, what=what) or exc


def _copy(src: BinaryIO, out: BinaryIO, name: str, max_bytes: int) -> tuple[str, int]:
    """Copy and hash, refusing more than ``max_bytes``; return (sha256, size)."""
    digest, size = hashlib.sha256(), 0
    while chunk := src.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise ValidationError(_("evidence {name} is over the size limit of {max} bytes")
                                  .format(name=name, max=max_bytes))
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest(), size


def check_links(links: Sequence[str]) -> list[str]:
    """The links, validated (http or https only)."""
    try:
        return [check_link(link) for link in links]
    except ValueError as exc:
        raise ValidationError(_("evidence link: {problem}").format(problem=exc)) from None


def attach(session: Session, *, assignment_id: int, files: Sequence[Path], links: Sequence[str],
           added_by: str, now: datetime, evidence_dir: Path, max_bytes: int,
           contribution_id: int | None = None) -> list[dict[str, Any]]:
    """Store ``files`` and add evidence rows for them and ``links``; return what was added.

    Content already attached to the assignment (same hash, or the same link) is not added twice.
    """
    checked = check_links(links)
    stored = [store_path(Path(p), evidence_dir=evidence_dir, max_bytes=max_bytes) for p in files]
    have = _existing(session, assignment_id)
    added: list[dict[str, Any]] = []
    for item in stored:
        if item.sha256 not in have:
            have.add(item.sha256)
            session.add(Evidence(assignment_id=assignment_id, contribution_id=contribution_id,
                                 sha256=item.sha256, filename=item.filename, size=item.size,
                                 content_type=content_type_of(item.filename),
                                 added_by=added_by, added_at=now))
            added.append({"sha256": item.sha256, "filename": item.filename, "size": item.size})
    for link in checked:
        if link not in have:
            have.add(link)
            session.add(Evidence(assignment_id=assignment_id, contribution_id=contribution_id,
                                 link=link, added_by=added_by, added_at=now))
            added.append({"link": link})
    session.flush()
    return added


def _existing(session: Session, assignment_id: int) -> set[str]:
    rows = session.execute(select(col(Evidence.sha256), col(Evidence.link))
                           .where(col(Evidence.assignment_id) == assignment_id))
    return {value for row in rows for value in row if value}


def list_for(session: Session, assignment_id: int) -> list[Evidence]:
    """Evidence of an assignment, oldest first."""
    stmt = (select(Evidence).where(col(Evidence.assignment_id) == assignment_id)
            .order_by(col(Evidence.id)))
    return list(session.execute(stmt).scalars())
