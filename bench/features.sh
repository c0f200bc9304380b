#!/usr/bin/env bash
# forwarder with every feature on (but capture) next to forwarder with features off, on loopback, with the same
# backends and the workloads of bench/run.sh:
#   bash bench/features.sh                  # ROUNDS=3 rounds of 5 s runs, about 9 minutes
#   QUICK=1 bash bench/features.sh          # 2 rounds of 2 s runs, about 3 minutes
#   PROFILE=http-close bash bench/features.sh   # no rounds: a JFR recording of each forwarder under one workload,
#                                               # its hot frames and the share of samples under each feature
# off: metrics.enabled = false, no health check, connection log lines off, one backend; defaults otherwise.
# on:  metrics, connection log lines at INFO (stdout, redirected to a file), tcp health checks every 1 s, passive
#      health, slow start, max-connections with a queue, retries, least-connections, idle-timeout and
#      close-sessions; no backup entry (bench/lib/features-configs.sh has both files and says why).
# Each round runs every workload four times, off on on off (the next round on off off on), so that a run's place
# in the sequence (the second of two back-to-back runs tends to differ here) weighs on both sides alike.
# Environment: ROUNDS, SECS (seconds per run; PROFILE: seconds recorded, default 20), JAR (default
# forwarder-app/target/forwarder.jar, built if missing), FWD_JAVA_OPTS (extra JVM flags for both forwarders),
# BENCH_KEEP=1 (keep the work directory, with the logs), WORKLOADS (a subset, e.g. "http-ka http-close"),
# ON_CONNECTION_LOG (INFO; WARN runs "on" without its connection log lines, to see their share), ON_EXTRA (HOCON
# appended to the "on" side's config, e.g. 'forwarder.metrics.enabled = false', to turn one feature back off and
# see its share). Installs nginx, iperf3 and wrk from Debian when missing.
# Listens on 127.0.0.1 only, stops everything it started on exit, and writes the table to
# bench/results/features-<timestamp>.txt.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$REPO/bench/lib
source "$LIB/configs.sh"
source "$LIB/proc.sh"
source "$LIB/tools.sh"
source "$LIB/backends.sh"
source "$LIB/workloads.sh"
source "$LIB/features-configs.sh"

QUICK=${QUICK:-0}
PROFILE=${PROFILE:-}
if [[ -n $PROFILE ]]; then SECS=${SECS:-20}; fi
if [[ $QUICK == 1 ]]; then ROUNDS=${ROUNDS:-2}; SECS=${SECS:-2}; else ROUNDS=${ROUNDS:-3}; SECS=${SECS:-5}; fi
JAR=${JAR:-$REPO/forwarder-app/target/forwarder.jar}
TARGETS=(off on)
ALL_WORKLOADS=(iperf1 iperf4 http-ka http-close http-1m rr)
read -r -a WORKLOADS <<<"${WORKLOADS:-${ALL_WORKLOADS[*]}}"
ON_CONNECTION_LOG=${ON_CONNECTION_LOG:-INFO}
ON_EXTRA=${ON_EXTRA:-}
for wl in "${WORKLOADS[@]}" ${PROFILE:+"$PROFILE"}; do
    if [[ " ${ALL_WORKLOADS[*]} " != *" $wl "* ]]; then
        echo "error: workload $wl (expected one of: ${ALL_WORKLOADS[*]})" >&2
        exit 2
    fi
done

WORK=$(mktemp -d /tmp/forwarder-features.XXXXXX)
chmod 755 "$WORK"   # nginx workers (user nobody) read the files under it
RAW=$WORK/raw.tsv
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS=$REPO/bench/results/features-$STAMP.txt
CLK_TCK=$(getconf CLK_TCK)
PIDS=()

load() { cut -d' ' -f1-3 /proc/loadavg; }

trap_cleanup

ensure_tools() {
    local missing=()
    command -v nginx >/dev/null || missing+=(nginx-light)
    command -v iperf3 >/dev/null || missing+=(iperf3)
    command -v wrk >/dev/null || missing+=(wrk)
    install_debian "${missing[@]}"
    if [[ -n $PROFILE ]]; then command -v jcmd >/dev/null && command -v jfr >/dev/null || die "PROFILE needs jcmd and jfr (a JDK)"; fi
    ensure_runtime_and_jar
}

start_servers() {
    start_backends

    write_forwarder_off_conf "$WORK/forwarder-off.conf"
    write_forwarder_on_conf "$WORK/forwarder-on.conf"
    # shellcheck disable=SC2086
    start forwarder-off java ${FWD_JAVA_OPTS:-} -Dforwarder.connection.log=WARN -jar "$JAR" run \
        --config "$WORK/forwarder-off.conf"
    # Connection log lines at INFO, through logback's console appender to stdout, which start() sends to
    # WORK/forwarder-on.log: a file, as a service manager or a shell redirect would.
    # shellcheck disable=SC2086
    start forwarder-on java ${FWD_JAVA_OPTS:-} -Dforwarder.connection.log="$ON_CONNECTION_LOG" -jar "$JAR" run \
        --config "$WORK/forwarder-on.conf"

    wait_port iperf3 "$P_IPERF"; wait_port nginx-http "$P_HTTP"; wait_port echo "$P_ECHO"
    wait_port forwarder-off "$P_OFF_ECHO"; wait_port forwarder-on "$P_ON_ECHO"
    # Features on: backends start down (health-check initial-state) and need rise = 2 passed checks.
    local up=0
    for _ in $(seq 150); do
        up=$(grep -c 'backend up pool=' "$WORK/forwarder-on.log" || true)
        ((up >= 3)) && break
        sleep 0.1
    done
    ((up >= 3)) || { tail -20 "$WORK/forwarder-on.log" >&2; die "features on: $up of 3 backends up after 15 s"; }
}

port_of() { # TARGET SERVICE(IPERF|HTTP|ECHO)
    case $1 in off) eval "echo \$P_OFF_$2" ;; on) eval "echo \$P_ON_$2" ;; esac
}

# run_tool (bench/lib/workloads.sh): iperf3 runs one omitted second before its SECONDS, and loadtest one second of
# warm-up: load_seconds says so.
load_seconds() { case $1 in iperf* | rr) echo $(($2 + 1)) ;; *) echo "$2" ;; esac; } # WORKLOAD SECONDS


cpu_ticks() { # PID: user + system clock ticks so far
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

check_alive() { # WHEN
    local name pid_var
    for name in forwarder-off forwarder-on echo iperf3 nginx-http; do
        pid_var="PID_${name//-/_}"
        kill -0 "${!pid_var}" 2>/dev/null || die "$name exited during $1 (log: $(tail -3 "$WORK/$name.log"))"
    done
}

measure() { # ROUND SLOT WORKLOAD TARGET
    local out="$WORK/out-$1-$2-$3-$4.txt" kind metrics pid_var="PID_forwarder_$4" before after cpu
    before=$(cpu_ticks "${!pid_var}")
    kind=$(run_tool "$3" "$(port_of "$4" "$(service_of "$3")")" "$SECS" "$out")
    after=$(cpu_ticks "${!pid_var}")
    if metrics=$(python3 "$LIB/parse.py" "$kind" "$out"); then
        cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }')
        metrics+=$'\n'"cpu_s $cpu"$'\n'"load_s $(load_seconds "$3" "$SECS")"
        while read -r name value; do echo "$1 $2 $3 $4 $name $value" >>"$RAW"; done <<<"$metrics"
        log "  $3 $4: $(echo "$metrics" | tr '\n' ' ')"
    else
        log "  $2 $3: no result; output:"; tail -5 "$out" >&2
    fi
    check_alive "$3"
    sleep 0.5
}

warm_up() {
    log "warm-up (not counted): both forwarders' JIT, nginx's page cache"
    local t wl
    for t in "${TARGETS[@]}"; do
        for wl in iperf1 http-ka http-close rr; do
            run_tool "$wl" "$(port_of "$t" "$(service_of "$wl")")" 2 /dev/null >/dev/null
        done
    done
}

versions() {
    forwarder_versions "$ORIGINAL_JAR"
    echo "nginx:     $(nginx -v 2>&1) (HTTP backend)"
    echo "iperf3:    $(iperf3 --version | head -1)"
    echo "wrk:       $(wrk -v 2>&1 | head -1)"
}

# PROFILE=WORKLOAD: JFR on each forwarder in turn under the workload, summarised by jfrtop.py.
profile() {
    local t out pid_var port
    mkdir -p "$REPO/bench/results"
    for t in "${TARGETS[@]}"; do
        out=$REPO/bench/results/features-profile-$PROFILE-$t-$STAMP
        pid_var="PID_forwarder_$t"
        port=$(port_of "$t" "$(service_of "$PROFILE")")
        log "features $t under $PROFILE: warm-up 5 s, then $SECS s recorded (load $(load))"
        run_tool "$PROFILE" "$port" 5 /dev/null >/dev/null
        jcmd "${!pid_var}" JFR.start name=features settings=profile filename="$out.jfr" >/dev/null
        local kind
        kind=$(run_tool "$PROFILE" "$port" "$SECS" "$out.load.txt")
        jcmd "${!pid_var}" JFR.stop name=features >/dev/null
        check_alive "$PROFILE"
        {
            echo "forwarder, features $t, under $PROFILE for $SECS s; load after: $(load)"
            python3 "$LIB/parse.py" "$kind" "$out.load.txt" || true
            echo
            jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample "$out.jfr" | python3 "$LIB/jfrtop.py" 25
            echo
            echo "busy samples under each feature (bench/lib/jfrshare.py):"
            jfr print --stack-depth 64 --events jdk.ExecutionSample,jdk.NativeMethodSample "$out.jfr" \
                | python3 "$LIB/jfrshare.py"
        } >"$out.txt"
        cat "$out.txt"
        log "recording: $out.jfr; summary: $out.txt"
    done
}

main() {
    local began=$SECONDS round i wl order
    ensure_tools
    # A private copy: a JVM loads classes from its jar lazily, and a build running meanwhile replaces the jar.
    ORIGINAL_JAR=$JAR
    cp "$JAR" "$WORK/forwarder.jar"
    JAR=$WORK/forwarder.jar
    pick_ports IPERF HTTP ECHO OFF_IPERF OFF_HTTP OFF_ECHO ON_IPERF ON_HTTP ON_ECHO
    start_servers
    {
        echo "forwarder features on vs off $STAMP on $(hostname): $(nproc) CPUs, ROUNDS=$ROUNDS SECS=$SECS" \
            "QUICK=$QUICK WORKLOADS=\"${WORKLOADS[*]}\" ON_CONNECTION_LOG=$ON_CONNECTION_LOG" \
            "${ON_EXTRA:+ON_EXTRA=\"$ON_EXTRA\"}"
        versions
        echo "load before: $(load)"
    } >"$WORK/header.txt"
    cat "$WORK/header.txt" >&2
    warm_up
    if [[ -n $PROFILE ]]; then profile; return; fi
    : >"$RAW"
    for ((round = 1; round <= ROUNDS; round++)); do
        log "round $round/$ROUNDS (load $(load))"
        echo "load at round $round: $(load)" >>"$WORK/header.txt"
        if ((round % 2)); then order=(off on on off); else order=(on off off on); fi
        for wl in "${WORKLOADS[@]}"; do
            for ((i = 0; i < ${#order[@]}; i++)); do measure "$round" "$((i + 1))" "$wl" "${order[i]}"; done
        done
    done
    {
        echo "load after: $(load); took $((SECONDS - began)) s"
        echo "features on wrote $(grep -c ' connection - ' "$WORK/forwarder-on.log" || true) connection log lines" \
            "($(du -h "$WORK/forwarder-on.log" | cut -f1)) to its stdout file; its health checks marked" \
            "$(grep -c 'backend down' "$WORK/forwarder-on.log" || true) backend(s) down during the run"
    } >>"$WORK/header.txt"
    mkdir -p "$(dirname "$RESULTS")"
    {
        cat "$WORK/header.txt"
        echo
        echo "off: metrics.enabled = false, no health check, connection log off, one backend, defaults otherwise."
        echo "on:  metrics, connection log at $ON_CONNECTION_LOG to a file, tcp health check every 1 s, max-fails 3 / fail-timeout"
        echo "     10s, slow-start 10s, max-connections 100000 + queue-timeout 1s, connect-tries 3,"
        echo "     least-connections, idle-timeout 60s, on-down close-sessions (no backup: one member per address)."
        echo "Each round: off on on off (or on off off on), each forwarder's two runs averaged. Medians over"
        echo "$ROUNDS round(s); on/off is the median of the per-round ratios."
        echo "Higher is better, except p99 (ms) where lower is better."
        echo
        python3 "$LIB/features_summary.py" "$RAW"
        echo
        echo "raw: round slot workload target metric value"
        cat "$RAW"
    } >"$RESULTS"
    sed '/^raw: /,$d' "$RESULTS"
    log "written to $RESULTS"
}

main "$@"
