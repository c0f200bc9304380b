#!/usr/bin/env bash
# forwarder next to HAProxy (mode tcp, plain and with forced splice) and nginx (stream), on loopback, with the
# same backends:
#   bash bench/run.sh            # ROUNDS=3 rounds of 5 s runs, about 10 minutes
#   QUICK=1 bash bench/run.sh    # 2 rounds of 2 s runs, about 3 minutes
# Before the warm-up and the rounds, one cold run: Connection: close through forwarder (just started) and HAProxy.
# Environment: ROUNDS, SECS (seconds per run), WORKLOADS (a subset of: iperf1 iperf4 http-ka http-close
# http-1m rr), JAR (default forwarder-app/target/forwarder.jar, built if missing),
# FWD_JAVA_OPTS (extra JVM flags for the forwarder under test), BENCH_KEEP=1 (keep the work directory),
# ADMIN (on: forwarder's default admin port, not read; off: admin.enabled = false; scraped: on, and GET /metrics
# every second for the whole run, as a Prometheus server would), TRANSPORT (the forwarder's transport: auto, the
# default, epoll, io-uring or nio), CONNECTION_LOG (the connection log's level: INFO, forwarder's default, one line
# per connection; WARN silences it), CAPTURE (every listener's capture mode: off, the default, hexdump or pcap, with
# the capture block's defaults: at most 1 MiB per connection and direction; files under the work directory).
# Targets: direct (no proxy), forwarder, haproxy (mode tcp), haproxy-splice (its own process, option splice-request
# and splice-response: HAProxy's best for bulk), nginx (stream).
# Installs haproxy, nginx, iperf3 and wrk from Debian when missing. Listens on 127.0.0.1 only, stops everything
# it started on exit, and writes the table to bench/results/<timestamp>.txt. See README "Benchmark".
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$REPO/bench/lib
source "$LIB/configs.sh"
source "$LIB/proc.sh"
source "$LIB/tools.sh"
source "$LIB/backends.sh"
source "$LIB/workloads.sh"

QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then ROUNDS=${ROUNDS:-2}; SECS=${SECS:-2}; else ROUNDS=${ROUNDS:-3}; SECS=${SECS:-5}; fi
JAR=${JAR:-$REPO/forwarder-app/target/forwarder.jar}
ADMIN=${ADMIN:-on}
case $ADMIN in on|scraped) FWD_ADMIN_ENABLED=true ;; off) FWD_ADMIN_ENABLED=false ;; *) echo "ADMIN=$ADMIN: on, off or scraped" >&2; exit 2 ;; esac
TRANSPORT=${TRANSPORT:-auto}
case $TRANSPORT in auto|epoll|io-uring|nio) FWD_TRANSPORT=$TRANSPORT ;; *) echo "TRANSPORT=$TRANSPORT: auto, epoll, io-uring or nio" >&2; exit 2 ;; esac
CONNECTION_LOG=${CONNECTION_LOG:-INFO}
CAPTURE=${CAPTURE:-off}
case $CAPTURE in off|hexdump|pcap) FWD_CAPTURE=$CAPTURE ;; *) echo "CAPTURE=$CAPTURE: off, hexdump or pcap" >&2; exit 2 ;; esac
TARGETS=(direct forwarder haproxy haproxy-splice nginx)
read -r -a WORKLOADS <<< "${WORKLOADS:-iperf1 iperf4 http-ka http-close http-1m rr}"

WORK=$(mktemp -d /tmp/forwarder-bench.XXXXXX)
chmod 755 "$WORK"   # nginx workers (user nobody) read the files under it
RAW=$WORK/raw.tsv
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS=$REPO/bench/results/$STAMP.txt
PIDS=()

load() { cut -d' ' -f1-3 /proc/loadavg; }

trap_cleanup

ensure_tools() {
    local missing=()
    command -v haproxy >/dev/null || missing+=(haproxy)
    command -v nginx >/dev/null || missing+=(nginx-light)
    [[ -f /usr/lib/nginx/modules/ngx_stream_module.so ]] || missing+=(libnginx-mod-stream)
    command -v iperf3 >/dev/null || missing+=(iperf3)
    command -v wrk >/dev/null || missing+=(wrk)
    install_debian "${missing[@]}"
    ensure_runtime_and_jar
}

start_servers() {
    start_backends

    write_forwarder_conf "$WORK/forwarder.conf"
    # The connection log as CONNECTION_LOG says: on (forwarder's default) unless WARN. HAProxy and nginx here log
    # no connections.
    # shellcheck disable=SC2086
    start forwarder java ${FWD_JAVA_OPTS:-} -Dforwarder.connection.log="$CONNECTION_LOG" -jar "$JAR" run --config "$WORK/forwarder.conf"
    write_haproxy_conf "$WORK/haproxy.cfg"
    start haproxy haproxy -db -f "$WORK/haproxy.cfg"
    write_haproxy_conf "$WORK/haproxy-splice.cfg" splice
    start haproxy-splice haproxy -db -f "$WORK/haproxy-splice.cfg"
    write_nginx_stream_conf "$WORK/nginx-stream.conf" "$WORK"
    start nginx-stream nginx -e "$WORK/nginx-stream-error.log" -p "$WORK" -c "$WORK/nginx-stream.conf"

    wait_port iperf3 "$P_IPERF"; wait_port nginx-http "$P_HTTP"; wait_port echo "$P_ECHO"
    wait_port forwarder "$P_FWD_ECHO"; wait_port haproxy "$P_HAP_ECHO"; wait_port haproxy-splice "$P_HAPS_ECHO"
    wait_port nginx-stream "$P_NGX_ECHO"
    if [[ $ADMIN == scraped ]]; then
        wait_port forwarder-admin "$P_FWD_ADMIN"
        # A Prometheus server's pace: one scrape a second (the sleep paces the load, it synchronises nothing).
        start scraper bash -c "while curl -sf -o /dev/null http://127.0.0.1:$P_FWD_ADMIN/metrics; do sleep 1; done"
    fi
}

port_of() { # TARGET SERVICE(IPERF|HTTP|ECHO)
    local prefix
    case $1 in direct) prefix="" ;; forwarder) prefix=FWD_ ;; haproxy) prefix=HAP_ ;; haproxy-splice) prefix=HAPS_ ;;
        nginx) prefix=NGX_ ;; esac
    eval "echo \$P_${prefix}$2"
}


# User and system CPU seconds used so far by a target's processes (nginx: master and workers).
cpu_of() { # TARGET
    local pids
    case $1 in
        forwarder) pids=$PID_forwarder ;;
        haproxy) pids=$PID_haproxy ;;
        haproxy-splice) pids=$PID_haproxy_splice ;;
        nginx) pids="$PID_nginx_stream $(pgrep -P "$PID_nginx_stream" | tr '\n' ' ')" ;;
        *) echo "0 0"; return ;;
    esac
    # shellcheck disable=SC2086
    for pid in $pids; do cat "/proc/$pid/stat"; done 2>/dev/null \
        | awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); u += $12; s += $13 } END { printf "%.2f %.2f\n", u / hz, s / hz }'
}

measure() { # ROUND WORKLOAD TARGET (WORKLOAD-cold: WORKLOAD, recorded apart)
    local out="$WORK/out-$1-$2-$3.txt" kind metrics cpu0 cpu1 tool=${2%-cold}
    cpu0=$(cpu_of "$3")
    kind=$(run_tool "$tool" "$(port_of "$3" "$(service_of "$tool")")" "$SECS" "$out")
    cpu1=$(cpu_of "$3")
    if metrics=$(python3 "$LIB/parse.py" "$kind" "$out"); then
        if [[ $3 != direct ]]; then
            metrics+=$'\n'$(echo "$cpu0 $cpu1" | awk '{ printf "cpu_user_s %.2f\ncpu_sys_s %.2f", $3 - $1, $4 - $2 }')
        fi
        while read -r name value; do echo "$1 $2 $3 $name $value" >>"$RAW"; done <<<"$metrics"
        log "  $2 $3: $(echo "$metrics" | tr '\n' ' ')"
    else
        log "  $2 $3: no result; output:"; tail -5 "$out" >&2
    fi
    for name in forwarder haproxy haproxy-splice nginx-stream; do
        local pid_var="PID_${name//-/_}"
        kill -0 "${!pid_var}" 2>/dev/null || die "$name exited during $2 (log: $(tail -3 "$WORK/$name.log"))"
    done
    sleep 0.5
}

warm_up() {
    log "warm-up (not counted): the forwarder's JIT, nginx's page cache"
    local t wl
    for wl in iperf1 http-ka http-close rr; do run_tool "$wl" "$(port_of forwarder "$(service_of "$wl")")" 2 /dev/null >/dev/null; done
    for t in direct haproxy haproxy-splice nginx; do run_tool http-ka "$(port_of "$t" HTTP)" 1 /dev/null >/dev/null; done
}

versions() {
    forwarder_versions "$ORIGINAL_JAR"
    echo "haproxy:   $(haproxy -v | head -1)"
    echo "nginx:     $(nginx -v 2>&1)"
    echo "iperf3:    $(iperf3 --version | head -1)"
    echo "wrk:       $(wrk -v 2>&1 | head -1)"
}

main() {
    local began=$SECONDS round i wl t
    ensure_tools
    # A private copy: a JVM loads classes from its jar lazily, and a build running meanwhile replaces the jar.
    ORIGINAL_JAR=$JAR
    cp "$JAR" "$WORK/forwarder.jar"
    JAR=$WORK/forwarder.jar
    pick_ports IPERF HTTP ECHO FWD_IPERF FWD_HTTP FWD_ECHO FWD_ADMIN HAP_IPERF HAP_HTTP HAP_ECHO \
        HAPS_IPERF HAPS_HTTP HAPS_ECHO NGX_IPERF NGX_HTTP NGX_ECHO
    start_servers
    {
        echo "forwarder bench $STAMP on $(hostname): $(nproc) CPUs, ROUNDS=$ROUNDS SECS=$SECS QUICK=$QUICK ADMIN=$ADMIN TRANSPORT=$TRANSPORT CONNECTION_LOG=$CONNECTION_LOG CAPTURE=$CAPTURE"
        versions
        echo "load before: $(load)"
    } >"$WORK/header.txt"
    cat "$WORK/header.txt" >&2
    : >"$RAW"
    # Cold: the first SECS seconds of new connections after start, before any warm-up, forwarder's JIT still
    # compiling; HAProxy beside it at the same moment.
    log "cold (load $(load)): Connection: close, the first ${SECS} s after start"
    measure 1 http-close-cold forwarder
    measure 1 http-close-cold haproxy
    warm_up
    for ((round = 1; round <= ROUNDS; round++)); do
        log "round $round/$ROUNDS (load $(load))"
        echo "load at round $round: $(load)" >>"$WORK/header.txt"
        for wl in "${WORKLOADS[@]}"; do
            # Alternating, and each round starts at another target, so no target always runs first.
            for ((i = 0; i < ${#TARGETS[@]}; i++)); do
                t=${TARGETS[$(((i + round - 1) % ${#TARGETS[@]}))]}
                measure "$round" "$wl" "$t"
            done
        done
    done
    echo "load after: $(load); took $((SECONDS - began)) s" >>"$WORK/header.txt"
    mkdir -p "$(dirname "$RESULTS")"
    {
        cat "$WORK/header.txt"
        echo
        echo "Medians over $ROUNDS round(s); ratios are medians of per-round ratios (same round) to HAProxy (hap) and"
        echo "to HAProxy with forced splice (haps); bulk goals are against haps, the others against hap."
        echo "Higher is better, except p99 (ms) where lower is better."
        echo
        SECS=$SECS python3 "$LIB/summarize.py" "$RAW"
        echo
        echo "raw: round workload target metric value"
        cat "$RAW"
    } >"$RESULTS"
    sed '/^raw: /,$d' "$RESULTS"
    log "written to $RESULTS"
}

main "$@"
