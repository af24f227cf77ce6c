"""Read YAML into plain data while keeping where every value was written.

PyYAML's ``compose`` keeps the marks (line, column) of every node; this module walks the node tree,
builds plain Python data with ``SafeConstructor`` for scalars, records a position for every path,
and reports what PyYAML would let through silently: duplicate mapping keys, merge keys, non-text
keys. Mapping keys are kept as written (``on:`` stays the text "on", not YAML 1.1's ``True``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from agencyflow.errors import PlanError, Problem

#: Where a value is: keys and list indexes from the document root.
Path = tuple[str | int, ...]
#: The tag PyYAML gives the ``<<`` merge key.
_MERGE_TAG = "tag:yaml.org,2002:merge"


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


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


#: libyaml's loader when PyYAML was built with it (about 10× faster on national-scale plans);
#: it keeps the same node marks and raises the same errors.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str, source: str) -> Located:
    """Parse ``text``; raise :class:`PlanError` for bad syntax or an empty document."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        if exc.context_mark and mark and exc.context_mark.line != mark.line:
            what += f" (the construct began on line {exc.context_mark.line + 1})"
        raise PlanError([Problem(source, line, col, "<root>", f"YAML syntax: {what}")]) from None
    except yaml.YAMLError as exc:  # reader errors: bad characters, no position of a node
        raise PlanError([Problem(source, 1, 1, "<root>", f"YAML error: {exc}")]) from None
    if root is None:
        raise PlanError([Problem(source, 1, 1, "<root>", "the file is empty (no YAML document)")])
    located = Located(data=None)
    located.marks[()] = _mark(root)
    located.data = _Walker(located).walk(root, ())
    return located


class _Walker:
    """Builds plain data from nodes, filling marks and problems of a :class:`Located`."""

    def __init__(self, located: Located):
        self.located = located
        self.constructor = yaml.constructor.SafeConstructor()
        self.stack: set[int] = set()

    def walk(self, node: Node, path: Path) -> Any:
        """Plain data of ``node`` (at ``path``)."""
        if id(node) in self.stack:
            self.located.problems.append((path, _mark(node), "recursive YAML alias"))
            return None
        self.stack.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return [self._child(item, (*path, i), item) for i, item in enumerate(node.value)]
            return self._scalar(node, path)
        finally:
            self.stack.discard(id(node))

    def _child(self, node: Node, path: Path, mark_node: Node) -> Any:
        self.located.marks[path] = _mark(mark_node)
        return self.walk(node, path)

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self._problem(path, key_node, "YAML merge keys (<<) are not supported")
                continue
            if not isinstance(key_node, ScalarNode):
                self._problem(path, key_node, "a mapping key must be plain text")
                continue
            key = key_node.value
            if key in first:
                why = f"duplicate key {key!r} (first on line {first[key][0]})"
                self._problem((*path, key), key_node, why)
                continue
            first[key] = _mark(key_node)
            scalar = isinstance(value_node, ScalarNode)
            out[key] = self._child(value_node, (*path, key), value_node if scalar else key_node)
        return out

    def _scalar(self, node: Node, path: Path) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self._problem(path, node, f"cannot read {node.value!r}: {problem}")
            return node.value

    def _problem(self, path: Path, node: Node, message: str) -> None:
        self.located.problems.append((path, _mark(node), message))
