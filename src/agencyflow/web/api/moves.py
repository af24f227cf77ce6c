"""How a move is carried out over HTTP: its body (JSON or multipart with evidence files),
``If-Match`` (the version the caller saw), ``Idempotency-Key`` (a retry is answered, not acted on
twice) and the answer with the assignment's ``ETag``. The rules themselves are the services'.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile

from agencyflow import errors
from agencyflow.domain.permissions import Actor
from agencyflow.i18n import _
from agencyflow.services import assignments, idempotency
from agencyflow.services.database import Session
from agencyflow.web.api.context import ApiContext
from agencyflow.web.api.problems import BadPrecondition, PreconditionFailed
from agencyflow.web.api.schemas import Schema
from agencyflow.web.api.texts import text

#: Most files one request may carry.
MAX_FILES = 20

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,18})"\s*$')


def etag(version: int) -> str:
    """The ETag of an assignment at ``version``."""
    return f'"{version}"'


def if_match(request: Request, lang: str) -> int | None:
    """The version named by ``If-Match`` (None when absent or ``*``)."""
    raw = request.headers.get("if-match")
    if raw is None or raw.strip() == "*":
        return None
    found = _ETAG.match(raw)
    if found is None:
        raise BadPrecondition(text("detail.if_match", lang))
    return int(found.group(1))


@dataclass
class MoveInput:
    """A move's parsed body, the hashes of its files, and the files saved for the services."""

    body: Schema
    files: list[Path] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)


async def parse_body(request: Request, model: type[Schema], max_bytes: int) -> MoveInput:
    """The body as ``model``: JSON, or multipart with a ``data`` part (the same JSON) and
    ``files`` parts (evidence, at most :data:`MAX_FILES`, each within ``max_bytes``)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return await _multipart(request, model, max_bytes)
    raw = await request.body()
    return MoveInput(_validate(model, raw or b"{}"))


def _validate(model: type[Schema], raw: bytes | str) -> Schema:
    try:
        return model.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err.get("loc", ()))} for err in exc.errors()]) from None


async def _multipart(request: Request, model: type[Schema], max_bytes: int) -> MoveInput:
    form = await request.form(max_files=MAX_FILES, max_fields=20)
    data = form.get("data")
    body = _validate(model, data if isinstance(data, str) and data.strip() else "{}")
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if any(not isinstance(f, UploadFile) for f in form.getlist("files")):
        raise errors.ValidationError(_("files: send each evidence file as a file part"))
    saved = MoveInput(body)
    folder = Path(tempfile.mkdtemp(prefix="agencyflow-upload-"))
    request.state.upload_dir = folder
    for i, upload in enumerate(uploads):
        name = assignments.safe_name(upload.filename or "")
        target = folder / str(i) / name
        target.parent.mkdir()
        saved.digests.append(await _save(upload, target, max_bytes))
        saved.files.append(target)
    return saved


async def _save(upload: UploadFile, target: Path, max_bytes: int) -> str:
    import hashlib

    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while chunk := await upload.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise errors.ValidationError(
                    _("evidence {name} is over the size limit of {max} bytes").format(
                        name=target.name, max=max_bytes))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def cleanup(request: Request) -> None:
    """Remove the request's saved uploads (the evidence store keeps its own copy)."""
    folder = getattr(request.state, "upload_dir", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Answer:
    """What a move answers: status, JSON body and the assignment's version (the ETag)."""

    status: int
    body: dict[str, Any]
    version: int | None


def respond(status: int, body: str, version_etag: str | None, replayed: bool = False
            ) -> Response:
    """The HTTP response of an answer (stored or fresh)."""
    headers = {"ETag": version_etag} if version_etag else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(body, status_code=status, media_type="application/json", headers=headers)


@contextmanager
def stale_as_412(expected: int | None, assignment_id: int, lang: str) -> Iterator[None]:
    """A conflict on a request that named its version is a failed precondition (412)."""
    try:
        yield
    except errors.ConflictError as exc:
        if expected is None or isinstance(exc, PreconditionFailed):
            raise
        raise PreconditionFailed(f"{exc} (If-Match {etag(expected)})") from None


def perform(request: Request, ctx: ApiContext, session: Session, actor: Actor, *, route: str,
            params: dict[str, Any], given: MoveInput, expected: int | None, lang: str,
            act: Callable[[], Answer]) -> Response:
    """Run ``act`` once per Idempotency-Key (a replay answers what the first call answered),
    turning a stale If-Match into 412; commit before answering."""
    key = request.headers.get("idempotency-key")
    claimed = None
    if key is not None:
        fp = idempotency.fingerprint(route, params, given.body.model_dump(mode="json"),
                                     given.digests)
        found = idempotency.claim(session, actor=actor.username, key=key, fingerprint=fp,
                                  now=ctx.now())
        if isinstance(found, idempotency.Replay):
            return respond(found.status_code, found.body, found.etag, replayed=True)
        claimed = found
    with stale_as_412(expected, int(params.get("id", 0)), lang):
        result = act()
    body = json.dumps(result.body, ensure_ascii=False, separators=(",", ":"))
    tag = etag(result.version) if result.version is not None else None
    if claimed is not None:
        idempotency.answer(session, claimed, status_code=result.status, body=body, etag=tag)
    session.commit()
    return respond(result.status, body, tag)
