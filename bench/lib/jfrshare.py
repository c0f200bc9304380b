#!/usr/bin/env python3
"""Share of a JFR recording's samples that lie under each feature of forwarder, as `jfr print` writes it.

usage: jfr print --stack-depth 64 --events jdk.ExecutionSample,jdk.NativeMethodSample REC.jfr | jfrshare.py
A sample counts for a feature when any frame of its stack matches one of the feature's patterns (first feature
wins, in the order below). Samples of threads waiting for work (epoll_wait, select) are left out of the total,
so the shares are of the time the process was busy. Shows what the features-on forwarder spends that the
features-off one does not (bench/features.sh PROFILE=...).
"""
import re
import sys
from collections import Counter

FEATURES = [
    ("connection log", ("ch.qos.logback.", "org.slf4j.", "dev.forwarder.core.Addresses.format")),
    ("metrics", ("com.codahale.metrics.", "dev.forwarder.app.metrics.")),
    ("health checks", ("dev.forwarder.balancer.health.",)),
    ("balancing", ("dev.forwarder.balancer.",)),
]
IDLE = ("Native.epollWait(", "EPollSelectorImpl.doSelect(", "Native.epollBusyWait(")
FRAME = re.compile(r"^\s+([\w$.<>/]+\([^)]*\))\s+line:")
TYPE = re.compile(r"^(jdk\.\w+) \{")


def main():
    totals, shares = Counter(), Counter()
    kind, frames = None, []

    def flush():
        if not frames or not kind:
            return
        if any(idle in frames[0] for idle in IDLE):
            return
        totals[kind] += 1
        for name, patterns in FEATURES:
            if any(p in f for f in frames for p in patterns):
                shares[(kind, name)] += 1
                return

    for line in sys.stdin:
        m = TYPE.match(line)
        if m:
            flush()
            kind, frames = m.group(1), []
            continue
        m = FRAME.match(line)
        if m:
            frames.append(m.group(1))
    flush()
    for kind in sorted(totals):
        print(f"{kind}: {totals[kind]} busy samples")
        for name, _ in FEATURES:
            n = shares[(kind, name)]
            print(f"  {100.0 * n / totals[kind]:5.1f}%  {name}")


if __name__ == "__main__":
    main()
