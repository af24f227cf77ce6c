"""A local Prefect server for `agencyflow serve`, started and stopped with it.

Prefect's temporary ("ephemeral") server runs no scheduler: deployments served against it are
never scheduled ("Cannot schedule flows on an ephemeral server"). So when ``PREFECT_API_URL`` is
not set, `serve` starts ``prefect server start`` on a free loopback port, with its database in
``<data dir>/prefect``, waits until it answers, points this process at it, and stops it on exit.
With ``PREFECT_API_URL`` set (a shared server, see the README's deployment section) nothing is
started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from agencyflow.errors import ConfigError
from agencyflow.i18n import _

#: How long the server may take to answer its health check (it migrates its database first).
START_TIMEOUT_SECONDS = 180
#: How often `serve` asks whether its Prefect server answers (:func:`watch`).
WATCH_SECONDS = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


@contextmanager
def prefect_api(home: Path) -> Iterator[str]:
    """The Prefect API URL to use: the configured one, or a local server run for the duration."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    command = [str(Path(sys.executable).with_name("prefect")), "server", "start",
               "--host", "127.0.0.1", "--port", str(port)]
    with open(home / "server.log", "ab") as log:
        # Its own session: Ctrl+C in the terminal reaches `serve` only, which stops its runs
        # through this server and then stops the server. On Linux the server is also told to
        # stop if `serve` dies without cleaning up (kill -9, the OOM killer).
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, preexec_fn=_stop_with_parent())
    try:
        _wait(process, url, home)
        os.environ["PREFECT_API_URL"] = url
        yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _stop_with_parent() -> Callable[[], None] | None:
    """For the child before exec, on Linux: SIGTERM when this process dies (prctl
    PR_SET_PDEATHSIG). libc is looked up here, in the parent: the child only makes the call."""
    if sys.platform != "linux":
        return None
    import ctypes
    import signal

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait(process: subprocess.Popen[bytes], url: str, home: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError(_("the local Prefect server exited (code {code}); see {log}")
                              .format(code=process.returncode, log=home / "server.log"))
        if _healthy(url):
            return
        time.sleep(0.5)
    raise ConfigError(_("the local Prefect server did not answer within {seconds} s; see {log}")
                      .format(seconds=START_TIMEOUT_SECONDS, log=home / "server.log"))


def wait_until_answering(url: str, every: float = 1.0) -> None:
    """Return once the Prefect API at ``url`` answers its health check (a signal handler may
    interrupt the wait)."""
    while not _healthy(url):
        time.sleep(every)


@contextmanager
def watch(url: str, say: Callable[[str], None], every: float = WATCH_SECONDS) -> Iterator[None]:
    """While the block runs, ask the Prefect API at ``url`` every ``every`` s whether it
    answers; ``say`` when it stops answering, every minute while it does not, and when it
    answers again. Prefect's runner keeps retrying by itself (runs due meanwhile start once the
    server is back); this makes the outage visible in `serve`'s output instead of in tracebacks."""
    stop = threading.Event()
    thread = threading.Thread(target=_watch_loop, args=(url, say, every, stop),
                              name="prefect-watch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def _watch_loop(url: str, say: Callable[[str], None], every: float,
                stop: threading.Event) -> None:
    down_since: datetime | None = None
    said = 0.0
    while not stop.wait(every):
        if _healthy(url):
            if down_since is not None:
                say(_("Prefect server {url} answers again; scheduled runs resume").format(
                    url=url))
            down_since = None
        elif down_since is None or time.monotonic() - said >= 60:
            down_since = down_since or datetime.now().astimezone()
            said = time.monotonic()
            say(_("Prefect server {url} does not answer (since {since:%H:%M:%S}); serve keeps "
                  "trying every {every:g} s, scheduled runs wait").format(
                url=url, since=down_since, every=every))
