#!/usr/bin/env python3
"""Print the features on/off table from the raw measurements that bench/features.sh collected.

usage: features_summary.py RAW_TSV
RAW_TSV lines: round slot workload target metric value, target being "off" or "on"; a round runs each workload
off on on off (or on off off on), and each forwarder's runs within a round are averaged first.
For each workload and metric: the median over rounds of each forwarder, and on/off as the median of the per-round
ratios. A figure is within 5% when features on
costs at most 5%: on/off >= 0.95 where higher is better, on/off <= 1.05 for latencies. The forwarder's CPU time
per unit of work (cpu rows) is shown for reading where a difference comes from, and is not judged.
"""
import statistics
import sys
from collections import defaultdict

from benchtable import fmt, print_errors

TARGETS = ["off", "on"]
TOLERANCE = 0.05
# workload, metric, label, unit, judged, higher is better
ROWS = [
    ("iperf1", "gbps", "iperf3, 1 stream", "Gbit/s", True, True),
    ("iperf4", "gbps", "iperf3, 4 streams", "Gbit/s", True, True),
    ("http-ka", "rps", "wrk 100 B, keep-alive", "req/s", True, True),
    ("http-ka", "p99_ms", "  p99", "ms", True, False),
    ("http-close", "rps", "wrk 100 B, Connection: close", "req/s", True, True),
    ("http-close", "p99_ms", "  p99", "ms", True, False),
    ("http-1m", "mibps", "wrk 1 MiB bodies", "MiB/s", True, True),
    ("rr", "rps", "loadtest rr 100 B, 50 conns", "req/s", True, True),
    ("rr", "p99_ms", "  p99", "ms", True, False),
]
# The forwarder's CPU per unit of work: CPU seconds of the JVM during the run over the work it relayed (rate times
# the seconds of load, load_s).
CPU_ROWS = [
    ("iperf1", "gbps", "iperf3, 1 stream", "ms/Gbit", 1e3),
    ("iperf4", "gbps", "iperf3, 4 streams", "ms/Gbit", 1e3),
    ("http-ka", "rps", "wrk keep-alive", "us/req", 1e6),
    ("http-close", "rps", "wrk Connection: close", "us/req", 1e6),
    ("http-1m", "mibps", "wrk 1 MiB bodies", "ms/GiB", 1024e3),
    ("rr", "rps", "loadtest rr", "us/req", 1e6),
]


def medians_and_ratio(values):
    """values: {(round, target): value} -> ([median off, median on], median of per-round on/off, ratios)."""
    rounds = sorted({r for r, _ in values})
    medians = []
    for t in TARGETS:
        vs = [values[(r, t)] for r in rounds if (r, t) in values]
        medians.append(statistics.median(vs) if vs else None)
    ratios = [values[(r, "on")] / values[(r, "off")] for r in rounds
              if (r, "on") in values and values.get((r, "off"))]
    return medians, (statistics.median(ratios) if ratios else None), ratios


def main():
    runs = defaultdict(dict)  # (round, slot, workload, target) -> {metric: value}
    errors = defaultdict(float)
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 6:
                continue
            rnd, slot, workload, target, metric, value = parts
            if metric == "errors":
                errors[(workload, target)] += float(value)
                continue
            runs[(int(rnd), int(slot), workload, target)][metric] = float(value)
    for (_, _, workload, _), metrics in runs.items():
        for row_workload, metric, _, _, scale in CPU_ROWS:
            if row_workload == workload and metrics.get(metric) and "cpu_s" in metrics and metrics.get("load_s"):
                metrics["cpu_per_unit"] = metrics["cpu_s"] / (metrics[metric] * metrics["load_s"]) * scale
    collected = defaultdict(lambda: defaultdict(list))  # (workload, metric) -> {(round, target): [values]}
    for (rnd, _, workload, target), metrics in runs.items():
        for metric, value in metrics.items():
            collected[(workload, metric)][(rnd, target)].append(value)
    data = {key: {k: statistics.mean(vs) for k, vs in values.items()} for key, values in collected.items()}

    header = f"{'workload':<30} {'unit':<7}{'off':>11}{'on':>11}{'on/off':>8}  {'per round':<22} verdict"
    print(header)
    print("-" * len(header))
    outside = []
    for workload, metric, label, unit, judged, higher in ROWS:
        values = data.get((workload, metric), {})
        if not values:
            continue
        medians, ratio, ratios = medians_and_ratio(values)
        verdict = ""
        if judged and ratio is not None:
            ok = ratio >= 1 - TOLERANCE if higher else ratio <= 1 + TOLERANCE
            verdict = "within 5%" if ok else "OUTSIDE 5%"
            if not ok:
                outside.append(f"{workload} {unit if higher else 'p99'}")
        per_round = " ".join(f"{r:.2f}" for r in ratios)
        print(f"{label:<30} {unit:<7}" + "".join(f"{fmt(m):>11}" for m in medians)
              + f"{(f'{ratio:.3f}' if ratio is not None else '-'):>8}  {per_round:<22} {verdict}")

    cpu_lines = []
    for workload, _, label, unit, _ in CPU_ROWS:
        per_unit = data.get((workload, "cpu_per_unit"), {})
        if not per_unit:
            continue
        medians, ratio, ratios = medians_and_ratio(per_unit)
        cpu_lines.append(f"{label:<30} {unit:<7}" + "".join(f"{fmt(m):>11}" for m in medians)
                         + f"{(f'{ratio:.3f}' if ratio is not None else '-'):>8}  "
                         + " ".join(f"{r:.2f}" for r in ratios))
    if cpu_lines:
        print()
        print("forwarder CPU per unit of work (JVM user+system time during the run; lower is better, not judged):")
        for line in cpu_lines:
            print(line)

    print()
    if outside:
        print(f"OUTSIDE 5%: {', '.join(outside)}")
    else:
        print("every judged figure within 5% of features off")
    print_errors(errors)


if __name__ == "__main__":
    main()
