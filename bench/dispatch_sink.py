"""Measure AppriseNotifier.send_many throughput to a loopback json:// webhook sink.

Run from the repository root::

    .venv/bin/python bench/dispatch_sink.py [--count 2000] [--concurrency 1 8 32 64] [--in-process]
                                            [--processes 2]

By default the sink is a small asyncio HTTP/1.1 server in a *separate process* (as a real
webhook receiver would be), so the figure is the dispatcher's own rate; ``--in-process`` uses
``tests/sinks.WebhookSink`` in this process instead (it then competes for the GIL). Every
message must be delivered: the sink's own count is checked. ``--processes N`` (N > 1) sends from
N worker processes (``AppriseNotifier(processes=N)``); their CPU is not in the CPU column.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agencyflow.notifications import Message
from agencyflow.notifications.apprise_notifier import AppriseNotifier

SINK = r'''
import asyncio
count = 0
async def handle(reader, writer):
    global count
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            body = b"{}"
            if head.startswith(b"GET /count"):
                body = str(count).encode()
            else:
                count += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(main())
'''


@contextmanager
def subprocess_sink() -> Iterator[tuple[int, object]]:
    """Start the asyncio sink in another process; yield (port, delivered-count function)."""
    proc = subprocess.Popen([sys.executable, "-c", SINK], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())  # type: ignore[union-attr]

        def delivered() -> int:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/count") as response:
                return int(response.read())

        yield port, delivered
    finally:
        proc.terminate()
        proc.wait()


@contextmanager
def inprocess_sink() -> Iterator[tuple[int, object]]:
    """Start tests/sinks.WebhookSink in this process; yield (port, delivered-count function)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from sinks import WebhookSink

    with WebhookSink() as hook:
        yield hook.port, lambda: len(hook.requests)


def measure(
    count: int, concurrency: int, in_process: bool, agencies: int = 20, processes: int = 1
) -> tuple[float, float]:
    """Send ``count`` messages over ``agencies`` tags; return (msg/s, CPU ms per message)."""
    with (inprocess_sink() if in_process else subprocess_sink()) as (port, delivered):
        notifier = AppriseNotifier.from_urls(
            [(f"json://127.0.0.1:{port}/agency/{i}?cto=2&rto=5", f"ag{i}")
             for i in range(agencies)], processes=processes
        )
        message = Message("[Nhắc việc] Hoàn thiện hồ sơ OCOP", "Kính gửi: Phòng Nông nghiệp " * 20)
        items = [(f"ag{i % agencies}", message) for i in range(count)]
        notifier.send_many(items[:100], concurrency=concurrency)  # warm up (starts workers)
        before = delivered()  # type: ignore[operator]
        started, cpu = time.perf_counter(), time.process_time()
        results = notifier.send_many(items, concurrency=concurrency)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        failed = sum(1 for per_item in results for r in per_item if not r.ok)
        got = delivered() - before  # type: ignore[operator]
        notifier.close()
        if failed or got != count:
            raise SystemExit(f"{failed} deliveries failed, sink received {got}/{count}")
    return count / elapsed, cpu * 1000 / count


def main() -> None:
    """Parse arguments and print one line per concurrency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    where = "in-process WebhookSink" if args.in_process else "sink in another process"
    for concurrency in args.concurrency:
        rate, cpu_ms = measure(args.count, concurrency, args.in_process,
                               processes=args.processes)
        print(f"send_many concurrency={concurrency:3d} processes={args.processes}: "
              f"{rate:6.0f} msg/s, {cpu_ms:.2f} ms CPU/msg ({args.count} messages, {where}; "
              f"load average {os.getloadavg()[0]:.2f})")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
