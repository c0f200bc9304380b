#!/usr/bin/env python3
"""Turn one tool's output into "metric value" lines for bench/run.sh.

usage: parse.py iperf|wrk|loadtest FILE
  iperf     iperf3 -J output        -> gbps (received, Gbit/s)
  wrk       wrk --latency output    -> rps, p99_ms, mibps (transfer, MiB/s), errors
  loadtest  forwarder loadtest --json -> rps, p99_ms, errors
Prints nothing for a metric it cannot find, and exits 1 when it finds none.
"""
import json
import re
import sys

UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
UNITS_BYTES = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}


def iperf(text):
    data = json.loads(text)
    if "error" in data:
        return {}
    return {"gbps": data["end"]["sum_received"]["bits_per_second"] / 1e9}


def wrk(text):
    out = {}
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    m = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    if m:
        out["p99_ms"] = float(m.group(1)) * UNITS_MS[m.group(2)]
    m = re.search(r"Transfer/sec:\s*([\d.]+)(B|KB|MB|GB)", text)
    if m:
        out["mibps"] = float(m.group(1)) * UNITS_BYTES[m.group(2)] / 1024 ** 2
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    out["errors"] = errors + (int(m.group(1)) if m else 0)
    return out


def loadtest(text):
    data = json.loads(text)
    out = {"rps": data["requests_per_second"], "errors": data["errors_total"]}
    if data.get("latency_us"):
        out["p99_ms"] = data["latency_us"]["p99"] / 1e3
    return out


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        metrics = {"iperf": iperf, "wrk": wrk, "loadtest": loadtest}[kind](text)
    except (ValueError, KeyError):
        metrics = {}
    for name, value in metrics.items():
        print(f"{name} {value:.6g}")
    sys.exit(0 if metrics else 1)


if __name__ == "__main__":
    main()
