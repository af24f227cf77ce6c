"""``make fuzz``: load many mutants of the bundled plan and report what happened.

Usage: python -m tests.fuzz_plan [--mutants 10000] [--workers 2] [--cpu-seconds 10]
       [--memory-mib 1024]

Runs in its own process under resource limits: its address space may grow by at most
``--memory-mib`` (``RLIMIT_AS``; a case that needs more fails with MemoryError and is counted as
a crash), and each case may use at most ``--cpu-seconds`` of CPU time (``ITIMER_VIRTUAL``; a case
that needs more is a hang). Every 20th case is also measured with tracemalloc. Prints the mutants
tried, the crashes and hangs found (the first few, with their edits) and the time taken; exits 1
if there was any crash or hang. ``--workers`` splits the mutants over that many processes (each
with its own limits) and adds their figures up.
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import subprocess
import sys
import time
import traceback
import tracemalloc
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from tests.plan_mutants import MUTANTS, check, mutate


class _Hang(Exception):
    pass


def _expired(_signum: int, _frame: Any) -> None:
    raise _Hang


def _limit_memory(extra_mib: int) -> int:
    """Limit the address space to what the process uses now plus ``extra_mib``; return it."""
    with open("/proc/self/statm") as statm:
        now = int(statm.read().split()[0]) * resource.getpagesize()
    limit = now + extra_mib * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    return limit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mutants", type=int, default=10_000)
    parser.add_argument("--cpu-seconds", type=float, default=10.0)
    parser.add_argument("--memory-mib", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.workers > 1:
        return _split(args)
    check(mutate([("delete", 0)]))  # warm up: imports and caches are not the cases' memory
    limit = _limit_memory(args.memory_mib)
    signal.signal(signal.SIGVTALRM, _expired)
    stats: dict[str, Any] = {"tried": 0, "loaded": 0, "crashes": [], "hangs": [],
                             "max_cpu": 0.0, "max_peak": 0, "texts": set()}
    started = time.perf_counter()

    @settings(max_examples=args.mutants, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(MUTANTS)
    def one(edits: list[Any]) -> None:
        text = mutate(edits)
        n = stats["tried"] = stats["tried"] + 1
        stats["texts"].add(hash(text))
        sampled = n % 20 == 0
        if sampled:
            tracemalloc.start()
        cpu = time.process_time()
        signal.setitimer(signal.ITIMER_VIRTUAL, args.cpu_seconds)
        try:
            problem = check(text)
            if problem is not None:
                stats["crashes"].append((edits, problem))
        except _Hang:
            stats["hangs"].append((edits, f"over {args.cpu_seconds} s of CPU"))
        except Exception:  # noqa: BLE001 - every uncaught exception is a finding
            stats["crashes"].append((edits, traceback.format_exc(limit=6)))
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            stats["max_cpu"] = max(stats["max_cpu"], time.process_time() - cpu)
            if sampled:
                stats["max_peak"] = max(stats["max_peak"], tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()

    one()
    seconds = time.perf_counter() - started
    crashes, hangs = stats["crashes"], stats["hangs"]
    if args.json:
        print(json.dumps({"tried": stats["tried"], "distinct": len(stats["texts"]),
                          "crashes": len(crashes), "hangs": len(hangs), "seconds": seconds,
                          "max_cpu": stats["max_cpu"], "max_peak": stats["max_peak"],
                          "limit": limit, "found": [f"{e!r}\n{w}" for e, w in
                                                    (crashes + hangs)[:5]]}))
        return 1 if crashes or hangs else 0
    print(f"mutants tried: {stats['tried']} ({len(stats['texts'])} distinct texts)")
    print(f"crashes found: {len(crashes)}; hangs found: {len(hangs)}")
    print(f"time: {seconds:.1f} s; slowest case {stats['max_cpu']:.3f} s of CPU "
          f"(limit {args.cpu_seconds} s); largest sampled peak "
          f"{stats['max_peak'] / 1024 / 1024:.1f} MiB (address space limited to "
          f"{limit / 1024 / 1024:.0f} MiB)")
    for edits, what in (crashes + hangs)[:5]:
        print(f"--- edits {edits!r}\n{what}")
    return 1 if crashes or hangs else 0


def _split(args: argparse.Namespace) -> int:
    """Run the mutants in ``args.workers`` processes and print their figures added up."""
    started = time.perf_counter()
    share = -(-args.mutants // args.workers)
    workers = [subprocess.Popen(
        [sys.executable, "-m", "tests.fuzz_plan", "--mutants", str(share), "--json",
         "--cpu-seconds", str(args.cpu_seconds), "--memory-mib", str(args.memory_mib)],
        stdout=subprocess.PIPE, text=True) for _ in range(args.workers)]
    figures = [json.loads(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
    tried = sum(f["tried"] for f in figures)
    crashes, hangs = sum(f["crashes"] for f in figures), sum(f["hangs"] for f in figures)
    print(f"mutants tried: {tried} in {args.workers} processes "
          f"({sum(f['distinct'] for f in figures)} distinct texts)")
    print(f"crashes found: {crashes}; hangs found: {hangs}")
    print(f"time: {time.perf_counter() - started:.1f} s; slowest case "
          f"{max(f['max_cpu'] for f in figures):.3f} s of CPU (limit {args.cpu_seconds} s); "
          f"largest sampled peak {max(f['max_peak'] for f in figures) / 1024 / 1024:.1f} MiB "
          f"(address space of each process limited to "
          f"{max(f['limit'] for f in figures) / 1024 / 1024:.0f} MiB)")
    for found in [x for f in figures for x in f["found"]][:5]:
        print(f"--- {found}")
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
