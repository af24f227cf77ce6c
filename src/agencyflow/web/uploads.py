"""Evidence uploads: each uploaded file is copied to a private temporary directory under its
(checked) file name and handed to the services as a path, so that the web applies exactly the
rules of the CLI (:mod:`agencyflow.services.assignments.evidence`: size limit, plain names, one
copy per
content). At most ``max_bytes + 1`` bytes of a file are copied: the service then refuses it
with its own message."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.datastructures import FormData, UploadFile

from agencyflow.services import assignments

_CHUNK = 1024 * 1024


@contextmanager
def uploaded(form: FormData, name: str, max_bytes: int) -> Iterator[list[Path]]:
    """The files of form field ``name`` as paths (removed afterwards)."""
    files = [f for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]
    with tempfile.TemporaryDirectory(prefix="agencyflow-upload-") as tmp:
        paths = []
        for i, upload in enumerate(files):
            filename = assignments.safe_name(Path(upload.filename or "").name or "file")
            folder = Path(tmp) / str(i)
            folder.mkdir()
            target = folder / filename
            _copy(upload, target, max_bytes + 1)
            paths.append(target)
        yield paths


def _copy(upload: UploadFile, target: Path, limit: int) -> None:
    copied = 0
    upload.file.seek(0)
    with target.open("wb") as out:
        while copied < limit and (chunk := upload.file.read(min(_CHUNK, limit - copied))):
            out.write(chunk)
            copied += len(chunk)
