#!/usr/bin/env bash
# Where the CPU goes per proxied connection, forwarder next to HAProxy, kernel included:
#   bash bench/cpu-profile.sh [http-close|http-ka|rr]        (default http-close)
# Environment: SECS (profiled seconds per target, default 15), WARM (warm-up seconds, default 15),
# TRANSPORTS (forwarder transports to profile, default "epoll io-uring"), CONNECTION_LOG (forwarder's connection
# log level, default INFO: its default), JAR (default forwarder-app/target/forwarder.jar).
# forwarder is sampled by async-profiler (cpu-clock, 1 ms, Java and kernel stacks; the library comes from Maven
# Central as tools.profiler:async-profiler), loaded into the warm JVM with jcmd; HAProxy by perf record
# (cpu-clock, 1 kHz, kernel and user stacks). Each target is loaded alone by the same wrk command, and every
# sample of its process is put in one bucket (a system call's kernel work, or the user-space code that ran), then
# divided by the requests wrk finished in that window: microseconds of CPU per connection. Listens on 127.0.0.1
# only; stops what it started. Stacks and the table stay in bench/results/cpu-profile-<stamp>/.
set -euo pipefail

WORKLOAD=${1:-http-close}
SECS=${SECS:-15}
WARM=${WARM:-15}
read -r -a TRANSPORTS <<< "${TRANSPORTS:-epoll io-uring}"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$REPO/bench/lib
JAR=${JAR:-$REPO/forwarder-app/target/forwarder.jar}
source "$LIB/configs.sh"
source "$LIB/proc.sh"
source "$LIB/tools.sh"
source "$LIB/backends.sh"
ensure_runtime_and_jar
command -v perf >/dev/null || install_debian linux-perf
command -v haproxy >/dev/null || install_debian haproxy
command -v wrk >/dev/null || install_debian wrk

AP_VERSION=4.1
AP_JAR=$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
if [[ ! -f $AP_JAR ]]; then
    log "fetching async-profiler $AP_VERSION from Maven Central"
    mvn -q -B dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION >/dev/null || die "no async-profiler"
fi

WORK=$(mktemp -d /tmp/forwarder-cpu.XXXXXX)
chmod 755 "$WORK"
OUT=$REPO/bench/results/cpu-profile-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
PIDS=()
trap_cleanup
(cd "$WORK" && unzip -q -o "$AP_JAR" 'linux-x64/*')
AP=$WORK/linux-x64/libasyncProfiler.so
cp "$JAR" "$WORK/forwarder.jar"
JAR=$WORK/forwarder.jar

pick_ports IPERF HTTP ECHO FWD_IPERF FWD_HTTP FWD_ECHO FWD_ADMIN HAP_IPERF HAP_HTTP HAP_ECHO
start_backends
write_haproxy_conf "$WORK/haproxy.cfg"
start haproxy haproxy -db -f "$WORK/haproxy.cfg"
HAP_PID=${PIDS[-1]}
wait_port nginx-http "$P_HTTP"; wait_port echo "$P_ECHO"; wait_port haproxy "$P_HAP_HTTP"

load() { # PORT SECONDS
    case $WORKLOAD in
        http-close) wrk -t2 -c50 -d"${2}s" -H 'Connection: close' "http://127.0.0.1:$1/100b" ;;
        http-ka) wrk -t2 -c50 -d"${2}s" "http://127.0.0.1:$1/100b" ;;
        *) die "unknown workload $WORKLOAD (expected: http-close or http-ka)" ;;
    esac
}
requests() { grep -E '^ +[0-9]+ requests in' "$1" | awk '{print $1}'; }

ARGS=()
for transport in "${TRANSPORTS[@]}"; do
    FWD_TRANSPORT=$transport write_forwarder_conf "$WORK/forwarder-$transport.conf"
    start "fwd-$transport" java -Dforwarder.connection.log="${CONNECTION_LOG:-INFO}" -jar "$JAR" run \
        --config "$WORK/forwarder-$transport.conf"
    pid=${PIDS[-1]}
    wait_port "fwd-$transport" "$P_FWD_HTTP"
    log "forwarder ($transport): warm-up ${WARM} s, then ${SECS} s profiled"
    load "$P_FWD_HTTP" "$WARM" >/dev/null
    # jcmd's parser takes a=b as its own option: the agent's options go in quotes.
    jcmd "$pid" JVMTI.agent_load "$AP" "\"start,event=cpu,interval=1ms,cstack=vm,threads\"" >/dev/null
    load "$P_FWD_HTTP" "$SECS" >"$OUT/fwd-$transport.wrk"
    jcmd "$pid" JVMTI.agent_load "$AP" "\"stop,file=$OUT/fwd-$transport.collapsed,collapsed\"" >/dev/null
    ARGS+=("fwd-$transport=$OUT/fwd-$transport.collapsed:$(requests "$OUT/fwd-$transport.wrk")")
    grep -h 'falling back' "$WORK/fwd-$transport.log" >&2 || true
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done

log "HAProxy: warm-up ${WARM} s, then ${SECS} s profiled"
load "$P_HAP_HTTP" "$WARM" >/dev/null
perf record -q -e cpu-clock -F 1000 -g -p "$HAP_PID" -o "$WORK/haproxy.perf" -- sleep "$SECS" 2>/dev/null &
PERF=$!
load "$P_HAP_HTTP" "$SECS" >"$OUT/haproxy.wrk"
wait "$PERF" || true
perf script -i "$WORK/haproxy.perf" 2>/dev/null | python3 "$LIB/perf_collapse.py" >"$OUT/haproxy.collapsed"
ARGS+=("haproxy=$OUT/haproxy.collapsed:$(requests "$OUT/haproxy.wrk")")

{
    echo "CPU per proxied connection ($WORKLOAD, wrk -t2 -c50, ${SECS} s each after ${WARM} s warm; µs per request;"
    echo "1 sample = 1 ms of CPU; forwarder's connection log at ${CONNECTION_LOG:-INFO}; load $(cut -d' ' -f1-3 /proc/loadavg))"
    python3 "$LIB/cpu_split.py" "${ARGS[@]}"
} | tee "$OUT/table.txt"
log "stacks and table: $OUT"
