"""Reading a file a user names, within bounds: a regular file only, and at most so many bytes.

A device (``/dev/zero``), a FIFO, a socket or a directory is refused without reading from it
(opened with ``O_NONBLOCK``, so a FIFO without a writer does not block the open), and the size is
checked before reading and again while reading (a file growing meanwhile is caught too). Used for
plan files and the working-day override file.
"""

from __future__ import annotations

import errno
import os
import stat

from agencyflow.i18n import N_, _

#: What the operating system says of a file it cannot open, in words (its own ``strerror`` is
#: English whatever the language).
_REASONS = {
    errno.ENOENT: N_("no such file or directory"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.EISDIR: N_("it is a directory"),
    errno.ENOTDIR: N_("a part of the path is not a directory"),
    errno.ELOOP: N_("too many symbolic links"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EROFS: N_("read-only file system"),
    errno.ENOSPC: N_("no space left on the device"),
}


def reason(exc: BaseException) -> str:
    """Why a file could not be read or written, in the current language (the system's own
    words for an error the table does not know)."""
    code = getattr(exc, "errno", None)
    known = _REASONS.get(code) if isinstance(code, int) else None
    return _(known) if known else (getattr(exc, "strerror", None) or str(exc))


class FileRefused(ValueError):
    """The file cannot be read, is not a regular file, or is larger than allowed; ``too_large``
    tells the last case apart (with ``size`` when known), ``regular`` False the one before."""

    def __init__(self, message: str, *, too_large: bool = False, size: int | None = None,
                 regular: bool = True):
        super().__init__(message)
        self.too_large, self.size, self.regular = too_large, size, regular


def read_bounded(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``; FileRefused for anything else or too much."""
    try:
        fd = os.open(os.fspath(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as exc:
        raise FileRefused(_("cannot read: {reason}").format(reason=reason(exc))) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise FileRefused(_("not a regular file (a device, FIFO, socket or directory)"),
                          regular=False)
    with os.fdopen(fd, "rb") as file:
        if info.st_size > max_bytes:
            raise FileRefused(_("too large"), too_large=True, size=info.st_size)
        try:
            data = file.read(max_bytes + 1)
        except OSError as exc:
            raise FileRefused(_("cannot read: {reason}").format(reason=reason(exc))) from None
    if len(data) > max_bytes:
        raise FileRefused(_("too large"), too_large=True)
    return data
