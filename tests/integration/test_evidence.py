"""Evidence: content-addressed storage, the size limit, path tricks, dedup, links, contributions."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.errors import PermissionDenied, TransitionError, ValidationError
from agencyflow.models import Contribution, Evidence
from agencyflow.services.assignments import contributions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.assignments.evidence import blob_path, store_bytes, store_path
from tests.factories import CALENDAR, at
from tests.lifecycle_plan import (
    COORDINATOR,
    KTHT_OFFICER,
    NN_OFFICER,
    assignment_id,
    commune_officer,
    get,
    setup_cycle,
)

LIMIT = 1000


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_files_are_stored_by_content_and_deduplicated(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = b"bien ban hop hoi dong"
    one = store_path(_file(tmp_path, "a.pdf", data), evidence_dir=store, max_bytes=LIMIT)
    two = store_path(_file(tmp_path, "b.pdf", data), evidence_dir=store, max_bytes=LIMIT)
    sha = hashlib.sha256(data).hexdigest()
    assert (one.sha256, two.sha256, one.size, one.filename, two.filename) == (
        sha, sha, len(data), "a.pdf", "b.pdf")
    assert blob_path(store, sha) == store / sha[:2] / sha
    assert blob_path(store, sha).read_bytes() == data
    assert [p.name for p in store.rglob("*") if p.is_file()] == [sha]


def test_the_size_limit(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert store_path(_file(tmp_path, "ok.bin", b"x" * LIMIT), evidence_dir=store,
                      max_bytes=LIMIT).size == LIMIT
    with pytest.raises(ValidationError, match="big.bin is over the size limit of 1000 bytes"):
        store_path(_file(tmp_path, "big.bin", b"x" * (LIMIT + 1)), evidence_dir=store,
                   max_bytes=LIMIT)
    with pytest.raises(ValidationError, match="over the size limit"):
        store_bytes(b"y" * (LIMIT + 1), "upload.bin", evidence_dir=store, max_bytes=LIMIT)
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1  # no leftover temp file


def test_symlinks_directories_and_fifos_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    target = _file(tmp_path, "real.txt", b"secret")
    (tmp_path / "link.txt").symlink_to(target)
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    with pytest.raises(ValidationError, match="link.txt is a symbolic link"):
        store_path(tmp_path / "link.txt", evidence_dir=store, max_bytes=LIMIT)
    with pytest.raises(ValidationError, match="pipe is not a regular file"):
        store_path(tmp_path / "pipe", evidence_dir=store, max_bytes=LIMIT)
    with pytest.raises(ValidationError, match="folder is not a regular file"):
        store_path(tmp_path / "folder", evidence_dir=store, max_bytes=LIMIT)
    with pytest.raises(ValidationError, match="cannot read evidence"):
        store_path(tmp_path / "missing.pdf", evidence_dir=store, max_bytes=LIMIT)


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b.pdf", "..", ".", "", "a\\b.pdf",
                                  "a\x00b.pdf", "bad\nname.pdf"])
def test_path_tricks_in_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValidationError, match="evidence file name"):
        store_bytes(b"x", name, evidence_dir=tmp_path / "store", max_bytes=LIMIT)
    assert not (tmp_path / "store").exists()


def test_dot_dot_in_a_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    _file(tmp_path, "x.pdf", b"x")
    with pytest.raises(ValidationError, match="contains '..'"):
        store_path(tmp_path / "sub" / ".." / "x.pdf", evidence_dir=tmp_path / "s",
                   max_bytes=LIMIT)


def test_completion_attaches_files_and_links_once(engine: Engine, tmp_path: Path) -> None:
    setup_cycle(engine)
    ident = assignment_id(engine, "MARKET", period="2027-Q1")
    store, data = tmp_path / "store", b"bao cao thi truong"
    files = [_file(tmp_path, "q1.pdf", data), _file(tmp_path, "q1-copy.pdf", data)]
    with session_scope(engine) as session:
        assignments.progress(session, assignment_id=ident, actor=KTHT_OFFICER, now=at(2027, 2, 1),
                             files=files[:1], evidence_dir=store, max_bytes=LIMIT)
    with session_scope(engine) as session:
        assignments.complete(session, assignment_id=ident, actor=KTHT_OFFICER,
                             now=at(2027, 3, 1), calendar=CALENDAR, files=files,
                             links=["https://ktht.gov.vn/q1", "https://ktht.gov.vn/q1"],
                             evidence_dir=store, max_bytes=LIMIT)
    with Session(engine) as session:
        rows = session.execute(select(Evidence).where(Evidence.assignment_id == ident)
                               .order_by(Evidence.id)).scalars().all()
    assert [(r.filename, r.link, r.added_by) for r in rows] == [
        ("q1.pdf", None, "can.bo.ktht"), (None, "https://ktht.gov.vn/q1", "can.bo.ktht")]
    assert rows[0].sha256 == hashlib.sha256(data).hexdigest()


def test_a_bad_link_or_file_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    setup_cycle(engine)
    ident = assignment_id(engine, "MARKET", period="2027-Q1")
    for kwargs in ({"links": ["file:///etc/passwd"]},
                   {"files": [_file(tmp_path, "big.bin", b"z" * (LIMIT + 1))]}):
        with pytest.raises(ValidationError), session_scope(engine) as session:
            assignments.complete(session, assignment_id=ident, actor=KTHT_OFFICER,
                                 now=at(2027, 3, 1), calendar=CALENDAR,
                                 evidence_dir=tmp_path / "store", max_bytes=LIMIT, **kwargs)
    row = get(engine, ident)
    assert (row.status, row.version) == ("open", 1)
    with Session(engine) as session:
        assert session.execute(select(Evidence)).first() is None


def test_cooperating_agencies_contribute(engine: Engine, tmp_path: Path) -> None:
    setup_cycle(engine)
    plan = assignment_id(engine, "PLAN")
    with session_scope(engine) as session:
        row = contributions.contribute(
            session, assignment_id=plan, actor=KTHT_OFFICER, now=at(2027, 2, 3),
            comment="KTHT góp ý dự toán", figures={"budget": "30"},
            files=[_file(tmp_path, "gop-y.docx", b"gop y")], evidence_dir=tmp_path / "s",
            max_bytes=LIMIT)
    assert (row.agency_code, row.figures) == ("KTHT", {"budget": 30})
    with pytest.raises(PermissionDenied, match="may not contribute to an assignment"), \
            session_scope(engine) as session:
        contributions.contribute(session, assignment_id=plan, actor=commune_officer("XA-A"),
                                 now=at(2027, 2, 3), comment="x")
    with pytest.raises(ValidationError, match="needs a comment, figures or evidence"), \
            session_scope(engine) as session:
        contributions.contribute(session, assignment_id=plan, actor=NN_OFFICER,
                                 now=at(2027, 2, 3), comment=" ")
    with pytest.raises(ValidationError, match="neither leads nor cooperates"), \
            session_scope(engine) as session:
        contributions.contribute(session, assignment_id=plan, actor=COORDINATOR,
                                 now=at(2027, 2, 3), comment="x", agency_code="XA-A")
    with Session(engine) as session:
        ev = session.execute(select(Evidence)).scalar_one()
        assert ev.contribution_id == row.id
        assert len(session.execute(select(Contribution)).all()) == 1
    assert get(engine, plan).version == 1  # contributing does not touch the assignment


def test_no_contribution_once_done(engine: Engine) -> None:
    setup_cycle(engine)
    ident = assignment_id(engine, "MARKET", period="2027-Q1")
    with session_scope(engine) as session:
        assignments.complete(session, assignment_id=ident, actor=KTHT_OFFICER,
                             now=at(2027, 3, 1), calendar=CALENDAR)
    with pytest.raises(TransitionError, match="is done: cannot add a contribution"), \
            session_scope(engine) as session:
        contributions.contribute(session, assignment_id=ident, actor=KTHT_OFFICER,
                                 now=at(2027, 3, 2), comment="late")
