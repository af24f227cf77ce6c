"""Read YAML into plain data while keeping where every value was written, within fixed bounds.

The text is read as PyYAML's *event* stream (libyaml's parser when available: a state machine with
its own stack) and built into plain Python data by one loop with an explicit stack — nothing here
recurses, so no nesting can exhaust Python's stack. A position is recorded for every path, and
what PyYAML would let through silently is reported: duplicate mapping keys, merge keys, non-text
keys. Mapping keys are kept as written (``on:`` stays the text "on", not YAML 1.1's ``True``);
scalars are typed by PyYAML's ``SafeConstructor``.

**Bounds** (every one is a :class:`PlanError` at the line and column where it is crossed):

- characters YAML does not allow (control characters other than tab and line breaks, lone
  surrogates) are reported where they are, before anything is parsed;
- nesting deeper than :data:`MAX_DEPTH` mappings/lists;
- more than :data:`MAX_VALUES` values written in the file;
- anchors and aliases are allowed (the bundled plan repeats blocks with them), but the values
  that aliases expand to are counted, and more than :data:`MAX_ALIAS_VALUES` of them is refused:
  a "billion laughs" file of a few hundred bytes stops at the alias that crosses the budget
  instead of expanding into gigabytes. A recursive alias is reported and read as nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
)
from yaml.nodes import ScalarNode

from agencyflow.errors import PlanError, Problem
from agencyflow.i18n import _

#: Where a value is: keys and list indexes from the document root.
Path = tuple[str | int, ...]
#: The tag PyYAML gives the ``<<`` merge key.
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
#: Mappings and lists inside one another, at most (a plan file needs about eight).
MAX_DEPTH = 32
#: Values (scalars, mappings, lists) written in one file, at most: four times the synthetic
#: national plan of 10,000 communes (about 120,000).
MAX_VALUES = 500_000
#: Values that aliases may expand to in one file, at most.
MAX_ALIAS_VALUES = 100_000
#: Characters a YAML file may not contain (YAML 1.1 §5.1: printable characters only).
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Forbidden characters reported in one file, at most.
_MAX_REPORTED = 10


@dataclass
class Located:
    """Plain data read from a YAML text, with a (line, column) for every path (1-based)."""

    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[tuple[Path, tuple[int, int], str]] = field(default_factory=list)

    def position(self, path: Path) -> tuple[int, int]:
        """Position of ``path``, or of its nearest written ancestor (a missing field's parent)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                return self.marks[path[:end]]
        return (1, 1)


def _start(event: Event) -> Any:
    """The event's start mark (PyYAML's or libyaml's Mark class: both have line and column)."""
    return event.start_mark


def _mark(event: Event) -> tuple[int, int]:
    mark = _start(event)
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


#: libyaml's parser when PyYAML was built with it (about 10× faster on national-scale plans);
#: it gives the same events, marks and errors.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str, source: str) -> Located:
    """Parse ``text``; raise :class:`PlanError` for bad syntax, an empty document or a bound."""
    check_characters(text, source)
    builder = _Builder(source)
    try:
        builder.build(yaml.parse(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        # libyaml's words, in the reader's language where they are known (domain.yaml_words)
        what = " ".join(_(p) for p in (exc.context, exc.problem) if p)
        if exc.context_mark and mark and exc.context_mark.line != mark.line:
            what = _("{what} (the construct began on line {line})").format(
                what=what, line=exc.context_mark.line + 1)
        raise PlanError([Problem(source, line, col, "<root>", _("YAML syntax: {what}").format(
            what=what))]) from None
    except yaml.reader.ReaderError as exc:  # libyaml's own character check (a byte offset)
        line, col = _byte_position(text, exc.position)
        why = _("YAML error: character {character} is not allowed ({reason})").format(
            character=repr(exc.character), reason=exc.reason)
        raise PlanError([Problem(source, line, col, "<root>", why)]) from None
    except yaml.YAMLError as exc:  # anything else PyYAML raises, without a position
        raise PlanError([Problem(source, 1, 1, "<root>", _("YAML error: {exc}").format(
            exc=exc))]) from None
    return builder.result()


def check_characters(text: str, source: str) -> None:
    """PlanError listing where ``text`` has characters YAML does not allow (the first ten)."""
    problems = []
    for found in _FORBIDDEN.finditer(text):
        pos = found.start()
        line = text.count("\n", 0, pos) + 1
        col = pos - text.rfind("\n", 0, pos)
        what = f"U+{ord(found.group()):04X}"
        problems.append(Problem(source, line, col, "<root>",
                                _("the character {what} is not allowed in a plan file (control "
                                  "characters other than tab and line breaks)").format(what=what)))
        if len(problems) == _MAX_REPORTED:
            break
    if problems:
        raise PlanError(problems)


def _byte_position(text: str, offset: int) -> tuple[int, int]:
    """(line, column) of the UTF-8 byte ``offset`` of ``text``."""
    head = text.encode("utf-8")[:max(offset, 0)].decode("utf-8", "ignore")
    return head.count("\n") + 1, len(head) - (head.rfind("\n") + 1) + 1


class _Bound(Exception):
    """A bound was crossed at ``at`` (internal: becomes a PlanError)."""

    def __init__(self, at: tuple[int, int], message: str):
        super().__init__(message)
        self.at, self.message = at, message


@dataclass
class _Frame:
    """A mapping or list being filled; ``dropped``: its values are discarded (a bad key's)."""

    path: Path
    value: Any
    dropped: bool
    anchor: str | None
    is_key: bool = False  # a mapping or list written as a mapping key (dropped)
    key: str | None = None  # the pending key of a mapping
    key_at: tuple[int, int] = (1, 1)
    skip: bool = False  # the pending value of a mapping is to be discarded
    has_key: bool = False
    first: dict[str, tuple[int, int]] = field(default_factory=dict)


_NO_KEY = object()


class _Builder:
    """Builds plain data from YAML events with an explicit stack, filling a :class:`Located`."""

    def __init__(self, source: str):
        self.source = source
        self.located = Located(data=None)
        self.constructor = yaml.constructor.SafeConstructor()
        self.resolver = yaml.resolver.Resolver()
        self.stack: list[_Frame] = []
        self.anchors: dict[str, list[Event]] = {}
        self.recording: dict[str, list[Event]] = {}  # anchors whose collection is still open
        self.values = 0
        self.expanded = 0
        self.alias_at = (1, 1)
        self.documents = 0
        self.done = False

    def result(self) -> Located:
        if not self.done:
            raise PlanError([Problem(self.source, 1, 1, "<root>",
                                     _('the file is empty (no YAML document)'))])
        return self.located

    def build(self, events: Iterator[Event]) -> None:
        """Consume the parser's events; aliases replay the events their anchor recorded."""
        sources: list[Iterator[Event]] = [events]
        try:
            while sources:
                event = next(sources[-1], None)
                if event is None:
                    sources.pop()
                    continue
                replaying = len(sources) > 1
                if isinstance(event, AliasEvent):
                    replay = self._alias(event, replaying)
                    if replay is not None:
                        sources.append(iter(replay))
                    continue
                if not replaying:
                    for recorded in self.recording.values():
                        recorded.append(event)
                self._event(event, replaying)
        except _Bound as bound:
            line, col = bound.at
            raise PlanError([Problem(self.source, line, col, "<root>", bound.message)]) from None

    def _alias(self, event: AliasEvent, replaying: bool) -> list[Event] | None:
        """The events to replay for ``*name`` (None: it was reported and read as nothing)."""
        name = event.anchor or ""
        if name in self.recording and not replaying:
            self._problem_at(self._here(), _mark(event), _('recursive YAML alias'))
            null = ScalarEvent(None, None, (True, False), "", event.start_mark, event.end_mark)
            for recorded in self.recording.values():
                recorded.append(null)
            self._event(null, True)
            return None
        replay = self.anchors.get(name)
        if replay is None:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {name!r}",
                                              _start(event))
        if not replaying:  # an alias inside an anchor is recorded as an alias
            self.alias_at = _mark(event)
            for recorded in self.recording.values():
                recorded.append(event)
        self.expanded += len(replay)
        if self.expanded > MAX_ALIAS_VALUES:  # reported at the alias written in the file
            raise _Bound(self.alias_at, _("YAML aliases expand to more than {n} "
                                          "values: write the repeated blocks out (or use defaults "
                                          "and groups)").format(n=MAX_ALIAS_VALUES))
        return replay

    def _event(self, event: Event, replaying: bool) -> None:
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream", None,
                    "but found another document", _start(event))
            return
        if isinstance(event, ScalarEvent):
            self._count(event, replaying)
            self._scalar(event, replaying)
        elif isinstance(event, CollectionStartEvent):
            self._count(event, replaying)
            self._open(event, replaying)
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            self._close()

    def _count(self, event: Event, replaying: bool) -> None:
        if not replaying:
            self.values += 1
            if self.values > MAX_VALUES:
                raise _Bound(_mark(event), _("the file holds more than {n} values").format(
                    n=MAX_VALUES))

    def _slot(self, at: tuple[int, int], scalar: bool) -> tuple[Path | None, bool]:
        """Where the next value goes: its path (None: it is a mapping key) and whether it is
        dropped. Records the value's mark."""
        if not self.stack:
            self.located.marks[()] = at
            return (), False
        top = self.stack[-1]
        if isinstance(top.value, list):
            path = (*top.path, len(top.value))
            if not top.dropped:
                self.located.marks[path] = at
            return path, top.dropped
        if not top.has_key:
            return None, top.dropped
        assert top.key is not None or top.skip
        path = (*top.path, top.key or "")
        dropped = top.dropped or top.skip
        if not dropped:
            self.located.marks[path] = at if scalar else top.key_at
        return path, dropped

    def _put(self, path: Path, value: Any, dropped: bool) -> None:
        """Store ``value`` at ``path`` in its parent (the root when the stack is empty)."""
        if not self.stack:
            self.located.data = value
            self.done = True
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
            return
        if not dropped:
            top.value[top.key] = value
        top.has_key, top.key, top.skip = False, None, False

    def _key(self, top: _Frame, at: tuple[int, int], key: Any, tag: str | None) -> None:
        """A mapping key was read (``key`` is ``_NO_KEY`` for a non-scalar one)."""
        top.has_key, top.key_at, top.skip, top.key = True, at, True, None
        if tag == _MERGE_TAG:
            self._problem(top, top.path, at, _('YAML merge keys (<<) are not supported'))
        elif key is _NO_KEY:
            self._problem(top, top.path, at, _('a mapping key must be plain text'))
        elif key in top.first:
            why = _("duplicate key {key} (first on line {value})").format(
                key=repr(key), value=top.first[key][0])
            self._problem(top, (*top.path, key), at, why)
        else:
            top.first[key] = at
            top.key, top.skip = key, False

    def _scalar(self, event: ScalarEvent, replaying: bool) -> None:
        at = _mark(event)
        if event.anchor and not replaying:
            self.anchors[event.anchor] = [event]
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
        path, dropped = self._slot(at, True)
        if path is None:  # a mapping key: kept as written
            self._key(self.stack[-1], at, event.value, tag)
            return
        self._put(path, self._construct(event, tag, path, at, dropped), dropped)

    def _construct(self, event: ScalarEvent, tag: str, path: Path, at: tuple[int, int],
                   dropped: bool) -> Any:
        if tag == _STR_TAG:
            return event.value
        end: Any = event.end_mark
        node = ScalarNode(tag, event.value, _start(event), end, event.style)
        try:
            return self.constructor.construct_object(node)
        except Exception as exc:  # noqa: BLE001 - PyYAML's constructors fail in many ways: an
            # explicit ``!!timestamp z`` is an AttributeError inside it (found by make fuzz)
            problem = getattr(exc, "problem", None) or str(exc)
            if not dropped:
                self._problem_at(path, at, _("cannot read {value}: {problem}").format(
                    value=repr(event.value), problem=problem))
            return event.value
        finally:
            self.constructor.constructed_objects.clear()

    def _open(self, event: CollectionStartEvent, replaying: bool) -> None:
        at = _mark(event)
        if len(self.stack) >= MAX_DEPTH:
            raise _Bound(at, _("mappings and lists are nested deeper than {depth} levels"
                               ).format(depth=MAX_DEPTH))
        anchor = event.anchor if not replaying else None
        if anchor:
            self.recording[anchor] = [event]
        path, dropped = self._slot(at, False)
        value: Any = {} if isinstance(event, MappingStartEvent) else []
        is_key = path is None
        if path is None:  # a mapping or list used as a key: read, then dropped
            self._key(self.stack[-1], at, _NO_KEY, None)
            path, dropped = self.stack[-1].path, True
        else:
            self._put_open(path, value, dropped)
        self.stack.append(_Frame(path, value, dropped, anchor, is_key))

    def _put_open(self, path: Path, value: Any, dropped: bool) -> None:
        """Place a new (still empty) mapping or list; its contents follow."""
        if not self.stack:
            self.located.data = value
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
        elif not dropped:
            top.value[top.key] = value

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.anchors[frame.anchor] = self.recording.pop(frame.anchor)
        if not self.stack:
            self.done = True
            return
        top = self.stack[-1]
        if isinstance(top.value, dict) and not frame.is_key:  # a key's value follows it
            top.has_key, top.key, top.skip = False, None, False

    def _here(self) -> Path:
        """The path of the value being read now (a recursive alias is reported there)."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        return (*top.path, top.key) if top.key is not None else top.path

    def _problem(self, top: _Frame, path: Path, at: tuple[int, int], message: str) -> None:
        if not top.dropped:
            self._problem_at(path, at, message)

    def _problem_at(self, path: Path, at: tuple[int, int], message: str) -> None:
        self.located.problems.append((path, at, message))
