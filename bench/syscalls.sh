#!/usr/bin/env bash
# System calls per proxied connection, forwarder (epoll and io-uring) next to HAProxy (mode tcp, plain and with
# forced splice), counted with strace over N new connections (one HTTP/1.0 request each, read to the end):
#   bash bench/syscalls.sh            # N=2000
# Environment: N (connections counted, default 2000), WARM (connections before counting, default 5000: the JIT
# still compiles after that, and its threads show up as gettid),
# JAR (default forwarder-app/target/forwarder.jar), FWD_JAVA_OPTS. forwarder runs with its defaults (the
# connection log on). strace slows every target a lot; the counts, not the times, are the result, and they do
# not depend on how loaded the machine is. Listens on 127.0.0.1 only and stops everything it started on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$REPO/bench/lib
N=${N:-2000}
WARM=${WARM:-5000}
JAR=${JAR:-$REPO/forwarder-app/target/forwarder.jar}
source "$LIB/configs.sh"
source "$LIB/proc.sh"
source "$LIB/tools.sh"
source "$LIB/backends.sh"

WORK=$(mktemp -d /tmp/forwarder-syscalls.XXXXXX)
chmod 755 "$WORK"
PIDS=()
trap_cleanup
command -v strace >/dev/null || install_debian strace
command -v haproxy >/dev/null || install_debian haproxy
command -v nginx >/dev/null || install_debian nginx-light
ensure_runtime_and_jar
cp "$JAR" "$WORK/forwarder.jar"
JAR=$WORK/forwarder.jar

pick_ports HTTP FWD_EPOLL FWD_URING HAP_HTTP HAP_SPLICE
mkdir -p "$WORK/www" "$WORK/tmp"
head -c 100 /dev/zero | tr '\0' 'x' >"$WORK/www/100b"
chmod -R a+rX "$WORK/www"
write_nginx_http_conf "$WORK/nginx-http.conf" "$WORK"
start nginx-http nginx -e "$WORK/nginx-http-error.log" -p "$WORK" -c "$WORK/nginx-http.conf"

fwd_conf() { # FILE TRANSPORT PORT
    cat >"$1" <<CONF
forwarder {
  transport = $2
  admin.enabled = false
  listeners.http { bind = "127.0.0.1:$3", pool = http }
  pools.http.backends = [ "127.0.0.1:${P_HTTP}" ]
}
CONF
}
fwd_conf "$WORK/epoll.conf" epoll "$P_FWD_EPOLL"
fwd_conf "$WORK/io-uring.conf" io-uring "$P_FWD_URING"
# shellcheck disable=SC2086
start fwd-epoll java ${FWD_JAVA_OPTS:-} -jar "$JAR" run --config "$WORK/epoll.conf"
# shellcheck disable=SC2086
start fwd-io-uring java ${FWD_JAVA_OPTS:-} -jar "$JAR" run --config "$WORK/io-uring.conf"
cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread 2
  maxconn 7000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen http
  bind 127.0.0.1:${P_HAP_HTTP}
  server backend 127.0.0.1:${P_HTTP}
listen http-splice
  bind 127.0.0.1:${P_HAP_SPLICE}
  option splice-request
  option splice-response
  server backend 127.0.0.1:${P_HTTP}
CONF
start haproxy haproxy -db -f "$WORK/haproxy.cfg"
wait_port nginx-http "$P_HTTP"; wait_port fwd-epoll "$P_FWD_EPOLL"; wait_port fwd-io-uring "$P_FWD_URING"
wait_port haproxy "$P_HAP_HTTP"

count() { # LABEL PID PORT
    log "$1: warm-up, $WARM connections"
    python3 "$LIB/churn.py" "$3" "$WARM"
    strace -f -c -o "$WORK/$1.strace" -p "$2" 2>"$WORK/$1.strace.log" &
    local strace_pid=$!
    # strace attaches thread by thread; its "Process N attached" lines say when it is done.
    for _ in $(seq 100); do grep -q attached "$WORK/$1.strace.log" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    log "$1: counting $N connections"
    python3 "$LIB/churn.py" "$3" "$N"
    kill -INT "$strace_pid"; wait "$strace_pid" || true
}
count forwarder-epoll "$PID_fwd_epoll" "$P_FWD_EPOLL"
count forwarder-uring "$PID_fwd_io_uring" "$P_FWD_URING"
count haproxy "$PID_haproxy" "$P_HAP_HTTP"
count haproxy-splice "$PID_haproxy" "$P_HAP_SPLICE"
grep -h 'falling back' "$WORK"/fwd-*.log >&2 || true

echo "System calls per proxied connection (strace -f -c over $N connections, one 100 B HTTP/1.0 request each;"
echo "whole processes, every thread: JVM housekeeping included)"
python3 "$LIB/syscalls_table.py" "$N" fwd-epoll="$WORK/forwarder-epoll.strace" \
    fwd-io-uring="$WORK/forwarder-uring.strace" haproxy="$WORK/haproxy.strace" \
    hap-splice="$WORK/haproxy-splice.strace"
