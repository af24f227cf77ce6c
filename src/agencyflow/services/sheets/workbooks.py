"""Opening a workbook that someone hands in, checked before openpyxl reads it (pure reading).

A size limit, a real zip, a bounded unpacked size (a zip bomb is refused) and an Excel workbook
inside: anything else is a :class:`~agencyflow.errors.ValidationError` that says what is wrong,
never a parser's traceback.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from agencyflow.errors import ValidationError

#: Largest file accepted, and unpacked size accepted.
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024


def open_workbook(path: Path) -> Any:
    """The workbook (read-only, values), or a ValidationError that says what is wrong."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read the file: {exc.strerror}") from None
    if size > MAX_BYTES:
        raise ValidationError(f"{name}: {size:,} bytes is more than the {MAX_BYTES:,} a "
                              "progress sheet may have")
    if not zipfile.is_zipfile(path):
        raise ValidationError(f"{name}: not an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
            if unpacked > MAX_UNPACKED:
                raise ValidationError(f"{name}: unpacks to {unpacked:,} bytes (more than "
                                      f"{MAX_UNPACKED:,}): refused")
            if "xl/workbook.xml" not in z.namelist():
                raise ValidationError(f"{name}: a zip file, but not an Excel workbook (.xlsx)")
        from openpyxl import load_workbook

        return load_workbook(path, read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file, said plainly
        raise ValidationError(f"{name}: not a readable Excel workbook "
                              f"({type(exc).__name__}: {str(exc)[:200]})") from None
