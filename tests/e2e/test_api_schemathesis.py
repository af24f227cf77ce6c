"""Schemathesis against the live OpenAPI document of the API, served for real by uvicorn on a
random port over a seeded database, with a coordinator's token: no 5xx, and every response
matches the status codes, media types, headers and schemas the document promises.

Bounded: a fixed seed and a few examples per operation (about a minute on this machine), on
SQLite and on PostgreSQL (fewer examples there: the same operations, another database). The two
operations that would lock the fuzzer out (revoking its own token, disabling its own user) are
left out here; the role × route matrix tests them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agencyflow.db import make_engine
from agencyflow.domain.clock import Clock
from agencyflow.services.clock import with_clock
from tests.api_world import seed

EXAMPLES = 8
SEED = 20261201
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")
LOCKOUT = r"/tokens/\{token_id\}/revoke|/users/\{username\}/disable"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated database: a copy of the SQLite template, or a PostgreSQL
    database of the test's own."""
    if request.param == "sqlite":
        db = tmp_path / "api.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), db)
        yield f"sqlite:///{db}"
        return
    engine = request.getfixturevalue("pg_engine")
    yield engine.url.render_as_string(hide_password=False)


@pytest.fixture
def server(database: str, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """(base URL, coordinator token, server log) of uvicorn serving the seeded database."""
    engine = with_clock(make_engine(database), Clock(simulated=True))  # plays 2027
    _cycle, tokens, _ids = seed(engine)
    engine.dispose()
    log = tmp_path / "uvicorn.log"
    env = {**os.environ, "AGENCYFLOW_DATABASE_URL": database,
           "AGENCYFLOW_DATA_DIR": str(tmp_path / "data"), "AGENCYFLOW_SIMULATION": "true"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory",
             "agencyflow.web.api:standalone_from_environment", "--host", "127.0.0.1",
             "--port", "0", "--no-access-log"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{_port(log, proc)}", tokens["coord"], log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _port(log: Path, proc: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return int(found.group(1))
        assert proc.poll() is None, log.read_text()
        time.sleep(0.2)
    raise AssertionError(f"uvicorn did not start:\n{log.read_text()}")


def test_schemathesis_finds_no_5xx_and_no_schema_violation(server: tuple[str, str, Path],
                                                            database: str,
                                                            tmp_path: Path) -> None:
    base, token, log = server
    examples = EXAMPLES if database.startswith("sqlite") else EXAMPLES // 2
    exe = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [str(exe), "run", f"{base}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
         "--max-examples", str(examples), "--seed", str(SEED), "--checks", CHECKS,
         "--workers", "2", "--exclude-path-regex", LOCKOUT, "--request-timeout", "30"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600)
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert re.search(r"(\d+) generated, \1 passed", result.stdout), summary
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
