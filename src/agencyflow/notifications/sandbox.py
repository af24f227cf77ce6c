"""A Jinja2 sandbox with limits, for site-edited notification templates.

``ImmutableSandboxedEnvironment`` blocks dunder tricks and mutation of lists/dicts, but not
CPU or memory bombs. :class:`LimitedSandbox` adds cooperative limits and
:func:`render_limited` renders in a worker thread with a deadline:

- ``range()`` is capped (Jinja's 100 000 items) and checks the deadline on every step,
- every sandboxed call and every ``*``/``**`` checks the deadline and refuses huge results,
- integer arguments to filters above ``max_int`` are refused (``'x'|center(10**9)``),
- ``namespace()`` is removed, so a loop cannot grow a value across iterations,
- output is streamed and abandoned past ``max_output`` characters or after ``seconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

_state = threading.local()


@dataclass(frozen=True)
class RenderLimits:
    """Limits for one sandboxed render: wall time, output size, largest integer argument."""

    seconds: float = 2.0
    max_output: int = 200_000
    max_int: int = 100_000


class RenderTimeout(SecurityError):
    """A sandboxed render ran past its deadline."""


def check_deadline() -> None:
    """Raise :class:`RenderTimeout` if the current thread's render is past its deadline."""
    deadline = getattr(_state, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise RenderTimeout("template render took too long")


class _CheckedRange:
    """``range`` that checks the render deadline on every step."""

    def __init__(self, *args: int) -> None:
        self._range = safe_range(*args)

    def __len__(self) -> int:
        return len(self._range)

    def __iter__(self) -> Iterator[int]:
        for value in self._range:
            check_deadline()
            yield value


def _guard_filter(func: Callable[..., Any], max_int: int) -> Callable[..., Any]:
    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > max_int:
                raise SecurityError(f"filter argument {value} exceeds {max_int}")
        check_deadline()
        return func(*args, **kwargs)

    return guarded


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox that enforces :class:`RenderLimits` (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, limits: RenderLimits | None = None, **kwargs: Any) -> None:
        """Create the environment; ``limits`` defaults to :class:`RenderLimits()`."""
        super().__init__(*args, **kwargs)
        self.limits = limits or RenderLimits()
        self.globals["range"] = _CheckedRange
        self.globals.pop("namespace", None)
        self.guard_filters()

    def guard_filters(self) -> None:
        """Wrap every registered filter with the integer and deadline checks (idempotent)."""
        for name, func in list(self.filters.items()):
            if not getattr(func, "_limited", False):
                guarded = _guard_filter(func, self.limits.max_int)
                guarded._limited = True  # type: ignore[attr-defined]
                self.filters[name] = guarded

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Refuse ``**`` with a large exponent and ``*`` building a huge sequence."""
        check_deadline()
        if operator == "**" and isinstance(right, int) and right > 64:
            raise SecurityError("exponent too large")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                sized = isinstance(count, int) and hasattr(seq, "__len__")
                if sized and len(seq) * count > self.limits.max_output:
                    raise SecurityError("multiplication result too large")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Check the deadline before every call made by template code."""
        check_deadline()
        return super().call(__context, __obj, *args, **kwargs)


def _render_chunks(template: Template, context: dict[str, Any], limits: RenderLimits) -> str:
    _state.deadline = time.monotonic() + limits.seconds
    try:
        parts: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > limits.max_output:
                raise SecurityError(f"template output exceeds {limits.max_output} characters")
            check_deadline()
            parts.append(chunk)
        return "".join(parts)
    finally:
        _state.deadline = None


def render_limited(template: Template, context: dict[str, Any], limits: RenderLimits) -> str:
    """Render ``template`` in a worker thread within ``limits``; raise on any failure.

    Raises :class:`RenderTimeout` when the render does not finish in time (the worker stops
    at its next deadline check), or whatever the template raised.
    """
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["text"] = _render_chunks(template, context, limits)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="template-render", daemon=True)
    worker.start()
    worker.join(limits.seconds + 0.5)
    if worker.is_alive():
        raise RenderTimeout(f"template render exceeded {limits.seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return str(outcome["text"])
