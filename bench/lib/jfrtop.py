#!/usr/bin/env python3
"""Summarise the hot frames of a JFR recording, as `jfr print` writes it.

usage: jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample REC.jfr | jfrtop.py [N]
For each event type apart: the top N frames where the samples landed (self), the top N methods on the stack
(inclusive), and the share of samples per thread group (thread names without their trailing numbers).
jdk.ExecutionSample is Java code running; jdk.NativeMethodSample is a thread inside a native method, which is
either a system call doing work (connect, send, close) or a thread waiting (epollWait, doSelect).
"""
import re
import sys
from collections import Counter

FRAME = re.compile(r"^\s+([\w$.<>/]+\([^)]*\))\s+line:")
THREAD = re.compile(r'sampledThread = "([^"]*)"')


def main():
    top_n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    counters = {}  # event type -> (self, inclusive, threads, [count])
    kind, frames, thread, in_stack = None, [], None, False

    def flush():
        if frames and kind:
            self_time, inclusive, threads, count = counters.setdefault(
                kind, (Counter(), Counter(), Counter(), [0]))
            count[0] += 1
            self_time[frames[0]] += 1
            for f in set(frames):
                inclusive[f] += 1
            threads[re.sub(r"[-\d]+$", "", thread or "?")] += 1

    for line in sys.stdin:
        if line.startswith("jdk.ExecutionSample") or line.startswith("jdk.NativeMethodSample"):
            flush()
            kind, frames, thread, in_stack = line.split()[0], [], None, False
            continue
        m = THREAD.search(line)
        if m:
            thread = m.group(1)
        if "stackTrace = [" in line:
            in_stack = True
            continue
        if in_stack:
            m = FRAME.match(line)
            if m:
                frames.append(m.group(1))
            elif line.strip().startswith("]"):
                in_stack = False
    flush()
    if not counters:
        print("no samples")
    for kind, (self_time, inclusive, threads, count) in sorted(counters.items()):
        events = count[0]
        print(f"== {kind}: {events} samples")
        for title, counter in (("self (top of stack)", self_time), ("inclusive (anywhere on the stack)", inclusive),
                               ("threads", threads)):
            print(f"{title}:")
            for name, n in counter.most_common(top_n):
                print(f"  {100.0 * n / events:5.1f}%  {name}")
        print()


if __name__ == "__main__":
    main()
