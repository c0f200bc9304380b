#!/usr/bin/env python3
"""Print the bench table from the raw measurements that bench/run.sh collected.

usage: summarize.py RAW_TSV
RAW_TSV lines: round workload target metric value
For each workload and metric: the median over rounds per target, and each proxy's ratio to HAProxy (plain, and
forwarder's also to HAProxy with forced splice) as the median of the per-round ratios (same round). For latencies (p99) lower is better, and the
ratio shown is still proxy/HAProxy, so below 1.00x is better there. The same holds for the proxy's CPU per unit of
work (user + system seconds of its processes during the run, divided by the work done; SECS in the environment is
the run length), which tells where a proxy spends more than its peer even when the load tool is the bottleneck.
"""
import os
import statistics
import sys
from collections import defaultdict

from benchtable import fmt, print_errors

TARGETS = ["direct", "forwarder", "haproxy", "haproxy-splice", "nginx"]
# Bulk goals are against HAProxy with forced splice, its best configuration for bulk (issue 12); the others against
# plain HAProxy.
BULK = {"iperf1", "iperf4", "http-1m"}
# workload, metric, label, unit, goal for forwarder/haproxy (None: no goal), higher is better
ROWS = [
    ("iperf1", "gbps", "iperf3, 1 stream", "Gbit/s", 1.15, True),
    ("iperf1", "cpu_per_unit", "  proxy CPU per GB", "s", None, False),
    ("iperf4", "gbps", "iperf3, 4 streams", "Gbit/s", 1.15, True),
    ("iperf4", "cpu_per_unit", "  proxy CPU per GB", "s", None, False),
    ("http-ka", "rps", "wrk 100 B, keep-alive", "req/s", 1.0, True),
    ("http-ka", "p99_ms", "  p99", "ms", 1.0, False),
    ("http-ka", "cpu_per_unit", "  proxy CPU per request", "us", None, False),
    ("http-close", "rps", "wrk 100 B, Connection: close", "req/s", 1.0, True),
    ("http-close", "p99_ms", "  p99", "ms", None, False),
    ("http-close", "cpu_per_unit", "  proxy CPU per request", "us", None, False),
    ("http-close", "sys_per_unit", "    of it in the kernel", "us", None, False),
    ("http-close-cold", "rps", "  cold: first run after start", "req/s", None, True),
    ("http-close-cold", "cpu_per_unit", "    proxy CPU per request", "us", None, False),
    ("http-1m", "mibps", "wrk 1 MiB bodies", "MiB/s", 1.15, True),
    ("http-1m", "cpu_per_unit", "  proxy CPU per GiB", "s", None, False),
    ("rr", "rps", "loadtest rr 100 B, 50 conns", "req/s", None, True),
    ("rr", "p99_ms", "  p99", "ms", None, False),
    ("rr", "cpu_per_unit", "  proxy CPU per request", "us", None, False),
]

# The unit of work each workload's CPU figure is divided by, from its throughput metric and the run's length.
WORK = {
    "iperf1": ("gbps", lambda v, secs: v * secs / 8),            # GB
    "iperf4": ("gbps", lambda v, secs: v * secs / 8),
    "http-ka": ("rps", lambda v, secs: v * secs / 1e6),          # millions of requests: CPU s / 1e6 req = us/req
    "http-close": ("rps", lambda v, secs: v * secs / 1e6),
    "http-close-cold": ("rps", lambda v, secs: v * secs / 1e6),
    "rr": ("rps", lambda v, secs: v * secs / 1e6),
    "http-1m": ("mibps", lambda v, secs: v * secs / 1024),       # GiB
}


def add_cpu_per_unit(data, secs):
    """CPU seconds of the proxy's processes per unit of work, total and in the kernel, per round and target."""
    for workload, (metric, work_of) in WORK.items():
        throughput = data.get((workload, metric), {})
        user = data.get((workload, "cpu_user_s"), {})
        system = data.get((workload, "cpu_sys_s"), {})
        for key, value in throughput.items():
            if key in user and key in system and value > 0:
                work = work_of(value, secs)
                data[(workload, "cpu_per_unit")][key] = (user[key] + system[key]) / work
                data[(workload, "sys_per_unit")][key] = system[key] / work


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
    add_cpu_per_unit(data, float(os.environ.get("SECS", "5")))

    header = f"{'workload':<30} {'unit':<7}" + "".join(f"{t[:14]:>15}" for t in TARGETS) \
        + f"{'fwd/hap':>9}{'fwd/haps':>9}{'ngx/hap':>9}  {'goal':<22}"
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
        for proxy, base in (("forwarder", "haproxy"), ("forwarder", "haproxy-splice"), ("nginx", "haproxy")):
            rs = [values[(r, proxy)] / values[(r, base)] for r in rounds
                  if (r, proxy) in values and values.get((r, base))]
            ratios.append(statistics.median(rs) if rs else None)
        verdict = ""
        against = 1 if workload in BULK else 0
        if goal is not None and ratios[against] is not None:
            met = ratios[against] >= goal if higher else ratios[against] <= goal
            verdict = (">= " if higher else "<= ") + f"{goal:.2f}x " + ("haps " if against else "hap ") \
                + ("met" if met else "MISSED")
        print(f"{label:<30} {unit:<7}" + "".join(f"{fmt(m):>15}" for m in medians)
              + "".join(f"{(f'{r:.2f}x' if r is not None else '-'):>9}" for r in ratios) + f"  {verdict}")
    print_errors(errors)


if __name__ == "__main__":
    main()
