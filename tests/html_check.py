"""A well-formedness check for the HTML our templates write, with ``html.parser``."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = frozenset({"meta", "br", "img", "hr", "input", "link"})


class HtmlCheck(HTMLParser):
    """Feeds HTML and records what is wrong: ``errors`` (end tags that close nothing or the
    wrong element), ``stack`` (elements never closed) and the ``links`` (``<a href>``)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v or "" for k, v in attrs if tag == "a" and k == "href"]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def check_html(text: str) -> HtmlCheck:
    """Parse ``text`` completely and return the checker (see :class:`HtmlCheck`)."""
    checker = HtmlCheck()
    checker.feed(text)
    checker.close()
    return checker
