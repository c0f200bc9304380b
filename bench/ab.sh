#!/usr/bin/env bash
# Two forwarder jars side by side (say the main an issue was filed against and today's), both warm, the same
# load alternating between them round after round, so that the machine's drift falls on both alike:
#   JAR_A=old.jar JAR_B=new.jar bash bench/ab.sh [WORKLOAD]      (default http-close)
# WORKLOAD: one of bench/run.sh's: iperf1, iperf4 (iperf3, 1 and 4 streams, work = bytes), http-ka, http-close
# (wrk, 100 B), http-1m (wrk, 1 MiB bodies; work = requests), rr (forwarder loadtest, 50 connections, 100 B).
# Environment: ROUNDS (default 8), SECS (seconds per run, default 4), WARM (seconds of load on each before the
# first round, default 8), CONNECTION_LOG (both forwarders' connection log level, default WARN: off),
# PROFILE=1 (also samples both with async-profiler over the rounds and splits their CPU per connection as
# bench/cpu-profile.sh does). Each jar runs one listener and one pool per backend (the same iperf3, nginx and
# echo-server for both), with a config both old and new jars read (no admin, capture or transport key). A jar with
# an admin port opens it on a free loopback port (FORWARDER_ADMIN_BIND=127.0.0.1:0, which older jars ignore), so that
# a jar can run against itself (an A/A run, to see the noise); it costs nothing per connection. Prints per round each side's requests and CPU
# per unit of work (user + system of its process, from /proc), then the medians and the per-round ratio B/A.
set -euo pipefail

WORKLOAD=${1:-http-close}
ROUNDS=${ROUNDS:-8}
SECS=${SECS:-4}
WARM=${WARM:-8}
: "${JAR_A:?JAR_A: the first jar}" "${JAR_B:?JAR_B: the second jar}"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$REPO/bench/lib
JAR=$JAR_A
source "$LIB/configs.sh"
source "$LIB/proc.sh"
source "$LIB/tools.sh"
source "$LIB/backends.sh"
source "$LIB/workloads.sh"
command -v wrk >/dev/null || install_debian wrk
command -v nginx >/dev/null || install_debian nginx-light
command -v iperf3 >/dev/null || install_debian iperf3

WORK=$(mktemp -d /tmp/forwarder-ab.XXXXXX)
chmod 755 "$WORK"
PIDS=()
trap_cleanup
cp "$JAR_A" "$WORK/a.jar"
cp "$JAR_B" "$WORK/b.jar"
JAR=$WORK/a.jar

case $WORKLOAD in
    iperf1|iperf4) BACKEND=IPERF ;; http-ka|http-close|http-1m) BACKEND=HTTP ;; rr) BACKEND=ECHO ;;
    *) die "unknown workload $WORKLOAD (expected: iperf1, iperf4, http-ka, http-close, http-1m or rr)" ;;
esac
pick_ports IPERF HTTP ECHO A B
start_backends
export FORWARDER_ADMIN_BIND=127.0.0.1:0 # both sides' admin ports: free ones, never the shared default 9901
for side in a b; do
    port=$P_A; [[ $side == b ]] && port=$P_B
    cat >"$WORK/$side.conf" <<CONF
forwarder {
  listeners.l { bind = "127.0.0.1:$port", pool = p }
  pools.p.backends = [ "127.0.0.1:$(eval "echo \$P_$BACKEND")" ]
}
CONF
    # shellcheck disable=SC2086
    start "fwd-$side" java -Dforwarder.connection.log="${CONNECTION_LOG:-WARN}" ${FWD_JAVA_OPTS:-} \
        -jar "$WORK/$side.jar" run --config "$WORK/$side.conf"
done
PA=$PID_fwd_a
PB=$PID_fwd_b
wait_port iperf3 "$P_IPERF"; wait_port nginx-http "$P_HTTP"; wait_port echo "$P_ECHO"
wait_port fwd-a "$P_A"; wait_port fwd-b "$P_B"

load() { # PORT SECONDS [FILE]: the load bench/run.sh puts on it (bench/lib/workloads.sh), its output to FILE
    run_tool "$WORKLOAD" "$1" "$2" "${3:-/dev/null}" >/dev/null
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The work a load did: requests (wrk, loadtest) or bytes the server received (iperf3).
requests() {
    case $WORKLOAD in
        iperf*) python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"]))' "$1" ;;
        rr) python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["requests"]))' "$1" ;;
        *) grep -E '^ +[0-9]+ requests in' "$1" | awk '{print $1}' ;;
    esac
}

log "warm-up: ${WARM} s on each"
load "$P_A" "$WARM"
load "$P_B" "$WARM"
AP=""
if [[ ${PROFILE:-0} == 1 ]]; then
    AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/4.1/async-profiler-4.1.jar
    [[ -f $AP_JAR ]] || mvn -q -B dependency:get -Dartifact=tools.profiler:async-profiler:4.1 >/dev/null
    (cd "$WORK" && unzip -q -o "$AP_JAR" 'linux-x64/*')
    AP=$WORK/linux-x64/libasyncProfiler.so
    for pid in "$PA" "$PB"; do
        jcmd "$pid" JVMTI.agent_load "$AP" "\"start,event=cpu,interval=1ms,cstack=vm,threads\"" >/dev/null
    done
fi
TICK=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
    # A first in odd rounds, B first in even ones.
    order="a b"; ((round % 2)) || order="b a"
    for side in $order; do
        pid=$PA port=$P_A; [[ $side == b ]] && pid=$PB port=$P_B
        t0=$(cpu_ticks "$pid")
        load "$port" "$SECS" "$WORK/load"
        t1=$(cpu_ticks "$pid")
        echo "$side $round $(requests "$WORK/load") $((t1 - t0))"
    done
done >"$WORK/ab.tsv"
if [[ -n $AP ]]; then
    jcmd "$PA" JVMTI.agent_load "$AP" "\"stop,file=$WORK/a.collapsed,collapsed\"" >/dev/null
    jcmd "$PB" JVMTI.agent_load "$AP" "\"stop,file=$WORK/b.collapsed,collapsed\"" >/dev/null
fi
echo "$WORKLOAD, A = $JAR_A, B = $JAR_B; $ROUNDS rounds of ${SECS} s each, alternating; load after:" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/ab.tsv" "$TICK" "$SECS" "$WORKLOAD" <<'PY'
import statistics
import sys
rows = [line.split() for line in open(sys.argv[1])]
tick, secs, workload = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
# iperf: work in bytes, shown as Gbit/s and CPU us per MiB; the others: requests, req/s and CPU us per request.
scale, rate_unit, cpu_unit = (8e-9, "Gbit/s", "us CPU/MiB") if workload.startswith("iperf") else (1, "req/s", "us CPU/req")
per_unit = (1 << 20) if workload.startswith("iperf") else 1
def cpu_of(work, ticks):
    return 1e6 * int(ticks) / tick / (int(work) / per_unit)
for side, rnd, work, ticks in rows:
    print(f"  round {rnd} {side.upper()}: {int(work) * scale / secs:10,.1f} {rate_unit}, {cpu_of(work, ticks):7.1f} {cpu_unit}")
per = {s: [(int(w), cpu_of(w, t)) for side, _, w, t in rows if side == s] for s in "ab"}
for s in "ab":
    print(f"{s.upper()}: median {statistics.median(w for w, _ in per[s]) * scale / secs:,.1f} {rate_unit},"
          f" median {statistics.median(c for _, c in per[s]):.1f} {cpu_unit}")
work = [b[0] / a[0] for a, b in zip(per["a"], per["b"])]
cpu = [b[1] / a[1] for a, b in zip(per["a"], per["b"])]
print(f"B/A {rate_unit} per round {[round(x, 2) for x in work]}, median {statistics.median(work):.3f}")
print(f"B/A {cpu_unit} per round {[round(x, 2) for x in cpu]}, median {statistics.median(cpu):.3f}")
PY
if [[ -n $AP ]]; then
    python3 "$LIB/cpu_split.py" "A=$WORK/a.collapsed:$(awk '$1=="a"{s+=$3} END{print s}' "$WORK/ab.tsv")" \
        "B=$WORK/b.collapsed:$(awk '$1=="b"{s+=$3} END{print s}' "$WORK/ab.tsv")"
fi
