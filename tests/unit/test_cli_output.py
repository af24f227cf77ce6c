"""The CLI's JSON output writes exactly what ``json.dumps(indent=2)`` writes, only faster."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from agencyflow.cli.base import json_rows


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
                          indent=2, default=str)
    assert json_rows(rows, columns) == expected
