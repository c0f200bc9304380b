"""`perf script` output (stdin) to collapsed stacks (stdout): thread;root;...;leaf count.

Kernel frames get async-profiler's `_[k]` suffix; user frames keep their symbol and get `_[u:DSO]`, the shared
object's file name, so that cpu_split.py reads both profilers' stacks alike.
"""
import collections
import os
import sys

stacks = collections.Counter()
comm, frames = None, []


def flush():
    if comm is not None and frames:
        stacks[";".join(["[" + comm + "]"] + list(reversed(frames)))] += 1


for raw in sys.stdin:
    line = raw.rstrip("\n")
    if not line.strip():
        flush()
        comm, frames = None, []
    elif not line.startswith(("\t", " ")):
        comm, frames = line.split()[0], []
    else:
        parts = line.strip().split(None, 1)
        rest = parts[1] if len(parts) > 1 else "[unknown]"
        symbol, _, dso = rest.rpartition(" (")
        symbol = symbol.split("+0x")[0] or "[unknown]"
        dso = dso.rstrip(")")
        frames.append(symbol + ("_[k]" if "kernel" in dso else "_[u:" + os.path.basename(dso) + "]"))
flush()
for stack, count in stacks.items():
    print(stack, count)
