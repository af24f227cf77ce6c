"""A Babel extraction method for the CLI's help texts (``make update`` runs it for the ``help``
domain, see ``babel-help.cfg``): typer reads them from docstrings and ``help=`` arguments,
which gettext's keywords do not reach.

What it yields, each paragraph of each text one message id as :func:`~agencyflow.cli.chrome.
help_paragraphs` splits it (and as :class:`~agencyflow.cli.chrome.LocalContext` looks it up):

- the docstring of a function decorated with ``handle_errors`` or ``<app>.command(...)`` /
  ``<app>.callback(...)`` (a command's help);
- every string literal passed as ``help=`` (options, arguments, ``typer.Typer(help=...)``);
- the help of each :class:`~agencyflow.cli.registry.Entry` (its third argument);
- a module constant whose name ends in ``_HELP`` (shared option help: ``NOW_HELP``).

The words of typer and click themselves (``Options``, ``No such option: {name}``) are ordinary
marked messages of :mod:`agencyflow.cli.chrome`, in the ``cli`` domain.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import IO, Any

from agencyflow.cli.chrome import help_paragraphs

Extracted = tuple[int, str | None, str, list[str]]


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
            options: Any) -> Iterator[Extracted]:
    """Babel's extraction-method interface: (line, function, message, comments) per message."""
    tree = ast.parse(fileobj.read().decode("utf-8"))
    for lineno, text in _texts(tree):
        for paragraph in help_paragraphs(text):
            yield lineno, None, paragraph, []


def _texts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(map(_is_command, node.decorator_list)):
            doc = ast.get_docstring(node)
            if doc:
                yield node.lineno, doc
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "help" and _is_text(keyword.value):
                    yield node.lineno, keyword.value.value  # type: ignore[attr-defined]
            if (isinstance(node.func, ast.Name) and node.func.id == "Entry"
                    and len(node.args) >= 3 and _is_text(node.args[2])):
                yield node.lineno, node.args[2].value  # type: ignore[attr-defined]
        elif isinstance(node, ast.Assign) and _is_text(node.value) and any(
                isinstance(t, ast.Name) and t.id.endswith("_HELP") for t in node.targets):
            yield node.lineno, node.value.value  # type: ignore[attr-defined]


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)


def _is_command(decorator: ast.AST) -> bool:
    """``@handle_errors``, ``@app.command(...)``, ``@app.callback(...)``."""
    if isinstance(decorator, ast.Name):
        return decorator.id == "handle_errors"
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in ("command", "callback")
