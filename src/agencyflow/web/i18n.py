"""The pages' language: Vietnamese by default (``AGENCYFLOW_LANGUAGE``), English by a switch.

Templates translate through the one gettext mechanism, :mod:`agencyflow.i18n` (catalog domain
``web`` for the pages' own text, chained with the others), by ``jinja2.ext.i18n``. Each request
runs in the viewer's language (:class:`RequestLanguage` sets :mod:`agencyflow.i18n`'s context),
so that messages the services translate when they raise come in that language too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from agencyflow import i18n

#: Languages of the pages; the first is the default.
LANGUAGES = i18n.LANGUAGES
#: Name of the language cookie (``vi`` or ``en``: a preference, not a secret).
LANG_COOKIE = "af_lang"


def pick(requested: str | None, default: str) -> str:
    """The language to use: ``requested`` (the switch's cookie) when valid, else ``default``."""
    if requested in LANGUAGES:
        return requested
    return default if default in LANGUAGES else LANGUAGES[0]


ASGIApp = Callable[[MutableMapping[str, Any], Callable[..., Awaitable[Any]],
                    Callable[..., Awaitable[None]]], Awaitable[None]]


class RequestLanguage:
    """Pure ASGI middleware: run each request in the language of its cookie (else ``default``)."""

    def __init__(self, app: ASGIApp, *, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[..., Any],
                       send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = ""
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie = value.decode("latin-1")
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie)
        except Exception:  # noqa: BLE001 - a malformed cookie header means no preference
            jar = SimpleCookie()
        morsel = jar.get(LANG_COOKIE)
        with i18n.language(pick(morsel.value if morsel else None, self.default)):
            await self.app(scope, receive, send)
