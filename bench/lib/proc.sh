# Process handling shared by the bench scripts. The caller sets WORK (a scratch directory) and PIDS=() first.
# Every process starts in its own session, so cleanup stops its whole process group; BENCH_KEEP=1 keeps WORK.

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
    local pid i
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill -TERM -- "-${PIDS[i]}" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

# Stops everything on exit, Ctrl-C or TERM.
trap_cleanup() {
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}

# Starts NAME CMD... with output to WORK/NAME.log; sets PID_NAME (dashes become underscores).
start() {
    local name=$1; shift
    setsid "$@" >"$WORK/$name.log" 2>&1 </dev/null &
    PIDS+=("$!")
    eval "PID_${name//-/_}=$!"
}

# Waits up to 15 s until NAME listens on 127.0.0.1:PORT; otherwise shows NAME's log and stops.
wait_port() { # NAME PORT
    for _ in $(seq 150); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    tail -20 "$WORK/$1.log" >&2 || true
    die "$1 did not listen on 127.0.0.1:$2 within 15 s (log above)"
}
