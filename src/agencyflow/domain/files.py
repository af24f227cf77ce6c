"""Reading a file a user names, within bounds: a regular file only, and at most so many bytes.

A device (``/dev/zero``), a FIFO, a socket or a directory is refused without reading from it
(opened with ``O_NONBLOCK``, so a FIFO without a writer does not block the open), and the size is
checked before reading and again while reading (a file growing meanwhile is caught too). Used for
plan files and the working-day override file.
"""

from __future__ import annotations

import os
import stat


class FileRefused(ValueError):
    """The file cannot be read, is not a regular file, or is larger than allowed; ``too_large``
    tells the last case apart (with ``size`` when known)."""

    def __init__(self, message: str, *, too_large: bool = False, size: int | None = None):
        super().__init__(message)
        self.too_large, self.size = too_large, size


def read_bounded(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``; FileRefused for anything else or too much."""
    try:
        fd = os.open(os.fspath(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as exc:
        raise FileRefused(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise FileRefused("not a regular file (a device, FIFO, socket or directory)")
    with os.fdopen(fd, "rb") as file:
        if info.st_size > max_bytes:
            raise FileRefused("too large", too_large=True, size=info.st_size)
        try:
            data = file.read(max_bytes + 1)
        except OSError as exc:
            raise FileRefused(f"cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise FileRefused("too large", too_large=True)
    return data
