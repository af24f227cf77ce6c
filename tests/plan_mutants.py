"""Mutants of the bundled plan for the plan-loader fuzz test (issue 9, part 9).

A mutant is the bundled Kim Thành plan with one to four edits: a line deleted, duplicated or
re-indented, a value changed to another type (NaN, huge numbers, lists, mappings, tags, dates
that do not exist), unicode or control characters inserted, an anchor and an alias, a "billion
laughs" block, deep nesting. :func:`check` loads one and says what is wrong with the outcome, if
anything: the loader must either return a plan or raise a :class:`PlanError` whose every problem
is one line ``file:line:column: field: message``; anything else is a crash.

Used by ``tests/unit/test_plan_fuzz.py`` (a bounded number of mutants in ``make test``) and by
``python -m tests.fuzz_plan`` (``make fuzz``: 10,000 mutants or more, with resource limits).
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from agencyflow import plans as bundled
from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.errors import PlanError

SOURCE = "kim-thanh-ocop.yaml"
TEXT, _ = bundled.bundled_plan_text("kim-thanh-ocop")
LINES = TEXT.split("\n")
#: One problem: file:line:column: field: message, on one line.
PROBLEM = re.compile(rf"^{re.escape(SOURCE)}:(\d+):(\d+): (.+?): (.+)$")

#: Values a mutant puts where a value was.
VALUES = [
    ".nan", ".NaN", ".inf", "-.inf", "1e999", "-1e999", "99999999999999999999999", "-1", "0",
    "1.5", "~", "null", '""', "''", "yes", "no", "on", "[]", "{}", "[1, 2]", "{a: 1}",
    "[[[]]]", "2027-13-45", "2027-02-29", "2028-02-29", "9999-12-31", "0001-01-01",
    "2027-01-01T10:00:00", '"17:00"', "17:00", "7:30:00", "0o17", "0x1F", "1_000", "+12",
    "!!binary aGVsbG8=", "!!python/object:os.system x", "!!set {a}", "!!omap [a: 1]",
    "!!str 12", "!!int x", "!!float y", "!!timestamp z", "!custom x", "*undefined",
    "&lonely value", "'\\x00'", '"\\u0000"', '"\\x01"', "|\n  block", ">-\n  folded",
    "a: b: c", "- x", "? complex", "@reserved", "`tick", "%directive", "'unterminated",
    '"unterminated', "[unclosed", "{unclosed", "x" * 3000, "9" * 5000, "Kế hoạch", "🐄",
    "\u202eevil", "\ufeffbom",
]
#: Characters inserted at random places (control characters, odd unicode).
CHARACTERS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\ud800",
              "\udfff", "\ufffe", "\uffff", "\u2028", "\u2029", "\t", "\r", "\r\n", "\ufeff",
              ":", "#", "-", "&", "*", "!", "|", ">", "'", '"', "%", "@", "{", "}", "[", "]",
              ",", "?", " "]

_line = st.integers(min_value=0, max_value=len(LINES) - 1)
_column = st.integers(min_value=0, max_value=120)
EDIT = st.one_of(
    st.tuples(st.just("delete"), _line),
    st.tuples(st.just("duplicate"), _line),
    st.tuples(st.just("indent"), _line, st.integers(min_value=-6, max_value=6)),
    st.tuples(st.just("retype"), _line, st.sampled_from(VALUES)),
    st.tuples(st.just("insert"), _line, _column, st.sampled_from(CHARACTERS)),
    st.tuples(st.just("unicode"), _line, _column, st.text(min_size=1, max_size=4)),
    st.tuples(st.just("alias"), _line, _line),
    st.tuples(st.just("laughs"), _line, st.integers(min_value=1, max_value=12),
              st.integers(min_value=2, max_value=12)),
    st.tuples(st.just("nest"), _line, st.integers(min_value=1, max_value=2000), st.booleans(),
              st.booleans()),
)
#: A mutant: one to four edits of the bundled plan.
MUTANTS = st.lists(EDIT, min_size=1, max_size=4)


def _value_at(line: str) -> int:
    """Where the value of ``line`` starts (after ``key: `` or ``- ``), else its end."""
    colon = line.find(": ")
    if colon >= 0:
        return colon + 2
    stripped = line.lstrip()
    if stripped.startswith("- "):
        return len(line) - len(stripped) + 2
    return len(line)


def mutate(edits: list[tuple[Any, ...]]) -> str:
    """The bundled plan with ``edits`` applied in order."""
    lines = list(LINES)
    for edit in edits:
        kind, i = edit[0], edit[1] % len(lines)
        line = lines[i]
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "indent":
            lines[i] = " " * edit[2] + line if edit[2] > 0 else line[-edit[2]:]
        elif kind == "retype":
            lines[i] = line[:_value_at(line)] + edit[2]
        elif kind in ("insert", "unicode"):
            at = min(edit[2], len(line))
            lines[i] = line[:at] + edit[3] + line[at:]
        elif kind == "alias":
            j = edit[2] % len(lines)
            lines[i] = line[:_value_at(line)] + "&fz " + line[_value_at(line):]
            lines[j] = lines[j][:_value_at(lines[j])] + "*fz"
        elif kind == "laughs":
            levels, width = edit[2], edit[3]
            block = [f"lol0: &lol0 [{', '.join(['lol'] * width)}]"]
            block += [f"lol{k}: &lol{k} [{', '.join([f'*lol{k - 1}'] * width)}]"
                      for k in range(1, levels)]
            lines[i] = line[:_value_at(line)] + f"*lol{levels - 1}"
            lines = block + lines
        elif kind == "nest":
            depth, mapping, flow = edit[2], edit[3], edit[4]
            if flow:
                deep = ("{a: " * depth + "1" + "}" * depth) if mapping else \
                    ("[" * depth + "]" * depth)
                lines[i] = line[:_value_at(line)] + deep
            else:
                step = "a:" if mapping else "-"
                indent = len(line) - len(line.lstrip()) + 2
                lines[i + 1:i + 1] = [" " * (indent + 2 * k) + step for k in range(depth)]
    return "\n".join(lines)


def check(text: str) -> str | None:
    """Load ``text``; None if the outcome is acceptable, else what is wrong (a crash)."""
    try:
        load_plan_text(text, SOURCE)
    except PlanError as exc:
        if not exc.problems:
            return "a PlanError without problems"
        last_line = text.count("\n") + 2
        for problem in exc.problems:
            shown = str(problem)
            found = PROBLEM.match(shown)
            if found is None or "\n" in shown or "\r" in shown:
                return f"a problem not in file:line:column: field: message form: {shown!r}"
            line, column = int(found[1]), int(found[2])
            if not (1 <= line <= last_line and column >= 1):
                return f"a problem outside the file ({line}:{column}): {shown!r}"
    return None
