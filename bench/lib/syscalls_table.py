#!/usr/bin/env python3
"""Side-by-side system calls per connection from `strace -f -c` summaries.

usage: syscalls_table.py N LABEL=FILE...
Prints one row per system call (those at 0.05 or more per connection for some target), sorted by the first
target's count, then the total. A call that failed (EAGAIN, EINPROGRESS) still counts: it still entered the kernel.
"""
import sys


def read(path):
    calls = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 5 or not parts[3].isdigit() or parts[-1] == "total":
                continue
            calls[parts[-1]] = int(parts[3])
    return calls


def main():
    n = float(sys.argv[1])
    targets = [arg.split("=", 1) for arg in sys.argv[2:]]
    counts = [(label, read(path)) for label, path in targets]
    names = set()
    for _, calls in counts:
        names |= {name for name, c in calls.items() if c / n >= 0.05}
    first = counts[0][1]
    width = max([len(x) for x in names] + [12])
    print(f"{'per connection':<{width}}" + "".join(f"{label:>14}" for label, _ in counts))
    for name in sorted(names, key=lambda x: (-first.get(x, 0), x)):
        print(f"{name:<{width}}" + "".join(f"{calls.get(name, 0) / n:>14.2f}" for _, calls in counts))
    print(f"{'total':<{width}}" + "".join(f"{sum(calls.values()) / n:>14.2f}" for _, calls in counts))


if __name__ == "__main__":
    main()
