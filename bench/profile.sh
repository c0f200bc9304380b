#!/usr/bin/env bash
# Profiles forwarder with JFR under one bench workload and prints its hot frames:
#   bash bench/profile.sh [iperf1|iperf4|http-ka|http-close|http-1m|rr]     (default http-close)
# Environment: SECS (recording and load, default 20), JAR (default forwarder-app/target/forwarder.jar),
# CONNECTION_LOG (the connection log level, default WARN: off), FWD_JAVA_OPTS (extra JVM flags).
# Starts the workload's backend and a forwarder on 127.0.0.1 only, warms up for 5 s, records for SECS seconds
# with the "profile" settings, then stops what it started. The recording and the summary stay in bench/results/.
# Assumes the tools are installed (bench/run.sh installs them).
set -euo pipefail

WORKLOAD=${1:-http-close}
SECS=${SECS:-20}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$REPO/bench/lib
JAR=${JAR:-$REPO/forwarder-app/target/forwarder.jar}
source "$LIB/configs.sh"
source "$LIB/proc.sh"
source "$LIB/tools.sh"
source "$LIB/backends.sh"
ensure_runtime_and_jar

WORK=$(mktemp -d /tmp/forwarder-profile.XXXXXX)
chmod 755 "$WORK"
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$REPO/bench/results/profile-$WORKLOAD-$STAMP
mkdir -p "$REPO/bench/results"
PIDS=()
trap_cleanup

cp "$JAR" "$WORK/forwarder.jar"
JAR=$WORK/forwarder.jar
pick_ports IPERF HTTP ECHO FWD_IPERF FWD_HTTP FWD_ECHO
start_backends
write_forwarder_conf "$WORK/forwarder.conf"
# shellcheck disable=SC2086
start forwarder java -Dforwarder.connection.log=${CONNECTION_LOG:-WARN} ${FWD_JAVA_OPTS:-} -jar "$JAR" run --config "$WORK/forwarder.conf"
FWD_PID=${PIDS[-1]}
wait_port iperf3 "$P_IPERF"; wait_port nginx-http "$P_HTTP"; wait_port echo "$P_ECHO"; wait_port forwarder "$P_FWD_ECHO"

load() { # SECONDS
    case $WORKLOAD in
        iperf1) iperf3 -c 127.0.0.1 -p "$P_FWD_IPERF" -t "$1" ;;
        iperf4) iperf3 -c 127.0.0.1 -p "$P_FWD_IPERF" -t "$1" -P 4 ;;
        http-ka) wrk -t2 -c50 -d"${1}s" --latency "http://127.0.0.1:$P_FWD_HTTP/100b" ;;
        http-close) wrk -t2 -c50 -d"${1}s" --latency -H 'Connection: close' "http://127.0.0.1:$P_FWD_HTTP/100b" ;;
        http-1m) wrk -t2 -c10 -d"${1}s" --latency "http://127.0.0.1:$P_FWD_HTTP/1m" ;;
        rr) java -jar "$JAR" loadtest --target "127.0.0.1:$P_FWD_ECHO" --connections 50 --duration "${1}s" --quiet ;;
        *) echo "error: unknown workload $WORKLOAD" >&2; exit 2 ;;
    esac
}

echo "warm-up 5 s ($WORKLOAD through forwarder); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
load 5 >/dev/null
jcmd "$FWD_PID" JFR.start name=bench settings=profile filename="$OUT.jfr" >/dev/null
load "$SECS" >"$OUT.load.txt"
jcmd "$FWD_PID" JFR.stop name=bench >/dev/null
{
    echo "forwarder under $WORKLOAD for $SECS s; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    grep -E 'Requests/sec|receiver|requests  ' "$OUT.load.txt" || true
    echo
    jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample "$OUT.jfr" | python3 "$LIB/jfrtop.py" 20
} | tee "$OUT.txt"
echo "recording: $OUT.jfr; summary: $OUT.txt" >&2
