"""Opening a workbook that someone hands in, checked before openpyxl reads it (pure reading).

A size limit, a real zip, a bounded unpacked size (a zip bomb is refused) and an Excel workbook
inside: anything else is a :class:`~agencyflow.errors.ValidationError` that says what is wrong,
never a parser's traceback.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from agencyflow.domain import files
from agencyflow.errors import ValidationError
from agencyflow.i18n import _

#: Largest file accepted, and unpacked size accepted.
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024


def open_workbook(path: Path) -> Any:
    """The workbook (read-only, values), or a ValidationError that says what is wrong."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError(_("{path}: cannot read the file: {reason}").format(
            path=path, reason=files.reason(exc))) from None
    if size > MAX_BYTES:
        raise ValidationError(_("{name}: {size} bytes is more than the {max} a progress sheet "
                                "may have").format(name=name, size=f"{size:,}",
                                                   max=f"{MAX_BYTES:,}"))
    if not zipfile.is_zipfile(path):
        raise ValidationError(_("{name}: not an Excel workbook (.xlsx)").format(name=name))
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
            if unpacked > MAX_UNPACKED:
                raise ValidationError(_("{name}: unpacks to {size} bytes (more than {max}): "
                                        "refused").format(name=name, size=f"{unpacked:,}",
                                                          max=f"{MAX_UNPACKED:,}"))
            if "xl/workbook.xml" not in z.namelist():
                raise ValidationError(_("{name}: a zip file, but not an Excel workbook (.xlsx)")
                                      .format(name=name))
        from openpyxl import load_workbook

        return load_workbook(path, read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file, said plainly
        raise ValidationError(_("{name}: not a readable Excel workbook ({problem})").format(
            name=name, problem=str(exc)[:200])) from None
