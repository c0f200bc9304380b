#!/usr/bin/env python3
"""Print the bench table from the raw measurements that bench/run.sh collected.

usage: summarize.py RAW_TSV
RAW_TSV lines: round workload target metric value
For each workload and metric: the median over rounds per target, and each proxy's ratio to HAProxy as the
median of the per-round ratios (both measured in the same round). For latencies (p99) lower is better, and the
ratio shown is still proxy/HAProxy, so below 1.00x is better there.
"""
import statistics
import sys
from collections import defaultdict

TARGETS = ["direct", "forwarder", "haproxy", "nginx"]
# workload, metric, label, unit, goal for forwarder/haproxy (None: no goal), higher is better
ROWS = [
    ("iperf1", "gbps", "iperf3, 1 stream", "Gbit/s", 1.15, True),
    ("iperf4", "gbps", "iperf3, 4 streams", "Gbit/s", 1.15, True),
    ("http-ka", "rps", "wrk 100 B, keep-alive", "req/s", 1.0, True),
    ("http-ka", "p99_ms", "  p99", "ms", 1.0, False),
    ("http-close", "rps", "wrk 100 B, Connection: close", "req/s", 1.0, True),
    ("http-close", "p99_ms", "  p99", "ms", None, False),
    ("http-1m", "mibps", "wrk 1 MiB bodies", "MiB/s", 1.5, True),
    ("rr", "rps", "loadtest rr 100 B, 50 conns", "req/s", None, True),
    ("rr", "p99_ms", "  p99", "ms", None, False),
]


def fmt(value):
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value >= 0.01 else f"{value:.4f}"


def main():
    data = defaultdict(dict)  # (workload, metric) -> {(round, target): value}
    errors = defaultdict(float)
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 5:
                continue
            rnd, workload, target, metric, value = parts
            if metric == "errors":
                errors[(workload, target)] += float(value)
                continue
            data[(workload, metric)][(int(rnd), target)] = float(value)

    header = f"{'workload':<30} {'unit':<7}" + "".join(f"{t:>11}" for t in TARGETS) \
        + f"{'fwd/hap':>9}{'ngx/hap':>9}  {'goal (fwd/hap)':<15}"
    print(header)
    print("-" * len(header))
    for workload, metric, label, unit, goal, higher in ROWS:
        values = data.get((workload, metric), {})
        if not values:
            continue
        rounds = sorted({r for r, _ in values})
        medians = []
        for t in TARGETS:
            vs = [values[(r, t)] for r in rounds if (r, t) in values]
            medians.append(statistics.median(vs) if vs else None)
        ratios = []
        for proxy in ("forwarder", "nginx"):
            rs = [values[(r, proxy)] / values[(r, "haproxy")] for r in rounds
                  if (r, proxy) in values and values.get((r, "haproxy"))]
            ratios.append(statistics.median(rs) if rs else None)
        verdict = ""
        if goal is not None and ratios[0] is not None:
            met = ratios[0] >= goal if higher else ratios[0] <= goal
            verdict = (">= " if higher else "<= ") + f"{goal:.2f}x " + ("met" if met else "MISSED")
        print(f"{label:<30} {unit:<7}" + "".join(f"{fmt(m):>11}" for m in medians)
              + "".join(f"{(f'{r:.2f}x' if r is not None else '-'):>9}" for r in ratios) + f"  {verdict}")
    failed = {k: v for k, v in errors.items() if v}
    if failed:
        print()
        print("errors reported by the load tools (summed over rounds):")
        for (workload, target), n in sorted(failed.items()):
            print(f"  {workload:<12} {target:<10} {n:.0f}")


if __name__ == "__main__":
    main()
