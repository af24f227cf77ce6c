"""The CLI's output: JSON exactly as ``json.dumps(indent=2)`` writes it (times in ISO 8601),
only faster; tables."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from rich.console import Console

from agencyflow.cli import base
from agencyflow.cli.base import Format, emit, json_rows


class Colour(StrEnum):
    RED = "đỏ"


class Level(IntEnum):
    ONE = 1


ROWS: list[dict[str, Any]] = [
    {"id": 1, "title": "Nhiệm vụ \"một\"\n\ttab \\ 🙂 \x01", "due": date(2027, 3, 5),
     "coop": ["NN", "XA-A"], "done": None, "extra": "ignored"},
    {"id": -2, "title": "", "due": datetime(2027, 3, 5, 9, 30, tzinfo=UTC), "coop": []},
    {"id": True, "title": Colour.RED, "due": 1.5, "coop": ("a", 1), "done": float("nan")},
    {"id": Level.ONE, "title": None, "due": 1e16, "coop": [["x"], {"k": [1, {}]}],
     "done": {"b": 1, "a": [date(2020, 1, 2)], 3: None, None: "n"}},
    {"id": 10**20, "coop": ["only"], "done": [[]], "due": -0.0},
    {},
]


@pytest.mark.parametrize("columns", [["id", "title", "due", "coop", "done"], ["coop"], [],
                                     ["id", "id"]], ids=str)
@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []], ids=["all", "one", "none"])
def test_json_rows_is_json_dumps_with_an_indent_of_two(rows: list[dict[str, Any]],
                                                       columns: list[str]) -> None:
    expected = json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False,
                          indent=2, default=base.json_default)
    assert json_rows(rows, columns) == expected


def _table_output(rows: list[dict[str, Any]], columns: list[str], capsys: Any,
                  **kw: Any) -> list[str]:
    emit(rows, columns, Format.table, **kw)
    return str(capsys.readouterr().out).splitlines()


def test_a_table_to_a_pipe_is_one_aligned_line_per_row(capsys: Any) -> None:
    """Not a terminal (here: pytest captures stdout): one line per row under a header, columns
    padded to their widest cell in terminal cells, line breaks in a cell turned into spaces,
    numbers aligned right when asked, no trailing spaces — grep, sort and less work on it."""
    rows = [{"code": "XA-A", "title": "Khảo sát\nsản phẩm", "n": 7, "due": date(2027, 3, 5)},
            {"code": "NN", "title": "農業 ❤", "n": 12, "due": None},
            {"code": "XA-B", "title": "Tiến hành", "n": None, "due": date(2027, 12, 1)}]
    lines = _table_output(rows, ["code", "title", "n", "due"], capsys, title="Bảng",
                          headers=["mã", "việc", "số", "hạn"], right=["n"])
    assert lines == ["Bảng",
                     "mã    việc               số  hạn",
                     "----  -----------------  --  ----------",
                     "XA-A  Khảo sát sản phẩm   7  05/03/2027",
                     "NN    農業 ❤             12",
                     "XA-B  Tiến hành              01/12/2027"]


def test_a_long_table_is_plain_even_in_a_terminal(capsys: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """In a terminal rich draws the table (boxed, wrapped); beyond RICH_MAX_ROWS rows (rich
    needs about a millisecond a row) it is printed plain, one line per row."""
    terminal = Console(force_terminal=True, width=60)
    monkeypatch.setitem(vars(base), "console", terminal)
    few = [{"id": i, "title": f"Việc {i}"} for i in range(3)]
    drawn = _table_output(few, ["id", "title"], capsys)
    assert any("┃" in line or "│" in line for line in drawn)
    many = [{"id": i, "title": f"Việc {i}"} for i in range(base.RICH_MAX_ROWS + 1)]
    plain = _table_output(many, ["id", "title"], capsys)
    assert len(plain) == base.RICH_MAX_ROWS + 3 and plain[2] == "0    Việc 0"


@pytest.mark.parametrize("fmt", [Format.json, Format.csv])
def test_json_and_csv_are_written_as_the_rows_come(fmt: Format, capsys: Any) -> None:
    """A listing may be an iterator over a million rows: JSON and CSV consume it row by row and
    write it in batches (what they wrote before the last row came shows it), the same text as
    from a list."""
    rows = [{"id": i, "title": f"Nhiệm vụ {i}", "due": date(2027, 3, 5)} for i in range(1200)]
    early: list[str] = []

    def coming() -> Any:
        for row in rows:
            if row["id"] == len(rows) - 1:  # before the last row: the first batches are out
                early.append(capsys.readouterr().out)
            yield row

    emit(coming(), ["id", "title", "due"], fmt)
    streamed = "".join(early) + capsys.readouterr().out
    emit(rows, ["id", "title", "due"], fmt)
    assert streamed == capsys.readouterr().out
    assert early and "Nhiệm vụ 999" in early[0]
