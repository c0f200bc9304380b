"""Splits CPU samples per proxied connection into buckets, one column per target.

Arguments: LABEL=COLLAPSED_FILE:REQUESTS ... (collapsed stacks, `thread;root;...;leaf count`, 1 sample = 1 ms).
A sample whose leaf runs in the kernel goes to the system call it runs under (io_uring operations to the call
they stand for); one in user space to the code that ran: for forwarder the package of the innermost frame that
names one, on the event loops; other JVM threads (GC, JIT, logging) by thread.
"""
import collections
import re
import sys

SYSCALL = re.compile(r"__(?:x64|ia32)_sys_(\w+)|__do_sys_(\w+)|\bksys_(\w+)")
GROUPS = {
    "accept": "accept", "accept4": "accept", "connect": "connect", "close": "close", "socket": "socket",
    "recvfrom": "read", "read": "read", "recvmsg": "read", "readv": "read",
    "sendto": "write", "write": "write", "writev": "write", "sendmsg": "write",
    "epoll_wait": "epoll_wait", "epoll_pwait": "epoll_wait", "epoll_pwait2": "epoll_wait", "epoll_ctl": "epoll_ctl",
    "shutdown": "shutdown", "setsockopt": "options, addresses", "getsockopt": "options, addresses",
    "getsockname": "options, addresses", "getpeername": "options, addresses", "futex": "futex",
    "io_uring_enter": "io_uring_enter (other)", "splice": "splice", "pipe2": "splice",
}
URING = [("io_accept", "accept"), ("io_connect", "connect"), ("io_recv", "read"), ("io_read", "read"),
         ("io_send", "write"), ("io_write", "write"), ("io_close", "close"), ("io_shutdown", "shutdown"),
         ("io_socket", "socket"), ("io_poll", "io_uring poll")]
USER = [("dev/forwarder/app/metrics", "metrics"), ("com/codahale", "metrics"),
        ("ch/qos/logback", "connection log"), ("org/slf4j", "connection log"), ("ConnectionLog", "connection log"),
        ("AccessLine", "connection log"), ("dev/forwarder/balancer", "balancer"), ("dev/forwarder/app", "app"),
        ("dev/forwarder/core", "forwarder core"), ("io/netty/buffer", "netty buffers"), ("io/netty", "netty"),
        ("java/", "jdk"), ("jdk/", "jdk"), ("sun/", "jdk")]


def bucket(frames):
    thread = frames[0] if frames[0].startswith("[") else "[?]"
    leaf = frames[-1]
    if leaf.endswith("_[k]"):
        kernel = [f for f in frames if f.endswith("_[k]")]
        text = ";".join(kernel)
        if "io_uring_enter" in text or "io_issue_sqe" in text or "io_wq" in text:
            for name, group in URING:
                if name + "_[k]" in kernel or any(f.startswith(name) for f in kernel):
                    return "kernel: " + group
            return "kernel: io_uring_enter (other)"
        for frame in kernel:
            m = SYSCALL.search(frame[:-4])
            if m:
                name = next(g for g in m.groups() if g)
                return "kernel: " + GROUPS.get(name, "other system calls")
        if "exc_page_fault" in text:
            return "kernel: page faults"
        if "net_rx_action" in text or "do_softirq" in text:
            return "kernel: softirq outside a call"
        return "kernel: other (scheduling, interrupts)"
    if "_[u:" in leaf:  # perf (HAProxy): by shared object
        dso = leaf.rsplit("_[u:", 1)[1].rstrip("]")
        return "user: " + ("haproxy" if dso.startswith("haproxy") else "libc, other libraries")
    if not thread.startswith("[forwarder-io"):
        name = thread.strip("[]")
        if "GC" in name or "G1" in name or "VM Thread" in name:
            return "JVM threads: GC"
        if "Compiler" in name:
            return "JVM threads: JIT compilers"
        return "other threads (logging, admin, timers)"
    for frame in reversed(frames):
        for key, group in USER:
            if key in frame:
                return "user: " + group
    return "user: JVM runtime (stubs, interpreter, allocation)"


columns = []
for arg in sys.argv[1:]:
    label, _, rest = arg.partition("=")
    path, _, requests = rest.rpartition(":")
    requests = int(requests or 0)
    buckets = collections.Counter()
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack:
            buckets[bucket(stack.split(";"))] += int(count)
    columns.append((label, requests, buckets))

rows = sorted({b for _, _, bs in columns for b in bs})
rows.sort(key=lambda r: (not r.startswith("kernel"), not r.startswith("user"), r))
width = max(len(r) for r in rows + ["requests profiled"]) + 2
print("".join(["bucket".ljust(width)] + [label.rjust(14) for label, _, _ in columns]))
print("".join(["requests profiled".ljust(width)] + [f"{req:14,d}" for _, req, _ in columns]))


def per(req, ms):
    return f"{1000.0 * ms / req:14.1f}" if req else f"{'-':>14}"


for row in rows:
    print("".join([row.ljust(width)] + [per(req, bs.get(row, 0)) for _, req, bs in columns]))
for title, prefix in (("kernel, total", "kernel"), ("user space (event loops), total", "user"),
                      ("other threads, total", None)):
    print("".join([title.ljust(width)] + [per(req, sum(v for k, v in bs.items() if (
        k.startswith(prefix) if prefix else not (k.startswith("kernel") or k.startswith("user"))))) for _, req, bs
        in columns]))
print("".join(["all, µs CPU per connection".ljust(width)] + [per(req, sum(bs.values())) for _, req, bs in columns]))
