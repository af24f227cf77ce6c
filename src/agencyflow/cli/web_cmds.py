"""`agencyflow web`: serve the pages (and the API) with uvicorn in factory mode.

The settings and the database are checked here first, so that a bad variable or an outdated
schema is one clear line (and the embedded database is upgraded once, before workers start).
"""

from __future__ import annotations

import typer

from agencyflow.cli.base import console, handle_errors
from agencyflow.cli.common import engine, settings
from agencyflow.i18n import ngettext

#: The uvicorn factory of the app.
FACTORY = "agencyflow.web.app:factory"


@handle_errors
def web(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1", "--forwarded-allow-ips",
        help="Reverse proxies trusted for X-Forwarded-For/-Proto (comma-separated)."),
) -> None:
    """Serve the web app: pages for every role (and the API under /api/v1).

    Example: AGENCYFLOW_DATA_DIR=./demo-data agencyflow web --port 8000
    """
    import uvicorn

    settings()
    engine()
    console.print(ngettext("agencyflow web on {url} ({n} worker); Ctrl+C to stop",
                           "agencyflow web on {url} ({n} workers); Ctrl+C to stop", workers
                           ).format(url=f"http://{host}:{port}/", n=workers), highlight=False)
    uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips,
                server_header=False, log_level="info")


def command(host: str, port: int, workers: int = 1) -> list[str]:
    """The command line that runs the web app in another process (``serve --web``)."""
    import sys

    return [sys.executable, "-m", "uvicorn", "--factory", FACTORY, "--host", host,
            "--port", str(port), "--workers", str(workers), "--proxy-headers",
            "--no-server-header"]
