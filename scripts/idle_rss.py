#!/usr/bin/env python3
"""Idle RSS and start-up time of a coroot-mcp binary, on stdio or over HTTP.

    scripts/idle_rss.py target/release/coroot-mcp            # stdio, 9 runs
    scripts/idle_rss.py target/release/coroot-mcp --http     # Streamable HTTP
    scripts/idle_rss.py BIN --cache cold --runs 5 --smaps    # binary evicted from the page cache first

Each run starts `coroot-mcp serve` against a closed port (the server does not talk to Coroot
until a tool is called), sends `initialize`, `notifications/initialized` and `tools/list`, waits
300 ms, and reads /proc/PID/status and smaps: VmRSS, RssAnon, RssFile, the resident part of the
binary's executable mapping, and the thread count. Start-up is process spawn to the `tools/list`
answer. Medians are printed.

Why the page cache matters: the kernel maps up to 64 KB of file pages around every faulting code
page (fault-around), but only pages already in the page cache. With the whole binary cached
(`--cache warm`, the default: it is evicted and read once before each run) every touched 64 KB
window of .text is resident, a repeatable worst case; `--cache cold` only evicts the binary
(POSIX_FADV_DONTNEED), so only what read-ahead brings in is mapped. How pages entered the cache
also counts (a binary just written by the linker or `cp` sits in larger folios, mapped whole),
hence the eviction in both modes: without it the same binary read 15.5 to 17.2 MiB.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

ENV = dict(os.environ, COROOT_URL="http://127.0.0.1:9", COROOT_EMAIL="a", COROOT_PASSWORD="b")
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "idle_rss", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}


def set_cache(binary: str, mode: str) -> None:
    fd = os.open(binary, os.O_RDONLY)
    try:
        # Evicted first in both modes: how the pages got into the cache (written by the linker,
        # read ahead) decides the size of the page-cache folios, which the kernel maps whole.
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        if mode == "warm":
            while os.read(fd, 1 << 20):
                pass
    finally:
        os.close(fd)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stdio_run(binary: str):
    started = time.perf_counter()
    p = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=ENV)

    def send(m):
        p.stdin.write((json.dumps(m) + "\n").encode())
        p.stdin.flush()

    send(INIT)
    p.stdout.readline()
    send(INITIALIZED)
    send(LIST)
    tools = len(json.loads(p.stdout.readline())["result"]["tools"])
    return p, time.perf_counter() - started, tools


def post(port: int, body: dict, session: str | None):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if session:
        headers["Mcp-Session-Id"] = session
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", "/mcp", json.dumps(body), headers)
    r = c.getresponse()
    data = r.read().decode()
    sid = r.getheader("Mcp-Session-Id") or session
    c.close()
    # An SSE answer carries the JSON in its `data:` lines.
    lines = [l[5:].strip() for l in data.splitlines() if l.startswith("data:")]
    payload = next((l for l in lines if l), data)
    return sid, payload


def http_run(binary: str):
    port = free_port()
    started = time.perf_counter()
    p = subprocess.Popen([binary, "serve", "--http", f"127.0.0.1:{port}"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.perf_counter() - started > 10:
                raise
            time.sleep(0.001)
    sid, _ = post(port, INIT, None)
    post(port, INITIALIZED, sid)
    _, listed = post(port, LIST, sid)
    tools = len(json.loads(listed)["result"]["tools"])
    return p, time.perf_counter() - started, tools


def sample(pid: int, binary: str, smaps: bool) -> dict:
    status = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "Threads"):
            status[key] = int(value.split()[0])
    text = 0
    mapping = None
    real = os.path.realpath(binary)
    maps = open(f"/proc/{pid}/smaps").read()
    for line in maps.splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
            mapping = fields
        elif fields and fields[0] == "Rss:" and mapping and len(mapping) >= 6:
            if mapping[5] == real and "x" in mapping[1]:
                text += int(fields[1])
    status["Text"] = text
    if smaps:
        print(maps)
    return status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--http", action="store_true")
    ap.add_argument("--cache", choices=["warm", "cold"], default="warm")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--smaps", action="store_true", help="print the last run's smaps")
    args = ap.parse_args()
    rows, times = [], []
    for i in range(args.runs):
        set_cache(args.binary, args.cache)
        p, elapsed, tools = (http_run if args.http else stdio_run)(args.binary)
        time.sleep(0.3)
        rows.append(sample(p.pid, args.binary, args.smaps and i == args.runs - 1))
        times.append(elapsed * 1000)
        p.kill()
        p.wait()
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(f"{'http' if args.http else 'stdio'} cache={args.cache} runs={args.runs} tools={tools}: "
          f"VmRSS {med['VmRSS'] / 1024:.1f} MiB (min {min(r['VmRSS'] for r in rows) / 1024:.1f}, "
          f"max {max(r['VmRSS'] for r in rows) / 1024:.1f}), RssAnon {med['RssAnon'] / 1024:.1f}, "
          f"RssFile {med['RssFile'] / 1024:.1f}, of it .text {med['Text'] / 1024:.1f}, "
          f"threads {med['Threads']:.0f}; start-up median {statistics.median(times):.1f} ms "
          f"(min {min(times):.1f})")


if __name__ == "__main__":
    sys.exit(main())
