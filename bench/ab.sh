#!/usr/bin/env bash
# Two forwarder jars side by side (say the main an issue was filed against and today's), both warm, the same
# load alternating between them round after round, so that the machine's drift falls on both alike:
#   JAR_A=old.jar JAR_B=new.jar bash bench/ab.sh [http-close|http-ka]      (default http-close)
# Environment: ROUNDS (default 8), SECS (seconds per run, default 4), WARM (seconds of load on each before the
# first round, default 8), CONNECTION_LOG (both forwarders' connection log level, default WARN: off),
# PROFILE=1 (also samples both with async-profiler over the rounds and splits their CPU per connection as
# bench/cpu-profile.sh does). Each jar runs one listener and one pool in front of the same nginx, with a config
# both old and new jars read (no admin, capture or transport key: a jar with an admin port opens it on its
# default, 127.0.0.1:9901, which costs nothing per connection). Prints per round each side's requests and CPU
# per request (user + system of its process, from /proc), then the medians and the per-round ratio B/A.
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
command -v wrk >/dev/null || install_debian wrk
command -v nginx >/dev/null || install_debian nginx-light

WORK=$(mktemp -d /tmp/forwarder-ab.XXXXXX)
chmod 755 "$WORK"
PIDS=()
trap_cleanup
cp "$JAR_A" "$WORK/a.jar"
cp "$JAR_B" "$WORK/b.jar"
JAR=$WORK/a.jar

pick_ports IPERF HTTP ECHO A B
mkdir -p "$WORK/www" "$WORK/tmp"
head -c 100 /dev/zero | tr '\0' 'x' >"$WORK/www/100b"
chmod -R a+rX "$WORK/www"
write_nginx_http_conf "$WORK/nginx-http.conf" "$WORK"
start nginx-http nginx -e "$WORK/nginx-http-error.log" -p "$WORK" -c "$WORK/nginx-http.conf"
for side in a b; do
    port=$P_A; [[ $side == b ]] && port=$P_B
    cat >"$WORK/$side.conf" <<CONF
forwarder {
  listeners.http { bind = "127.0.0.1:$port", pool = http }
  pools.http.backends = [ "127.0.0.1:${P_HTTP}" ]
}
CONF
    # shellcheck disable=SC2086
    start "fwd-$side" java -Dforwarder.connection.log="${CONNECTION_LOG:-WARN}" ${FWD_JAVA_OPTS:-} \
        -jar "$WORK/$side.jar" run --config "$WORK/$side.conf"
done
PA=$PID_fwd_a
PB=$PID_fwd_b
wait_port nginx-http "$P_HTTP"; wait_port fwd-a "$P_A"; wait_port fwd-b "$P_B"

load() { # PORT SECONDS
    case $WORKLOAD in
        http-close) wrk -t2 -c50 -d"${2}s" -H 'Connection: close' "http://127.0.0.1:$1/100b" ;;
        http-ka) wrk -t2 -c50 -d"${2}s" "http://127.0.0.1:$1/100b" ;;
        *) die "unknown workload $WORKLOAD (expected: http-close or http-ka)" ;;
    esac
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
requests() { grep -E '^ +[0-9]+ requests in' "$1" | awk '{print $1}'; }

log "warm-up: ${WARM} s on each"
load "$P_A" "$WARM" >/dev/null
load "$P_B" "$WARM" >/dev/null
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
        load "$port" "$SECS" >"$WORK/load"
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
python3 - "$WORK/ab.tsv" "$TICK" "$SECS" <<'PY'
import statistics
import sys
rows = [line.split() for line in open(sys.argv[1])]
tick, secs = int(sys.argv[2]), float(sys.argv[3])
for side, rnd, req, ticks in rows:
    print(f"  round {rnd} {side.upper()}: {int(req) / secs:8,.0f} req/s, {1e6 * int(ticks) / tick / int(req):6.1f} us CPU/req")
per = {s: [(int(r), 1e6 * int(t) / tick / int(r)) for side, _, r, t in rows if side == s] for s in "ab"}
for s in "ab":
    print(f"{s.upper()}: median {statistics.median(r for r, _ in per[s]) / secs:,.0f} req/s,"
          f" median {statistics.median(c for _, c in per[s]):.1f} us CPU/req")
req = [b[0] / a[0] for a, b in zip(per["a"], per["b"])]
cpu = [b[1] / a[1] for a, b in zip(per["a"], per["b"])]
print(f"B/A req/s per round {[round(x, 2) for x in req]}, median {statistics.median(req):.3f}")
print(f"B/A CPU/req per round {[round(x, 2) for x in cpu]}, median {statistics.median(cpu):.3f}")
PY
if [[ -n $AP ]]; then
    python3 "$LIB/cpu_split.py" "A=$WORK/a.collapsed:$(awk '$1=="a"{s+=$3} END{print s}' "$WORK/ab.tsv")" \
        "B=$WORK/b.collapsed:$(awk '$1=="b"{s+=$3} END{print s}' "$WORK/ab.tsv")"
fi
