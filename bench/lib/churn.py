#!/usr/bin/env python3
"""N sequential new connections, each one HTTP/1.0 request read to the end: what a proxy's accept, connect and
close path costs per connection, without a load tool's own parallelism in the way.

usage: churn.py PORT N [PATH]
Exits 1 if any request got no answer.
"""
import socket
import sys

port, n = int(sys.argv[1]), int(sys.argv[2])
path = sys.argv[3] if len(sys.argv) > 3 else "/100b"
request = f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
failed = 0
for _ in range(n):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        got = 0
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += len(chunk)
        failed += got == 0
if failed:
    print(f"{failed} of {n} connections got no answer", file=sys.stderr)
    sys.exit(1)
