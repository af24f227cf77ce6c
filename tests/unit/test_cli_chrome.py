"""The words typer and click print, translated through our catalogs (agencyflow.cli.chrome)."""

from __future__ import annotations

import pytest

from agencyflow import i18n
from agencyflow.cli import COMMANDS
from agencyflow.cli.chrome import (
    USAGE_MESSAGES,
    LocalContext,
    argument_name,
    help_paragraphs,
    language_in,
    localized,
    translate_help,
    translate_usage,
)
from agencyflow.cli.registry import load


@pytest.mark.parametrize(("english", "vietnamese"), [
    ("No such option: --nope", "không có tùy chọn --nope"),
    ("No such option: --nwo (Possible options: --now)",
     "không có tùy chọn --nwo (các tùy chọn gần giống: --now)"),
    ("No such command 'boad'. Did you mean 'board'?",
     "không có lệnh 'boad'. Có phải ý bạn là 'board'?"),
    ("Missing argument 'số_hiệu_nhiệm_vụ'.", "thiếu tham số 'số_hiệu_nhiệm_vụ'."),
    ("Invalid value for '--limit': Input should be a valid integer, unable to parse string as "
     "an integer", "giá trị không hợp lệ cho '--limit': phải là một số nguyên"),
    ("Invalid value for '--format': Value error, 'xml' is not one of 'table', 'json'.",
     "giá trị không hợp lệ cho '--format': 'xml' không thuộc các giá trị 'table', 'json'."),
    ("Missing option '--status'. Choose from:\n\ta,\n\tb",
     "thiếu tùy chọn '--status'. Chọn một trong:\n\ta,\n\tb"),
])
def test_a_usage_error_is_translated_part_by_part(english: str, vietnamese: str) -> None:
    with i18n.language("vi"):
        assert translate_usage(english) == vietnamese
    with i18n.language("en"):
        assert translate_usage(english) == english


def test_a_message_that_is_not_the_libraries_is_left_as_it_is() -> None:
    with i18n.language("vi"):
        assert translate_usage("không có nhiệm vụ 5") == "không có nhiệm vụ 5"
        assert all(i18n._(t) != t for t in USAGE_MESSAGES if t != "{problem}")


@pytest.mark.parametrize(("args", "lang"), [
    (["board", "--lang", "en"], "en"), (["board", "--lang=EN"], "en"),
    (["board", "--lang", "fr"], "vi"),  # the command itself reports it
    (["board", "--", "--lang", "en"], "vi"), (["board"], "vi"),
])
def test_the_language_is_read_from_the_command_line(args: list[str], lang: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(i18n.ENV_VARIABLE, raising=False)
    with i18n.language(None):
        assert language_in(args) == lang


def test_help_texts_are_split_into_the_paragraphs_typer_shows() -> None:
    doc = ("List assignments with lead,\n    and a count.\n\n    Example: agencyflow board\n"
           "\f\nhidden")
    assert help_paragraphs(doc) == ["List assignments with lead, and a count.",
                                    "Example: agencyflow board"]
    with i18n.language("vi"):
        board = "Output format.\n\n    Example: agencyflow board --agency KTHT --now 2027-03-15"
        assert translate_help(board) == ("Định dạng đầu ra.\n\nVí dụ: agencyflow board --agency "
                                         "KTHT --now 2027-03-15")
        assert translate_help(doc) == "List assignments with lead, and a count.\n\n" + (
            "Example: agencyflow board")  # not a message id: shown as written
        assert translate_help("Output format.") == "Định dạng đầu ra."


def test_a_help_screen_is_translated_and_the_command_keeps_its_english() -> None:
    command = load(COMMANDS, ["board"])
    english = (command.help, [p.help for p in command.params])
    ctx = LocalContext(command, info_name="board")
    with i18n.language("vi"), localized(command, ctx, panels=True):
        from typer import rich_utils

        assert command.help.startswith("Liệt kê các nhiệm vụ")
        assert "Định dạng đầu ra." in [p.help for p in command.params]
        assert rich_utils.OPTIONS_PANEL_TITLE == "Tùy chọn"
    assert (command.help, [p.help for p in command.params]) == english
    assert rich_utils.OPTIONS_PANEL_TITLE == "Options"


def _arguments(command: object) -> set[str]:
    names = {p.name for p in getattr(command, "params", []) if p.param_type_name == "argument"}
    for name in command.list_commands(None) if hasattr(command, "list_commands") else ():
        names |= _arguments(command.get_command(None, name))
    return names


def test_every_argument_of_every_command_has_a_vietnamese_name() -> None:
    names = set().union(*(_arguments(load(COMMANDS, [name])) for name in COMMANDS))
    assert {"assignment_id", "username"} <= names
    with i18n.language("vi"):
        assert {n for n in names if argument_name(n) == n} == set()
        assert argument_name("assignment_id") == "số_hiệu_nhiệm_vụ"
    with i18n.language("en"):
        assert argument_name("assignment_id") == "assignment_id"
