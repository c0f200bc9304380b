# The workloads of bench/run.sh (also bench/ab.sh's); needs JAR set (the rr workload's load tool).

# Runs WORKLOAD against PORT for SECONDS, output to FILE; prints the parser's kind.
run_tool() { # WORKLOAD PORT SECONDS FILE
    local wl=$1 port=$2 secs=$3 out=$4 limit=$(($3 + 30))
    case $wl in
        iperf1) timeout "$limit" iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -O 1 -J >"$out" 2>&1 || true; echo iperf ;;
        iperf4) timeout "$limit" iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -O 1 -P 4 -J >"$out" 2>&1 || true; echo iperf ;;
        http-ka) timeout "$limit" wrk -t2 -c50 -d"${secs}s" --latency "http://127.0.0.1:$port/100b" >"$out" 2>&1 || true; echo wrk ;;
        http-close) timeout "$limit" wrk -t2 -c50 -d"${secs}s" --latency -H 'Connection: close' \
            "http://127.0.0.1:$port/100b" >"$out" 2>&1 || true; echo wrk ;;
        http-1m) timeout "$limit" wrk -t2 -c10 -d"${secs}s" --latency "http://127.0.0.1:$port/1m" >"$out" 2>&1 || true; echo wrk ;;
        rr) timeout "$limit" java -jar "$JAR" loadtest --target "127.0.0.1:$port" --mode rr --connections 50 \
            --size 100B --duration "${secs}s" --warmup 1s --json --quiet >"$out" 2>&1 || true; echo loadtest ;;
    esac
}

service_of() { case $1 in iperf*) echo IPERF ;; http*) echo HTTP ;; rr) echo ECHO ;; esac; }
