"""What a person reads from the CLI is Vietnamese by default and English with ``--lang en``.

A representative session runs on a fresh data directory, as a district office would start:
plans, users, a cycle, the board, one assignment shown and acted on, targets, reminders, the
outbox, the audit trail, an error of each kind, and the demo's year. Every output is scanned for
English words, Python class names, booleans and snake_case codes; the same commands with
``--lang en`` (or ``AGENCYFLOW_LANGUAGE=en``) must read English. The allow-list is small: the
program's name and commands (``agencyflow board`` in a hint), proper nouns (OCOP, Prefect,
apprise), sha256, and what the user typed or the plan defines (codes, file names, user names).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agencyflow.cli import COMMANDS, app
from agencyflow.cli.registry import load
from agencyflow.config import get_settings
from tests.factories import PLANS

pytestmark = pytest.mark.vietnamese  # the default language, not the tests' English context

runner = CliRunner()
PLAN = "kim-thanh-ocop"

#: English words that our messages use and that are no Vietnamese syllable.
ENGLISH = frozenset(re.findall(r"\S+", """
the and of is are not does exist may with for from this that has have was were been will would
cannot must should assignment assignments agency agencies user users plan plans cycle cycles
error status state due done open opened waiting overdue progress started start version event
events chain intact notification notifications queued sent failed pending reminder reminders
escalation escalations target targets met period lead title step steps deadline working day days
month months year total count none empty true false yes late completed complete received board
outbox messages message audit trail verified broken unknown language invalid valid stored loaded
bundled outside calendar date time note history extension extensions reason action actor
recorded cooperating commune output outputs digest kind tag channel channels summary written
already allowed only denied found exists office hours public holiday use one type
"""))

#: Python's own words that must never reach a person.
PYTHON = re.compile(r"Traceback|\b\w*(?:Error|Denied|NotFound|Exists|Exception)\b|"
                    r"\b(?:True|False|None)\b")
#: A stored code shown as it is stored (in_progress, done_on_time, due_today …).
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")

#: What may stay as it is: program, commands and options, proper nouns, hashes, paths, names
#: typed by the user or defined by the plan (agency codes, user names, step ids).
KEEP = [
    re.compile(r"\b\w+\[\d+\]\S*"),  # a place in a plan file: steps[1].deadline.month:
    re.compile(r"\{[^{}]*(?:\}|…)"),  # the audit trail's before/after as recorded (JSON)
    re.compile(r"`[^`]*`"),  # a command to try: `agencyflow db status`
    re.compile(r"\bagencyflow(?: [a-z-]+)*"),  # agencyflow web, agencyflow demo
    re.compile(r"\b[A-Z][A-Z0-9_]{2,}=?\S*"),  # AGENCYFLOW_DATA_DIR=…, KTHT, UBND, OCOP
    re.compile(r"--[a-z-]+"),  # --lang, --as
    re.compile(r"\S*/\S*"),  # paths and URLs: demo-data/agencyflow.db, json://127.0.0.1
    re.compile(r"\b\w+(?:[.@]\w+)+\b"),  # user names and files: dieu.phoi, audit.jsonl
    re.compile(r"\b\d[\d:+-]*\b"),  # numbers, dates and times
    re.compile(r"\b[0-9a-f]{12,64}\b"),  # hashes
    re.compile(r"\b(?:sha256|Prefect|apprise|OCOP|Ctrl|API)\b"),
    re.compile(r"\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b"),  # agency codes and step ids: XA-KIM-ANH, NN-3
    re.compile(r"\bkim-thanh-ocop\b"),
    re.compile(r"\ba\d+:\S+"),  # a notification's idempotency key: a12:opened:2027-01-04
    re.compile(r"(?<=kết quả )\w+|(?<=đã khai báo: )[\w, ]+"),  # outputs the plan names
    re.compile(r"'[^'\n]+'"),  # a value quoted as it is written: 'after_step', 'May 2020'
]


def english_left(text: str) -> list[str]:
    """The English words, Python names and raw codes left in ``text`` once what may stay as it
    is has been taken out."""
    for keep in KEEP:
        text = keep.sub(" ", text)
    found = PYTHON.findall(text) + CODE.findall(text)
    found += [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH]
    return found


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Run the session on a fresh data directory; name → everything the command printed."""
    data = tmp_path_factory.mktemp("vi") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AGENCYFLOW_DATA_DIR", str(data))
        mp.setenv("AGENCYFLOW_SIMULATION", "true")
        mp.setenv("COLUMNS", "250")
        for name in ("AGENCYFLOW_DATABASE_URL", "AGENCYFLOW_TOKEN", "AGENCYFLOW_APPRISE_CONFIG",
                     "AGENCYFLOW_LANGUAGE"):
            mp.delenv(name, raising=False)
        get_settings.cache_clear()
        yield _run_session(mp, data)
    get_settings.cache_clear()


def _run(*args: str, code: int = 0) -> str:
    get_settings.cache_clear()
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, (args, result.output)
    return result.output


def _run_session(mp: pytest.MonkeyPatch, data_dir: Path) -> dict[str, str]:
    out: dict[str, str] = {"first error": _run("board", code=1),
                           "plan list": _run("plan", "list")}
    out["plan load"] = _run("plan", "load", PLAN, "--now", "2027-01-04")
    out["plan show"] = _run("plan", "show", PLAN)
    out["user add"] = _run("user", "add", "dieu.phoi", "--role", "coordinator", "--agency", "NN")
    out["user add officer"] = _run("user", "add", "can.bo.ktht", "--role", "officer",
                                   "--agency", "KTHT", "--as", "dieu.phoi")
    out["user list"] = _run("user", "list")
    out["cycle start"] = _run("cycle", "start", "--plan", PLAN, "--year", "2027",
                              "--now", "2027-01-04", "--as", "dieu.phoi")
    out["cycle list"] = _run("cycle", "list")
    rows = json.loads(_run("board", "--now", "2027-01-05", "--format", "json"))
    ktht = next(r["id"] for r in rows if r["lead"] == "KTHT" and r["board_status"] !=
                "waiting")
    nn = next(r["id"] for r in rows if r["lead"] == "NN" and r["board_status"] != "waiting")
    out["assignment start"] = _run("assignment", "start", str(ktht), "--as", "can.bo.ktht",
                                   "--now", "2027-01-06")
    out["assignment extend"] = _run("assignment", "extend", str(ktht), "--to", "30/06/2027",
                                    "--reason", "Chờ số liệu", "--as", "can.bo.ktht",
                                    "--now", "2027-01-07")
    out["board"] = _run("board", "--now", "2027-03-10", "--limit", "15")
    out["assignment show"] = _run("assignment", "show", str(ktht), "--now", "2027-03-10")
    out["targets"] = _run("targets", "--plan", PLAN, "--year", "2027")
    out["remind dry run"] = _run("remind", "--now", "2027-03-10T10:00", "--dry-run")
    out["remind"] = _run("remind", "--now", "2027-03-10T10:00")
    out["remind on a holiday"] = _run("remind", "--now", "2027-09-02T10:00", "--dry-run")
    out["notifications"] = _run("notifications")
    out["audit log"] = _run("audit", "log", "--as", "dieu.phoi")
    out["audit verify"] = _run("audit", "verify", "--as", "dieu.phoi")
    out["not found"] = _run("assignment", "show", "99999", code=1)
    out["permission denied"] = _run("assignment", "complete", str(nn), "--as", "can.bo.ktht",
                                    code=1)
    out["transition refused"] = _run("assignment", "start", str(ktht), "--as", "can.bo.ktht",
                                     "--now", "2027-01-08", code=1)
    out["bad date"] = _run("board", "--now", "2027-02-30", code=1)
    out["calendar error"] = _run("board", "--now", "2999-01-01", code=1)
    out["unknown agency"] = _run("board", "--agency", "KTTH", code=1)
    out["unknown language"] = _run("board", "--lang", "fr", code=1)
    out["invalid outputs"] = _run("assignment", "complete", str(ktht), "--as", "can.bo.ktht",
                                  "--now", "2027-01-08", "--output", "nonsense=1", code=1)
    out["missing evidence"] = _run("assignment", "progress", str(ktht), "--as", "can.bo.ktht",
                                   "--now", "2027-01-08", "--evidence", "/no/such/bb.pdf", code=1)
    out["bad link"] = _run("assignment", "progress", str(ktht), "--as", "can.bo.ktht",
                           "--now", "2027-01-08", "--link", "ftp://x.gov.vn/bb.pdf", code=1)
    mp.setenv("AGENCYFLOW_PLAN_MAX_BYTES", "many")
    out["invalid settings"] = _run("plan", "list", code=1)
    mp.delenv("AGENCYFLOW_PLAN_MAX_BYTES")
    out["broken plan"] = "".join(_run("plan", "validate", str(PLANS / f"{name}.yaml"), code=2)
                                 for name in BROKEN_PLANS)
    out["no identity"] = _run("assignment", "start", str(ktht), code=1)
    out["english board"] = _run("board", "--now", "2027-03-10", "--limit", "5", "--lang", "en")
    out["english errors"] = (_run("assignment", "show", "99999", "--lang", "en", code=1)
                             + _run("assignment", "complete", str(nn), "--as", "can.bo.ktht",
                                    "--lang", "EN", code=1))
    mp.setenv("AGENCYFLOW_LANGUAGE", "en")
    out["english by environment"] = (_run("targets", "--plan", PLAN, "--year", "2027")
                                     + _run("assignment", "show", str(ktht), "--now",
                                            "2027-03-10"))
    mp.delenv("AGENCYFLOW_LANGUAGE")
    export = data_dir / "audit.jsonl"
    _run("audit", "export", "--format", "jsonl", "--output", str(export), "--as", "dieu.phoi")
    export.write_text(export.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    out["audit export broken"] = _run("audit", "verify", "--file", str(export), "--as",
                                      "dieu.phoi", code=1)
    (data_dir / "checkpoints.jsonl").write_text("junk\n", encoding="utf-8")
    out["audit checkpoint broken"] = _run("audit", "verify", "--checkpoint",
                                          str(data_dir / "checkpoints.jsonl"), "--as",
                                          "dieu.phoi", code=1)
    (data_dir / "tien-do.xlsx").write_text("not a workbook", encoding="utf-8")
    out["import not a workbook"] = _run("import", "progress", str(data_dir / "tien-do.xlsx"),
                                        "--as", "can.bo.ktht", code=1)
    (data_dir / "ke-thua.yaml").write_text("format: 1\nmap: []\n", encoding="utf-8")
    out["bad successor map"] = _run("cycle", "migrate", "--cycle", "1", "--to",
                                    "kim-thanh-ocop-2025-07", "--successors",
                                    str(data_dir / "ke-thua.yaml"), "--dry-run", "--as",
                                    "dieu.phoi", code=2)
    _tamper(data_dir / "agencyflow.db")
    out["audit tampered"] = _run("audit", "verify", "--as", "dieu.phoi", code=1)
    return out


def _tamper(db: Path) -> None:
    """Edit the reason of the audit trail's second event behind agencyflow's back."""
    with sqlite3.connect(db) as conn:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                    "AND tbl_name = 'audit_event'").fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("UPDATE audit_event SET reason = 'sửa lén' WHERE seq = 2")


#: Every broken plan fixture (the YAML syntax error too: libyaml's words are translated).
BROKEN_PLANS = sorted(p.stem for p in PLANS.glob("*.yaml") if p.stem != "valid")

VIETNAMESE = ["first error", "plan list", "plan load", "plan show", "user add",
              "user add officer", "user list", "cycle start", "cycle list", "assignment start",
              "assignment extend", "board", "assignment show", "targets", "remind dry run",
              "remind", "remind on a holiday", "notifications", "audit log", "audit verify",
              "not found", "permission denied", "transition refused", "bad date",
              "calendar error", "unknown agency", "unknown language", "no identity",
              "invalid outputs", "missing evidence", "bad link", "invalid settings",
              "broken plan", "audit export broken", "audit checkpoint broken", "audit tampered",
              "import not a workbook", "bad successor map"]


@pytest.mark.parametrize("name", VIETNAMESE)
def test_the_default_output_is_vietnamese(session: dict[str, str], name: str) -> None:
    text = session[name]
    assert text.strip(), name
    assert english_left(text) == [], text


ERRORS = ["first error", "not found", "permission denied", "transition refused", "bad date",
          "calendar error", "unknown agency", "unknown language", "no identity",
          "invalid outputs", "missing evidence", "bad link", "invalid settings",
          "audit export broken", "audit checkpoint broken", "audit tampered",
          "import not a workbook"]


@pytest.mark.parametrize("name", ERRORS)
def test_every_error_has_one_prefix_and_names_the_problem(session: dict[str, str],
                                                           name: str) -> None:
    text = session[name]
    assert text.startswith("Lỗi: ") and text.count("Lỗi:") == 1, text
    assert "Error" not in text and "error:" not in text


def test_what_the_errors_say(session: dict[str, str]) -> None:
    assert "không có nhiệm vụ 99999" in session["not found"]
    assert "không được phép hoàn thành nhiệm vụ" in session["permission denied"]
    assert "không phải là ngày" in session["bad date"]
    assert "nằm ngoài lịch ngày làm việc" in session["calendar error"]
    assert "KTHT" in session["unknown agency"]  # the nearest valid code
    assert '"fr"' in session["unknown language"] and "vi, en" in session["unknown language"]
    assert "kết quả nonsense: nhiệm vụ không khai báo" in session["invalid outputs"]
    assert "không có tệp hoặc thư mục này" in session["missing evidence"]
    assert "cần một đường dẫn http(s)" in session["bad link"]
    assert "AGENCYFLOW_PLAN_MAX_BYTES: cần một số nguyên" in session["invalid settings"]
    assert "steps[0].deadline.month: cần một số nguyên (nhận được 'January')" in session[
        "broken plan"]
    assert "thiếu trường bắt buộc" in session["broken plan"]
    assert "nhật ký kiểm toán bị phá vỡ tại sự kiện #2" in session["audit tampered"]
    assert "nội dung không khớp với mã băm (đã bị sửa)" in session["audit tampered"]
    assert "không phải một dòng JSON" in session["audit export broken"]
    assert "không phải một dòng điểm kiểm tra" in session["audit checkpoint broken"]
    assert "tien-do.xlsx: không phải sổ Excel (.xlsx)" in session["import not a workbook"]
    assert "bản đồ kế thừa chỉ gồm đúng" in session["bad successor map"]
    assert "mã nhiệm vụ 'PLAN' bị trùng (đã có tại steps[0].id)" in session["broken plan"]
    assert "phụ thuộc vòng tròn: PLAN -> EVAL -> COUNCIL -> PLAN" in session["broken plan"]


def test_times_are_vietnam_time_and_plurals_and_booleans_are_words(
        session: dict[str, str]) -> None:
    assert "04/01/2027 09:00" in session["cycle list"]  # started 02:00 UTC
    assert "T02:00" not in session["cycle list"] and "+00:00" not in session["audit log"]
    assert "không" in session["targets"] and "False" not in session["targets"]
    assert "114 nhiệm vụ" in session["cycle start"]
    assert "02/09/2027 là ngày nghỉ lễ" in session["remind on a holiday"]


def test_english_is_available(session: dict[str, str]) -> None:
    board = session["english board"]
    assert "Count per agency and status" in board and "Overdue" in board
    assert "Lỗi" not in session["english errors"]
    assert "Error: assignment 99999 does not exist" in session["english errors"]
    assert "may not complete an assignment" in session["english errors"]
    by_env = session["english by environment"]
    assert "in progress" in by_env and "History" in by_env, by_env
    for word in ("Lỗi", "Số lượng", "tình trạng", "Lịch sử", "trạng thái", "không"):
        assert word not in board + by_env, word  # agency names and reasons stay as written


def test_json_keeps_codes_and_iso_times(session: dict[str, str]) -> None:
    rows = json.loads(_run("cycle", "list", "--format", "json"))
    assert rows[0]["started_at"] == "2027-01-04T02:00:00+00:00"
    csv_text = _run("cycle", "list", "--format", "csv")
    assert "2027-01-04T02:00:00+00:00" in csv_text


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo's whole chatty output (a simulated year) on its own fresh data directory."""
    data = tmp_path_factory.mktemp("vi-demo") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AGENCYFLOW_DATA_DIR", str(data))
        mp.setenv("COLUMNS", "250")
        for name in ("AGENCYFLOW_DATABASE_URL", "AGENCYFLOW_TOKEN", "AGENCYFLOW_APPRISE_CONFIG",
                     "AGENCYFLOW_LANGUAGE", "AGENCYFLOW_SIMULATION"):
            mp.delenv(name, raising=False)
        yield _run("demo")
    get_settings.cache_clear()


def test_the_demo_is_vietnamese(demo_output: str) -> None:
    assert "Tháng 07/2027" in demo_output and "Nhật ký kiểm toán" in demo_output
    sample = demo_output.split("Một thông báo nhận được")[0]  # a message is the plan's text
    assert english_left(sample) == [], demo_output


def _command_paths(command: object = None, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group of the CLI, the root first, as the words typed after
    ``agencyflow`` (every module imported)."""
    if not path:
        return [()] + [p for name in COMMANDS for p in _command_paths(load(COMMANDS, [name]),
                                                                    (name,))]
    paths = [path]
    for name in command.list_commands(None) if hasattr(command, "list_commands") else ():  # type: ignore[attr-defined]
        paths += _command_paths(command.get_command(None, name), (*path, name))  # type: ignore[attr-defined]
    return paths


COMMAND_PATHS = _command_paths()
#: The codes a --status or --role option lists, quoted as the values to type.
CODES_TO_TYPE = re.compile(r"`[a-z_]+`")
#: What a help screen names as it is typed: the commands.
TYPED = {word for path in COMMAND_PATHS for word in path}


def help_english_left(text: str) -> list[str]:
    """:func:`english_left` of a help screen, once what is typed as it is has been taken out."""
    text = CODES_TO_TYPE.sub(" ", text)
    for name in sorted(TYPED, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    return english_left(text)


@pytest.fixture(scope="module")
def helps() -> Iterator[dict[tuple[str, ...], str]]:
    """``agencyflow … --help`` of every command, in the default language and with --lang en."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "250")
        mp.delenv("AGENCYFLOW_LANGUAGE", raising=False)
        yield {path: _run(*path, "--help") for path in COMMAND_PATHS}


def test_there_are_commands_to_scan() -> None:
    assert len(COMMAND_PATHS) > 60 and ("assignment", "show") in COMMAND_PATHS
    assert ("user", "token", "create") in COMMAND_PATHS


def test_every_help_screen_is_vietnamese(helps: dict[tuple[str, ...], str]) -> None:
    """Usage line, description, every option and the panels' titles, for every command."""
    left = {" ".join(path): help_english_left(text) for path, text in helps.items()}
    assert {path: words for path, words in left.items() if words} == {}
    for text in helps.values():
        assert "Cách dùng: agencyflow" in text and "Tùy chọn" in text, text
        assert "Usage" not in text and "Options" not in text and "Show this message" not in text
        assert not re.search(r"<(str|int|float|path|datetime)>", text), text  # types in words
    assert "[mặc định: table]" in helps[("board",)] and "Lệnh" in helps[()]
    assert "<số nguyên>" in helps[("board",)] and "<chữ>" in helps[("board",)]
    assert "[bắt buộc]" in helps[("user", "add")] or "*" in helps[("user", "add")]


def test_help_is_english_with_lang_en() -> None:
    text = _run("board", "--help", "--lang", "en")
    assert "Usage: agencyflow board [OPTIONS]" in text and "Options" in text
    assert "List assignments with lead" in text and "Show this message and exit." in text
    assert "<int>" in text and "<số nguyên>" not in text
    assert "Cách dùng" not in text and "Tùy chọn" not in text


#: Usage errors, found by typer before any command runs: (arguments, what the error names).
USAGE_ERRORS = {
    "unknown option": (["board", "--nope"], "không có tùy chọn --nope"),
    "unknown option, a near one": (["board", "--nwo"], "các tùy chọn gần giống: --now"),
    "missing argument": (["assignment", "show"], "thiếu tham số 'số_hiệu_nhiệm_vụ'"),
    "missing option": (["user", "add", "lan"], "thiếu tùy chọn '--role'"),
    "unknown command": (["nonesuch"], "không có lệnh 'nonesuch'"),
    "unknown command, a near one": (["boad"], "Có phải ý bạn là 'board'?"),
    "unknown subcommand": (["plan", "nonesuch"], "không có lệnh 'nonesuch'"),
    "not a number": (["board", "--limit", "many"], "'--limit': phải là một số nguyên"),
    "not a choice": (["board", "--format", "xml"], "'xml' không thuộc các giá trị"),
    "no value": (["board", "--now"], "tùy chọn '--now' cần một giá trị"),
    "extra argument": (["board", "extra"], "có tham số thừa không dùng được (extra)"),
}


@pytest.mark.parametrize("name", USAGE_ERRORS)
def test_usage_errors_are_vietnamese_with_the_one_prefix(name: str) -> None:
    args, says = USAGE_ERRORS[name]
    text = _run(*args, code=2)
    assert says in text, text
    assert text.count("Lỗi: ") == 1 and "Error" not in text, text
    assert help_english_left(text) == [], text


def test_usage_errors_are_english_with_lang_en() -> None:
    text = _run("board", "--nope", "--lang", "en", code=2)
    assert "Error: No such option: --nope" in text and "Usage: agencyflow board [OPTIONS]" in text
    assert "Lỗi" not in text and "Cách dùng" not in text


def test_english_lines(tmp_path: Path) -> None:
    """The scanner finds what it is meant to find (a scan that cannot fail is no scan)."""
    assert english_left("Lỗi: NotFound: assignment 5 does not exist") == [
        "NotFound", "assignment", "does", "not", "exist"]
    assert {"False", "in_progress"} <= set(english_left("trạng thái in_progress, False"))
    assert english_left("xem `agencyflow db status`; KTHT, dieu.phoi, 2027-01-04") == []
