"""A local webhook sink for the demo: records the JSON that apprise posts to each agency.

Each agency gets its own path (``json://127.0.0.1:PORT/<agency code>``), so the sink knows who
received what. The server is a :class:`~http.server.ThreadingHTTPServer` on a random loopback
port; it answers 200 to every POST and keeps the decoded bodies in :attr:`DemoSink.received`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Received:
    """One message the sink received: the agency (from the path), its title and body."""

    agency: str
    title: str
    body: str


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stay quiet
        return

    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        self.server.sink.record(urlsplit(self.path).path, raw)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, sink: DemoSink) -> None:
        self.sink = sink
        super().__init__(("127.0.0.1", 0), _Handler)


class LoopbackService:
    """An HTTP server on a loopback port, served from a daemon thread; a context manager.

    Subclasses build their server in :meth:`make_server` (bound to ``127.0.0.1`` and
    :attr:`port`, 0 for a free one). The demo's sink and the test suite's webhook sink share it.
    """

    def __init__(self) -> None:
        """Create the service; it listens once entered (or after :meth:`start`)."""
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    def make_server(self) -> ThreadingHTTPServer:
        """The server to run (bound to ``("127.0.0.1", self.port)``)."""
        raise NotImplementedError

    def start(self) -> Self:
        """Listen (on the previous port again after a :meth:`stop`), from a daemon thread."""
        self._server = self.make_server()
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True, name=type(self).__name__).start()
        return self

    def stop(self) -> None:
        """Stop listening and close the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class DemoSink(LoopbackService):
    """A webhook sink on a random loopback port; use it as a context manager."""

    def __init__(self) -> None:
        """Create the sink; it listens once entered (or after :meth:`start`)."""
        super().__init__()
        self.received: list[Received] = []
        self._lock = threading.Lock()

    def make_server(self) -> ThreadingHTTPServer:
        """The recording server."""
        return _Server(self)

    def url_for(self, agency: str) -> str:
        """The apprise URL of ``agency``'s channel (short timeouts: it is on loopback)."""
        return f"json://127.0.0.1:{self.port}/{agency}?cto=2&rto=5"

    def channels(self, agencies: Iterable[tuple[str, list[str]]]) -> list[tuple[str, str]]:
        """``(url, "tag1, tag2")`` pairs for ``AppriseNotifier.from_urls``: one channel per
        agency, selected by the agency's notification tags."""
        return [(self.url_for(code), ", ".join(tags)) for code, tags in agencies]

    def record(self, path: str, raw: bytes) -> None:
        """Keep one posted body (apprise's JSON: ``title`` and ``message``)."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError:
            data = {"message": raw.decode("utf-8", "replace")}
        item = Received(unquote(path.strip("/")), str(data.get("title") or ""),
                        str(data.get("message") or ""))
        with self._lock:
            self.received.append(item)
