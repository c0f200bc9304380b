# Ports and backends shared by the bench scripts; needs lib/configs.sh and lib/proc.sh, and WORK and JAR set.

# pick_ports NAME...: sets P_NAME to a free port on 127.0.0.1 for each NAME. Holds every socket until all are
# picked, so no port comes out twice.
pick_ports() {
    local names=("$@") ports i
    ports=$(python3 -c 'import socket
ss = [socket.socket() for _ in range('"${#names[@]}"')]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
    read -r -a ports <<<"$ports"
    for i in "${!names[@]}"; do eval "P_${names[i]}=${ports[i]}"; done
}

# The workloads' backends on P_IPERF, P_HTTP (100 B and 1 MiB files) and P_ECHO: iperf3, nginx, echo-server.
start_backends() {
    mkdir -p "$WORK/www" "$WORK/tmp"
    head -c 100 /dev/zero | tr '\0' 'x' >"$WORK/www/100b"
    head -c $((1 << 20)) /dev/urandom >"$WORK/www/1m"
    chmod -R a+rX "$WORK/www"
    start iperf3 iperf3 -s -B 127.0.0.1 -p "$P_IPERF"
    write_nginx_http_conf "$WORK/nginx-http.conf" "$WORK"
    start nginx-http nginx -e "$WORK/nginx-http-error.log" -p "$WORK" -c "$WORK/nginx-http.conf"
    start echo java -jar "$JAR" echo-server --bind "127.0.0.1:$P_ECHO" --threads 1
}
