"""Benchmark of the Monte Carlo (a script, not a test): speed against the single run, and memory.

    python benchmarks/bench_montecarlo.py [--chunk 1000] [--draws 10000] [--big 100000]

Prints the median time of one single-scenario ``finmodel.run()``, the time per
draw of ``finmodel.montecarlo.monte_carlo`` over 10,000 draws and their ratio
(target >= 50x), the total time for 10,000 draws (target: a few seconds), and
the peak resident memory (VmHWM) of a fresh process running 10,000 and 100,000 draws
(target < 4 GiB), each against its target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

GIB = 1024**3

_CHILD = """
import time, tracemalloc
from finmodel.montecarlo import monte_carlo

def hwm():  # peak RSS of this process [KiB]; unlike ru_maxrss, not inherited from the parent that forked it
    with open("/proc/self/status") as fh:
        return int(next(line for line in fh if line.startswith("VmHWM:")).split()[1])

before = hwm()
if {traced}:
    tracemalloc.start()
t = time.perf_counter()
mc = monte_carlo({n}, seed=0, chunk={chunk})
mc.percentiles(); mc.prob_negative_npv()
seconds = time.perf_counter() - t
traced = tracemalloc.get_traced_memory()[1] if {traced} else 0
print(before, hwm(), seconds, traced)
"""


def peak_memory(n: int, chunk: int, traced: bool = False) -> tuple[int, int, float, int]:
    """Of a fresh process running n draws: peak RSS after imports and after the run [bytes], the run's
    time [s] and, if ``traced``, the run's tracemalloc peak [bytes] (numpy arrays included). Linux only."""
    code = _CHILD.format(n=n, chunk=chunk, traced=traced)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    before, after, seconds, peak = out.stdout.split()
    return int(before) * 1024, int(after) * 1024, float(seconds), int(peak)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="timed repeats of the Monte Carlo (median)")
    args = ap.parse_args(argv)

    import numpy as np

    import finmodel
    from finmodel.montecarlo import monte_carlo

    print(f"machine: {os.cpu_count()} CPUs, numpy {np.__version__}, python {sys.version.split()[0]}, chunk {args.chunk}")
    finmodel.run()  # warm up
    singles = []
    for _ in range(20):
        t = time.perf_counter()
        finmodel.run()
        singles.append(time.perf_counter() - t)
    single = statistics.median(singles)
    print(f"single-scenario finmodel.run():       {single * 1e3:8.2f} ms (median of {len(singles)})")

    monte_carlo(200, chunk=args.chunk)  # warm up
    totals = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        monte_carlo(args.draws, seed=0, chunk=args.chunk)
        totals.append(time.perf_counter() - t)
    total = statistics.median(totals)
    per_draw = total / args.draws
    ratio = single / per_draw
    print(f"monte_carlo, {args.draws:,} draws:          {total:8.2f} s total (median of {args.repeat}; target a few seconds)")
    print(f"  per draw:                           {per_draw * 1e3:8.4f} ms")
    print(f"  speed-up per draw vs finmodel.run(): {ratio:8.1f}x  (target >= 50x: {'met' if ratio >= 50 else 'MISSED'})")

    ok = ratio >= 50
    for n in (args.draws, args.big):
        before, peak, seconds, _ = peak_memory(n, args.chunk)
        traced = peak_memory(n, args.chunk, traced=True)[3]
        ok &= peak < 4 * GIB
        print(f"peak RSS, {n:>7,} draws (fresh process): {peak / 2**20:8.0f} MiB (imports alone {before / 2**20:.0f} MiB; "
              f"tracemalloc peak of the run {traced / 2**20:.0f} MiB; run {seconds:.1f} s; target < 4 GiB: {'met' if peak < 4 * GIB else 'MISSED'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
