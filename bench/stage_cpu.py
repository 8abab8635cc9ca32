"""CPU the worker's own process spends per cable to get prepared cables from its decoding
children (``CABLEROUTER_DECODE_PROCESSES``), no broker involved.

Usage (from the repository root, after ``deploy/setup``)::

    .venv/bin/python bench/stage_cpu.py [--processes 1] [--samples 7]

Runs the corpus (x4, in the router's 100-cable parts) through a ``ProcessStage`` and
builds every record the sink would get, as the router does. Prints the main process's CPU
time per cable (all its threads: receiving results runs in the executor's thread) and
the wall time per cable, min and median over the samples. The event loop's own share of
work is what limits the router, so this is the figure the child processes must keep low.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import resource
import statistics
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cablerouter import __version__  # noqa: E402
from cablerouter.directory_files import load_default_directory  # noqa: E402
from cablerouter.router.prepare import Params, ProcessStage, Routed, SourceRecord  # noqa: E402
from cablerouter.telegram import DecodeLimits  # noqa: E402

_PART = 100  # cables per part, as BatchRouter hands them over


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def run(processes: int, samples: int) -> None:
    raws = [p.read_bytes() for p in sorted((REPO / "tests/corpus").glob("**/*.txt"))]
    sources = [SourceRecord(topic="cables.raw", partition=0, offset=i, timestamp=1.7e9, key=None, value=r)
               for i, r in enumerate(raws)] * 4
    parts = [sources[i : i + _PART] for i in range(0, len(sources), _PART)]
    params = Params(limits=DecodeLimits(), topic_prefix="cables.to.", routed_topic="cables.routed",
                    router_version=__version__)
    directory = load_default_directory()
    stage = ProcessStage(params, processes)
    await stage.start(directory)
    cpu_us, wall_us = [], []
    try:
        for _ in range(samples):
            c0, t0 = _cpu(), time.perf_counter()
            for _ in range(3):
                async for _, results in stage.run(parts, directory):
                    for r in results:
                        if isinstance(r, Routed):
                            r.delivery_records()
            n = 3 * len(sources)
            cpu_us.append((_cpu() - c0) / n * 1e6)
            wall_us.append((time.perf_counter() - t0) / n * 1e6)
    finally:
        await asyncio.to_thread(stage.close)
    print(f"{len(sources)} cables x 3 per sample, {samples} samples, {processes} child process(es)")
    print(f"worker process CPU per cable: min {min(cpu_us):.1f} us, median {statistics.median(cpu_us):.1f} us")
    print(f"wall time per cable:          min {min(wall_us):.1f} us, median {statistics.median(wall_us):.1f} us")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=1, help="decoding children (default 1)")
    parser.add_argument("--samples", type=int, default=7, help="samples of 3 passes each (default 7)")
    args = parser.parse_args()
    asyncio.run(run(args.processes, args.samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
