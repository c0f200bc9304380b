#!/usr/bin/env bash
# Idle-connection footprint: N proxied connections held open through forwarder, its RSS per connection and its
# growth over the hold. Loopback only; stops everything it started.
#   bash bench/idle.sh                  # 9000 connections held 10 minutes
#   CONNS=2000 HOLD=60 bash bench/idle.sh
# Environment: CONNS (default 9000), HOLD seconds (default 600), SAMPLE seconds between RSS samples (default 30),
# JAR (default forwarder-app/target/forwarder.jar, built if missing), FWD_JAVA_OPTS (forwarder JVM flags).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONNS=${CONNS:-9000}
HOLD=${HOLD:-600}
SAMPLE=${SAMPLE:-30}
JAR=${JAR:-$REPO/forwarder-app/target/forwarder.jar}
# A pre-touched fixed heap: RSS then moves with native and direct memory, and heap use is read separately.
FWD_JAVA_OPTS=${FWD_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch}
ECHO_PORT=${ECHO_PORT:-17401}
FWD_PORT=${FWD_PORT:-17402}
WORK=$(mktemp -d /tmp/forwarder-idle.XXXXXX)
PIDS=()

source "$REPO/bench/lib/proc.sh"
source "$REPO/bench/lib/tools.sh"
trap_cleanup

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
heap_kib() { # used heap after a full GC, in KiB (0 when jcmd is missing)
    jcmd "$1" GC.run >/dev/null 2>&1 || { echo 0; return; }
    jcmd "$1" GC.heap_info 2>/dev/null | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1
}

ulimit -n 20000 || die "need a file-descriptor limit of 20000 (ulimit -n)"
ensure_runtime_and_jar

cat >"$WORK/forwarder.conf" <<CONF
forwarder {
  listeners { idle { bind = "127.0.0.1:$FWD_PORT", pool = echo, idle-timeout = 1h } }
  pools { echo { backends = [ "127.0.0.1:$ECHO_PORT" ] } }
}
CONF
start echo java -Xms256m -Xmx256m -jar "$JAR" echo-server --bind "127.0.0.1:$ECHO_PORT"
wait_port echo "$ECHO_PORT"
# Connection logs off: 18,000 log lines would only measure the console.
start forwarder java $FWD_JAVA_OPTS -Dforwarder.connection.log=WARN -jar "$JAR" run --config "$WORK/forwarder.conf"
FWD_PID=${PIDS[-1]}
wait_port forwarder "$FWD_PORT"
JPID=$(pgrep -P "$FWD_PID" java || echo "$FWD_PID")
[[ -r /proc/$JPID/status ]] || JPID=$FWD_PID
# A few connections warm the code paths before the baseline.
python3 "$REPO/bench/lib/hold.py" "$FWD_PORT" 50 0 >/dev/null
base_heap=$(heap_kib "$JPID")
base=$(rss_kib "$JPID")
log "forwarder pid=$JPID baseline RSS ${base} KiB; opening $CONNS connections"

# The holder keeps the connections a little past the last sample, then checks each one still relays.
coproc HOLDER { python3 "$REPO/bench/lib/hold.py" "$FWD_PORT" "$CONNS" "$((HOLD + 5))"; }
read -r ready n <&"${HOLDER[0]}" || die "holder failed"
[[ $ready == ready && $n == "$CONNS" ]] || die "holder said: $ready $n"
first_heap=$(heap_kib "$JPID")
first=$(rss_kib "$JPID")
log "all $CONNS connections open; RSS ${first} KiB"
samples=("$first")
elapsed=0
while ((elapsed + SAMPLE <= HOLD)); do
    sleep "$SAMPLE"; elapsed=$((elapsed + SAMPLE))
    samples+=("$(rss_kib "$JPID")")
    log "t=${elapsed}s RSS ${samples[-1]} KiB"
done
read -r alive_word alive dead_word dead <&"${HOLDER[0]}" || die "holder did not report"
last=${samples[-1]}
last_heap=$(heap_kib "$JPID")
max=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
python3 - "$CONNS" "$HOLD" "$base" "$first" "$last" "$max" "$alive" "$dead" "$base_heap" "$first_heap" "$last_heap" <<'PY'
import sys
conns, hold, base, first, last, peak, alive, dead, hbase, hfirst, hlast = map(int, sys.argv[1:])
print(f"idle connections : {conns} held {hold} s ({alive} alive, {dead} dead at the end)")
print(f"RSS baseline     : {base / 1024:.1f} MiB")
print(f"RSS with conns   : {first / 1024:.1f} MiB  -> {(first - base) * 1024 / conns:.0f} bytes per proxied connection")
print(f"RSS end of hold  : {last / 1024:.1f} MiB  (max {peak / 1024:.1f} MiB); growth over hold "
      f"{(last - first) / 1024:+.1f} MiB ({(last - first) * 100 / first:+.1f}%)")
print(f"heap after GC    : {hbase / 1024:.1f} MiB -> {hfirst / 1024:.1f} MiB with conns "
      f"({(hfirst - hbase) * 1024 / conns:.0f} bytes per connection) -> {hlast / 1024:.1f} MiB at the end")
PY
