"""Delivery through apprise — with :mod:`apprise_channels`, the only modules importing apprise.

Configuration is an apprise YAML file; each URL carries the tags that select it::

    # notifications.yaml
    urls:
      - json://hooks.nn.example.gov.vn/agencyflow?cto=3&rto=10:
          - tag: "nn, reminders"          # comma-separated: agency code(s) and topics
      - mailtos://user:pass@mail.example.gov.vn:587?mode=starttls&to=vp@nn.example.gov.vn:
          - tag: nn
      - mqtt://127.0.0.1:1883/agencyflow/nn?qos=1:
          - tag: nn

Useful URL parameters (any service):

- ``cto`` — socket connect timeout in seconds (default 4; **15 for email**: set ``cto=5``),
- ``rto`` — socket read timeout in seconds (default 4),
- ``verify=no`` — accept a self-signed TLS certificate (test servers only),
- ``retry=N&wait=S`` — apprise-level retries (off by default; the dispatcher retries instead).

``call_timeout`` (seconds, 0 = off, the default) caps a whole channel call on top of the per-URL
timeouts; apprise then runs the call in its shared worker pool (min(32, CPUs + 4) threads), which
bounds the concurrency of :meth:`send_many` — prefer ``cto``/``rto`` on the URLs.
A URL that apprise cannot parse is *dropped with only a log line*: call :meth:`missing_tags`
at start-up with every agency tag to find agencies that would receive nothing. Apprise's
special tag ``always`` selects a URL for every tag in :meth:`channels` but does not count as
coverage in :meth:`check_tags`.

A channel is named by its privacy-masked URL without the query string (``json://host/path``);
when two URLs mask to the same name the later ones get ``#2``, ``#3`` … in file order. The
delivery key of a notification on a channel is ``agencyflow:<notification key>:<channel id>``,
the channel id being 12 hex digits of the name's sha256 (:func:`~.base.delivery_key`): the
same for every retry and every dispatcher with the same configuration.

E-mail ignores ``call_timeout`` (the URL's ``cto`` bounds every SMTP socket operation).

Throughput: one message costs about 3 ms of CPU in apprise and ``requests``, so the threads of
:meth:`~AppriseNotifier.send_many` share one core (the GIL). ``processes=N`` (N > 1) on
:meth:`~AppriseNotifier.from_config` / :meth:`~AppriseNotifier.from_urls` sends large batches
(``POOL_MIN_ITEMS`` or more) from N worker processes instead; see
:mod:`agencyflow.notifications.apprise_pool`. Call :meth:`~AppriseNotifier.close` when done.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import apprise
from apprise.plugins.email import NotifyEmail

from agencyflow.errors import ConfigError
from agencyflow.notifications import apprise_channels
from agencyflow.notifications.apprise_pool import Recipe, SenderPool
from agencyflow.notifications.base import (
    ChannelResult,
    Message,
    SendItem,
    delivery_key,
    iter_concurrently,
    run_concurrently,
    split_item,
)

log = logging.getLogger(__name__)

_HTTP_STATUS = re.compile(r"error=(\d{3})\b")
_MAX_ERROR = 500
DELIVERY_ERRORS: tuple[type[BaseException], ...] = (OSError, UnicodeError)
"""What a channel call may raise that is a failure to deliver (sockets, TLS, SMTP and
``requests`` errors are all ``OSError``s; odd text a peer's encoding refuses). Anything else is a
bug of ours and propagates: the dispatcher fails loudly and leaves the row pending."""
POOL_MIN_ITEMS = 64
"""Smaller ``send_many`` batches are sent on threads in this process even with ``processes``."""


class _AppriseLogCollector(logging.Handler):
    """Collects ERROR/WARNING lines of the ``apprise`` logger while a config file loads."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _asset() -> apprise.AppriseAsset:
    """Run each channel call inline in the calling thread (our pool gives the concurrency).

    apprise's default 60 s ``service_timeout`` and ``async_mode`` route every call through its
    shared pool of min(32, CPUs + 4) workers, which caps send_many; URL ``cto``/``rto`` bound
    the socket waits instead.
    """
    return apprise.AppriseAsset(async_mode=False, service_timeout=0)


def channel_name(service: apprise.NotifyBase) -> str:
    """A secret-free name for an apprise service: its masked URL without the query string."""
    masked = service.url(privacy=True)
    parts = urlsplit(masked)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def error_text(result: apprise.AppriseResult) -> str:
    """Summarise a failed apprise result from its captured WARNING/ERROR lines."""
    lines: list[str] = []
    for entry in result.logs():
        if entry.level in ("WARNING", "ERROR", "CRITICAL") and entry.message not in lines:
            lines.append(entry.message)
    text = "; ".join(lines)
    status = _HTTP_STATUS.search(text)
    if status:
        text = f"HTTP {status.group(1)}: {text}"
    if result.status == apprise.AppriseResultStatus.TIMEOUT:
        text = f"timed out{': ' + text if text else ''}"
    text = text or f"delivery failed ({result.status.name})"
    elapsed = sum(attempt.elapsed for service in result for attempt in service)
    return f"{text} [after {elapsed:.1f} s]"[:_MAX_ERROR]


class AppriseNotifier:
    """Implements :class:`~agencyflow.notifications.base.Notifier` with apprise services.

    Build it with :meth:`from_config` (a YAML file) or :meth:`from_urls` (tests, scripts).
    Thread-safe for concurrent sends; :meth:`send_many` uses a thread pool, or worker
    processes when built with ``processes > 1`` (see the module docstring).
    """

    def __init__(
        self,
        services: Iterable[apprise.NotifyBase],
        call_timeout: float = 0,
        source: str = "<memory>",
        pool: SenderPool | None = None,
    ) -> None:
        """Wrap already-instantiated apprise services (``NotifyBase`` objects); ``pool`` (from
        :meth:`from_config`/:meth:`from_urls`) sends large batches from worker processes."""
        self.source = source
        self.call_timeout = call_timeout
        self.pool = pool
        self.load_problems: list[str] = []
        self._html: dict[str, bool] = {}
        self._all = apprise.Apprise()
        self._single: dict[str, apprise.Apprise] = {}
        self._service: dict[str, apprise.NotifyBase] = {}
        self._name_of: dict[int, str] = {}
        self._by_tag: dict[str, list[str]] = {}
        for service in services:
            self._register(service)

    def _register(self, service: apprise.NotifyBase) -> None:
        base = name = channel_name(service)
        counter = 1
        while name in self._service:
            counter += 1
            name = f"{base}#{counter}"
        self._all.add(service)
        self._single[name] = apprise.Apprise(service)
        self._service[name] = service
        self._name_of[id(service)] = name

    @classmethod
    def from_config(cls, path: str | Path, call_timeout: float = 0, processes: int = 1
                    ) -> AppriseNotifier:
        """Load an apprise YAML (or text) configuration file; see the module docstring.

        Raises :class:`~agencyflow.errors.ConfigError` if the file does not exist or cannot
        be read. URLs apprise rejects are dropped; their log lines are kept in
        ``load_problems`` and logged at ERROR.
        """
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"{file}: notification configuration file not found")
        collector = _AppriseLogCollector()
        apprise_logger = logging.getLogger("apprise")
        apprise_logger.addHandler(collector)
        try:
            config = apprise.AppriseConfig(asset=_asset())
            if not config.add(str(file.resolve())):
                raise ConfigError(f"{file}: not a readable apprise configuration")
            services = config.services()
        finally:
            apprise_logger.removeHandler(collector)
        recipe: Recipe = ("config", str(file.resolve()), call_timeout)
        notifier = cls(services, call_timeout=call_timeout, source=str(file),
                       pool=SenderPool(from_recipe, recipe, processes) if processes > 1 else None)
        notifier.load_problems = collector.lines
        for line in collector.lines:
            log.error("%s: %s", file, line)
        return notifier

    @classmethod
    def from_urls(
        cls, entries: Iterable[tuple[str, str]], call_timeout: float = 0, processes: int = 1
    ) -> AppriseNotifier:
        """Build from ``(url, "tag1, tag2")`` pairs; an unparseable URL raises ConfigError."""
        entries = [(str(url), str(tags)) for url, tags in entries]
        services = []
        for url, tags in entries:
            service = apprise.Apprise.instantiate(url, asset=_asset(), tag=tags)
            if service is None:
                raise ConfigError(f"invalid notification URL for tags {tags!r}")
            services.append(service)
        recipe: Recipe = ("urls", entries, call_timeout)
        return cls(services, call_timeout=call_timeout,
                   pool=SenderPool(from_recipe, recipe, processes) if processes > 1 else None)

    def channels(self, tag: str) -> list[str]:
        """Names of the channels ``tag`` selects (including services tagged ``always``)."""
        names = self._by_tag.get(tag)
        if names is None:  # apprise's matching is O(services): remember it per tag
            names = [self._name_of[id(s)] for s in self._all.find(tag)]
            self._by_tag[tag] = names
        return list(names)

    def wants_html(self, tag: str) -> bool:
        """True when some channel of ``tag`` is email (the only kind that gets ``html``)."""
        wanted = self._html.get(tag)
        if wanted is None:
            wanted = any(isinstance(self._service[c], NotifyEmail) for c in self.channels(tag))
            self._html[tag] = wanted
        return wanted

    def check_tags(self, tags: Iterable[str]) -> dict[str, int]:
        """Count the channels configured for each tag (``always`` services not counted)."""
        return {tag: sum(1 for _ in self._all.find(tag, match_always=False)) for tag in tags}

    def missing_tags(self, tags: Iterable[str]) -> list[str]:
        """The tags, in the given order, that select no channel at all."""
        return [tag for tag, count in self.check_tags(tags).items() if count == 0]

    def send(
        self, tag: str, message: Message, only: Collection[str] | None = None
    ) -> list[ChannelResult]:
        """Send to each channel of ``tag`` (or only those in ``only``); one result per channel.

        Channels are sent one after another in this call; use :meth:`send_many` for throughput.
        """
        targets = [c for c in self.channels(tag) if only is None or c in only]
        return [self.send_to_channel(channel, message) for channel in targets]

    def send_to_channel(self, channel: str, message: Message) -> ChannelResult:
        """Deliver to one named channel; never raises for a delivery failure (only for a bug,
        see :data:`DELIVERY_ERRORS`).

        What each kind of channel receives — the e-mail built from both template parts, the
        JSON and MQTT payloads, the delivery key (:func:`~.base.delivery_key` of
        ``message.key``) — is described in :mod:`agencyflow.notifications.apprise_channels`.
        The subject is the apprise title; ``message.notify_type`` the apprise type.
        """
        single = self._single.get(channel)
        if single is None:
            return ChannelResult(channel, ok=False, error="unknown channel")
        service = self._service[channel]
        key = delivery_key(message.key, channel) if message.key else None
        if isinstance(service, NotifyEmail):
            return apprise_channels.send_email(channel, service, message, key)
        target = apprise_channels.with_identity(service, message, key)
        if target is not service:
            single = apprise.Apprise(target)
        body, title = apprise_channels.body_for(service, message, key)
        try:
            result = single.notify(
                body=body, title=title, body_format=apprise.NotifyFormat.TEXT,
                notify_type=message.notify_type, timeout=self.call_timeout,
            )
        except DELIVERY_ERRORS as exc:  # the network or the peer failed: a delivery failure
            log.warning("apprise raised while sending to %s: %r", channel, exc)
            return ChannelResult(channel, ok=False, error=f"{type(exc).__name__}: {exc}")
        if result:
            return ChannelResult(channel, ok=True)
        return ChannelResult(channel, ok=False, error=error_text(result))

    def send_many(
        self, items: Iterable[SendItem], concurrency: int = 32
    ) -> list[list[ChannelResult]]:
        """Send many ``(tag, message[, only])`` items, ``concurrency`` at a time; results in
        item order. With worker processes, batches of ``POOL_MIN_ITEMS`` or more are shared
        among them (``concurrency`` threads in all)."""
        normalised = [split_item(item) for item in items]
        if self.pool is None or len(normalised) < POOL_MIN_ITEMS or concurrency <= 1:
            return run_concurrently(self.send, normalised, concurrency)
        return self.pool.send_many(normalised, concurrency, self.channels)

    def send_iter(
        self, items: Sequence[SendItem], concurrency: int = 32
    ) -> Iterator[tuple[int, list[ChannelResult]]]:
        """Send like :meth:`send_many`, yielding ``(index, results)`` as items complete (from
        the worker processes chunk by chunk, from threads item by item)."""
        normalised = [split_item(item) for item in items]
        if self.pool is None or len(normalised) < POOL_MIN_ITEMS or concurrency <= 1:
            return iter_concurrently(self.send, normalised, concurrency)
        return self.pool.send_iter(normalised, concurrency, self.channels)

    def close(self) -> None:
        """Stop the worker processes, if any (the notifier stays usable)."""
        if self.pool is not None:
            self.pool.close()

    def __enter__(self) -> AppriseNotifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def from_recipe(recipe: Recipe) -> AppriseNotifier:
    """A worker process's notifier, built again from the recipe its pool was given."""
    kind, source, call_timeout = recipe
    if kind == "urls":
        return AppriseNotifier.from_urls(source, call_timeout=call_timeout)
    return AppriseNotifier.from_config(source, call_timeout=call_timeout)
