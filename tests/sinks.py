"""Real local delivery sinks for tests: an HTTP webhook, an SMTP server with STARTTLS, MQTT.

Each sink is a context manager that starts on loopback and stops cleanly on exit::

    from tests.sinks import MqttSubscriber, SmtpSink, WebhookSink

    with WebhookSink() as hook:
        notifier = AppriseNotifier.from_urls([(hook.json_url("/nn"), "nn")])
        notifier.send("nn", message)
        assert hook.wait_for(1)[0].json()["title"] == message.subject

    with SmtpSink() as smtp:                      # STARTTLS, self-signed cert (trustme)
        url = smtp.mailto_url(to="vp@nn.example.vn")   # includes mode=starttls&verify=no
        ...
        email = smtp.wait_for(1)[0].message      # email.message.EmailMessage, headers decoded

    with MqttSubscriber("agencyflow/test/nn") as sub:   # needs Mosquitto at 127.0.0.1:1883
        ...
        assert sub.wait_for(1)[0].payload.decode() == "..."

No sink skips a test: if Mosquitto is not running, ``MqttSubscriber`` raises ``ConnectionError``.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from agencyflow.demo.sink import LoopbackService

__all__ = ["MqttSubscriber", "ReceivedMail", "ReceivedMqtt", "RecordedRequest", "SmtpSink",
           "WebhookSink", "free_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers that need a number)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(records: list, count: int, timeout: float, what: str) -> list:
    deadline = time.monotonic() + timeout
    while len(records) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: expected {count} within {timeout}s, got {len(records)}")
        time.sleep(0.01)
    return list(records)


# --------------------------------------------------------------------------- HTTP webhook


@dataclass(frozen=True)
class RecordedRequest:
    """One request the webhook sink answered: method, path, headers, raw body and the status."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        """The body decoded as UTF-8 JSON."""
        return json.loads(self.body.decode("utf-8"))


class _HookHandler(BaseHTTPRequestHandler):
    server: _HookServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep tests quiet
        return

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # the sender went away mid-body (a dispatcher killed with kill -9): as for any HTTP
            # server, an incomplete request is no delivery — nothing recorded, nothing answered
            self.close_connection = True
            return
        status = self.server.sink.status_for(self.path)
        self.server.sink._record(RecordedRequest(
            self.command, self.path, dict(self.headers.items()), body, status))
        payload = b'{"ok": true}' if status < 400 else b'{"ok": false}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PUT = do_GET = _answer


class _HookServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # listen backlog: concurrent senders must not see refused connects

    def __init__(self, address: tuple[str, int], sink: WebhookSink) -> None:
        self.sink = sink
        super().__init__(address, _HookHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client gave up (a timeout test); report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class WebhookSink(LoopbackService):
    """A threaded HTTP server on a random loopback port that records every request.

    Paths choose the answer: ``/status/<code>/...`` answers with that status,
    ``/delay/<seconds>/...`` waits before answering 200, anything else answers 200.
    ``down("500")`` makes every path answer 500, ``down("refuse")`` closes the port (connection
    refused); ``up()`` restores normal service on the same port. Requests are in ``requests``.
    """

    def __init__(self) -> None:
        """Create the sink; it listens once entered (or after :meth:`start`)."""
        super().__init__()
        self.requests: list[RecordedRequest] = []
        self._forced: int | None = None
        self._lock = threading.Lock()

    def make_server(self) -> _HookServer:
        """The recording server, on the previous port after a ``down("refuse")``."""
        return _HookServer(("127.0.0.1", self.port), self)

    def down(self, mode: str = "500") -> None:
        """Simulate an outage: ``"500"`` answers 500 on every path, ``"refuse"`` closes the port."""
        if mode == "refuse":
            self.stop()
        else:
            self._forced = int(mode)

    def up(self) -> None:
        """End a simulated outage."""
        self._forced = None
        if self._server is None:
            self.start()

    def status_for(self, path: str) -> int:
        """The status the sink answers for ``path`` (applies a ``/delay/<s>`` wait first)."""
        parts = path.split("?")[0].strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "delay":
            time.sleep(float(parts[1]))
        if self._forced is not None:
            return self._forced
        if len(parts) >= 2 and parts[0] == "status":
            return int(parts[1])
        return 200

    def url(self, path: str = "/hook", scheme: str = "http") -> str:
        """``scheme://127.0.0.1:<port><path>``."""
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def json_url(self, path: str = "/hook", **params: object) -> str:
        """An apprise ``json://`` URL for ``path`` with optional query parameters (cto, rto…)."""
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.url(path, scheme="json") + (f"?{query}" if query else "")

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Wait until at least ``count`` requests arrived; return them (AssertionError if not)."""
        return _wait(self.requests, count, timeout, "webhook requests")


# --------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP sink accepted: envelope, whether it came over TLS, parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    tls: bool
    message: EmailMessage = field(repr=False)

    def part(self, content_type: str) -> str | None:
        """The decoded body part of the given type (``text/plain`` or ``text/html``), if any."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content()  # type: ignore[no-any-return]
        return None


class _SmtpHandler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        answer = self.sink._next_answer()
        if answer is not None:  # a scripted refusal: nothing was accepted
            return answer
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.sink._record(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos),
                                       session.ssl is not None, parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpSink:
    """An aiosmtpd server on loopback that requires STARTTLS and records every message.

    The certificate is issued for 127.0.0.1/localhost by a throw-away ``trustme`` CA, so
    clients must not verify it (apprise: ``verify=no``). No authentication is required.
    Received messages are in ``messages`` (:class:`ReceivedMail`). ``answers`` scripts the
    first answers to DATA (e.g. ``["451 4.3.0 Try again later"]``, or ``["550 …"] * 5``): each
    is given once, in order, and refuses that message; then every message is accepted (250).
    The refusals given are in ``refused``.
    """

    def __init__(self, require_starttls: bool = True, answers: Sequence[str] = ()) -> None:
        """Create the sink; it listens once entered (or after :meth:`start`)."""
        self.require_starttls = require_starttls
        self.messages: list[ReceivedMail] = []
        self._answers = list(answers)
        self.refused: list[str] = []
        self.port = 0
        self._controller: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def _tls_context() -> ssl.SSLContext:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        return context

    def start(self) -> SmtpSink:
        """Start the server on a free loopback port."""
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self._controller = Controller(
            _SmtpHandler(self), hostname="127.0.0.1", port=self.port,
            tls_context=self._tls_context(), require_starttls=self.require_starttls,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def mailto_url(self, to: str = "vanphong@nn.example.vn",
                   sender: str = "agencyflow@example.vn", **params: object) -> str:
        """An apprise URL for this sink: STARTTLS, certificate not verified, short timeouts."""
        query = {"mode": "starttls", "verify": "no", "from": sender, "to": to, "cto": 5, **params}
        return (f"mailto://127.0.0.1:{self.port}?"
                + "&".join(f"{k}={v}" for k, v in query.items()))

    def _record(self, mail: ReceivedMail) -> None:
        with self._lock:
            self.messages.append(mail)

    def _next_answer(self) -> str | None:
        with self._lock:
            if not self._answers:
                return None
            self.refused.append(self._answers.pop(0))
            return self.refused[-1]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Wait until at least ``count`` messages arrived; return them (AssertionError if not)."""
        return _wait(self.messages, count, timeout, "SMTP messages")


# --------------------------------------------------------------------------- MQTT


@dataclass(frozen=True)
class ReceivedMqtt:
    """One MQTT message: topic, raw payload, QoS."""

    topic: str
    payload: bytes
    qos: int

    def json(self) -> Any:
        """The payload decoded as UTF-8 JSON."""
        return json.loads(self.payload.decode("utf-8"))


class MqttSubscriber:
    """A paho-mqtt client subscribed to ``topic`` on the real broker (default 127.0.0.1:1883).

    Entering connects and waits for the subscription to be acknowledged, so nothing published
    afterwards is missed. Raises ``ConnectionError`` when the broker is unreachable: tests
    that need MQTT fail rather than skip. ``unique_topic()`` gives a collision-free topic.
    """

    def __init__(self, topic: str, host: str = "127.0.0.1", port: int = 1883,
                 qos: int = 1, timeout: float = 5.0) -> None:
        """Prepare a subscriber for ``topic`` (wildcards allowed)."""
        self.topic, self.host, self.port, self.qos, self.timeout = topic, host, port, qos, timeout
        self.messages: list[ReceivedMqtt] = []
        self._subscribed = threading.Event()
        self._client: Any = None

    @staticmethod
    def unique_topic(prefix: str = "agencyflow/test") -> str:
        """A topic no other test run uses."""
        return f"{prefix}/{uuid.uuid4().hex[:12]}"

    def start(self) -> MqttSubscriber:
        """Connect, subscribe and wait for SUBACK."""
        import paho.mqtt.client as mqtt

        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        client.on_connect = lambda c, *_: c.subscribe(self.topic, qos=self.qos)
        client.on_subscribe = lambda *_: self._subscribed.set()
        client.on_message = lambda _c, _u, msg: self.messages.append(
            ReceivedMqtt(msg.topic, bytes(msg.payload), msg.qos))
        try:
            client.connect(self.host, self.port, keepalive=30)
        except OSError as exc:
            where = f"{self.host}:{self.port}"
            raise ConnectionError(f"MQTT broker {where} unreachable: {exc}") from exc
        client.loop_start()
        self._client = client
        if not self._subscribed.wait(self.timeout):
            self.stop()
            raise ConnectionError(f"MQTT subscription to {self.topic!r} not acknowledged")
        return self

    def stop(self) -> None:
        """Disconnect and stop the network thread."""
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None

    def __enter__(self) -> MqttSubscriber:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, **params: object) -> str:
        """An apprise ``mqtt://`` URL publishing to this subscriber's topic (qos=1 by default)."""
        query = {"qos": self.qos, **params}
        return (f"mqtt://{self.host}:{self.port}/{self.topic}?"
                + "&".join(f"{k}={v}" for k, v in query.items()))

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMqtt]:
        """Wait until at least ``count`` messages arrived; return them (AssertionError if not)."""
        return _wait(self.messages, count, timeout, "MQTT messages")
