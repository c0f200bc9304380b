#!/usr/bin/env python3
"""Opens N TCP connections to 127.0.0.1:PORT, proves each one relays (one byte out, the echo back), then holds
them open until stdin closes or HOLD seconds pass. Prints 'ready N' once all are established. Loopback only."""
import socket
import sys
import time


def main():
    port, count, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    sockets = []
    deadline = time.monotonic() + 120
    for i in range(count):
        if time.monotonic() > deadline:
            sys.exit(f"only {i} of {count} connections opened within 120 s")
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"x")
        if s.recv(1) != b"x":
            sys.exit(f"connection {i} did not echo")
        sockets.append(s)
    print(f"ready {len(sockets)}", flush=True)
    end = time.monotonic() + hold
    while time.monotonic() < end:
        time.sleep(min(5.0, max(0.0, end - time.monotonic())))
    # Every connection must still be alive after the hold.
    dead = 0
    for s in sockets:
        try:
            s.sendall(b"y")
            if s.recv(1) != b"y":
                dead += 1
        except OSError:
            dead += 1
    print(f"alive {len(sockets) - dead} dead {dead}", flush=True)
    for s in sockets:
        s.close()


if __name__ == "__main__":
    main()
