"""`agencyflow sweep` and `agencyflow dispatch`: the two halves of `remind` as commands of their
own, for sweepers and dispatchers on several machines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.cli_helpers import cli_for
from tests.reminder_world import start
from tests.sinks import WebhookSink

NOW = "2027-01-18T09:00"


def _outbox(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted((r[0], r[1]) for r in conn.execute(text(
            "SELECT key, recipient_code FROM notification")))


def test_two_shards_write_the_same_outbox_as_one_sweep(
        engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    start(engine)
    invoke = cli_for(engine, monkeypatch, tmp_path)
    first = invoke("sweep", "--now", NOW, "--shard", "0/2", "--format", "json")
    assert first.exit_code == 0, first.output
    second = invoke("sweep", "--now", NOW, "--shard", "1/2", "--format", "json")
    assert second.exit_code == 0, second.output
    written = json.loads(first.output)["written"], json.loads(second.output)["written"]
    assert sum(written) == 6 and all(n > 0 for n in written)
    sharded = _outbox(engine)
    again = invoke("sweep", "--now", NOW, "--format", "json")
    assert json.loads(again.output)["written"] == 0, "the whole sweep finds nothing new"
    assert _outbox(engine) == sharded and len(sharded) == 6


@pytest.mark.parametrize("shard", ["2/2", "1", "a/b", "0/0"])
def test_a_wrong_shard_is_an_error_naming_it(
        engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shard: str) -> None:
    invoke = cli_for(engine, monkeypatch, tmp_path)
    result = invoke("sweep", "--now", NOW, "--shard", shard)
    assert result.exit_code == 1
    assert f'--shard "{shard}"' in result.output and "Traceback" not in result.output


@pytest.mark.sinks
def test_dispatch_sends_what_is_due_within_its_limit(
        engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    start(engine)
    invoke = cli_for(engine, monkeypatch, tmp_path)
    assert invoke("sweep", "--now", NOW).exit_code == 0
    with WebhookSink() as sink:
        channels = tmp_path / "channels.yaml"
        channels.write_text(f'urls:\n  - "{sink.json_url(cto=2, rto=5)}":\n'
                            '      - tag: "nn, xa-a, xa-b"\n', encoding="utf-8")
        monkeypatch.setenv("AGENCYFLOW_APPRISE_CONFIG", str(channels))
        limited = invoke("dispatch", "--now", NOW, "--limit", "2", "--format", "json")
        assert limited.exit_code == 0, limited.output
        assert json.loads(limited.output)["claimed"] == 2
        rest = invoke("dispatch", "--now", NOW, "--format", "json")
        assert rest.exit_code == 0, rest.output
        done = json.loads(rest.output)
        assert done["claimed"] == 4 and done["failed"] == done["dead"] == 0
        sent = json.loads(limited.output)["sent"] + done["sent"]
        assert len(sink.wait_for(sent)) == sent
        again = invoke("dispatch", "--now", NOW, "--format", "json")
        assert json.loads(again.output)["claimed"] == 0
    with engine.connect() as conn:
        statuses = {r[0] for r in conn.execute(text("SELECT status FROM notification"))}
    assert statuses <= {"sent", "digested"} and "sent" in statuses
