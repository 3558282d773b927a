"""Intake throughput and latency: `impart serve` against a trivial write-and-fsync app, side by side,
and `impart serve` with notifications on (mail and a signed webhook to receivers on 127.0.0.1) beside off,
and with the inbox mounted (`--inbox`) beside off.

    .venv/bin/python bench/intake.py [--rounds 3] [--requests 1500] [--concurrency 16] [--max-seconds 300]

Both servers are waitress with the same threads on 127.0.0.1. The load (valid,
distinct proposals, keep-alive connections, redirects not followed) goes to
one, then the other, alternately for several rounds, so both see the same
machine noise. Only 127.0.0.1; every loop is bounded by count and by time.
Prints durable proposals per second, p50 and p99 latency, ours/trivial, and
notify/ours (target: within 10% on both rate and p99). After the load, waits
(bounded) for the notify server's outbox to drain and prints how many mails and
webhooks arrived for how many proposals stored, and any duplicate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_model, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
# Processes per server, the same for both: one per core, as `impart serve --workers` is meant to be run.
WORKERS = int(os.environ.get("BENCH_WORKERS", str(len(os.sched_getaffinity(0)))))


def wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port}")


def submission(i: int) -> bytes:
    fields = {
        "name": f"Load Tester {i}",
        "email": f"tester{i}@example.com",
        "organisation": "Benchmark Ltd",
        "role": "Operator",
        "use_case": f"Answer routine question number {i} for the claims team.",
        "operator": "Sam Lee, claims lead",
        "cost_line": "Under £25,000",
        "success_measure": f"Answer {i % 90 + 10}% of claims within 2 days",
        "rollback": "Route claims back to the shared inbox.",
        "timeline": "Within a month",
        "consent": "yes",
        "website": "",
        "from": "/field-notes/pilot-to-production/",
    }
    return urllib.parse.urlencode(fields).encode()


def run_load(port: int, path: str, start: int, total: int, concurrency: int, deadline: float):
    """Post `total` distinct proposals over `concurrency` connections; returns (seconds, latencies, successes)."""
    latencies: list[float] = []
    successes = [0]
    lock = threading.Lock()
    counter = iter(range(start, start + total))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"}

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, ok = [], 0
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            began = time.perf_counter()
            try:
                connection.request("POST", path, body=submission(i), headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - began)
            ok += response.status == 303
        connection.close()
        with lock:
            latencies.extend(mine)
            successes[0] += ok

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, successes[0]


def _drain(pending: Path, seconds: float) -> float:
    """Wait (bounded) until the outbox is empty, so that one round's sending never falls in another's."""
    began = time.monotonic()
    while any(pending.iterdir()) and time.monotonic() - began < seconds:
        time.sleep(0.05)
    return time.monotonic() - began


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process and its live child processes have used so far (Linux)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1] is the parent's pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1500, help="per round and server")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument(
        "--servers",
        default="ours,notify,inbox,trivial",
        help="which to run, in this order, e.g. ours,inbox (default: all four)",
    )
    args = parser.parse_args()
    stop_at = time.monotonic() + args.max_seconds

    work = Path(tempfile.mkdtemp(prefix="impart-bench-intake-"))
    site = work / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        check=True,
        env=env,
    )
    ours_port, trivial_port, notify_port, inbox_port = free_port(), free_port(), free_port(), free_port()
    from impart.inbox.accounts import Accounts

    Accounts(work / "inbox-accounts.json").add("bench", "a benchmark's own passphrase", now=time.time())
    smtp_port, hook_port = free_port(), free_port()
    env["IMPART_WEBHOOK_SECRET"] = "bench-secret"
    notify_flags = [
        "--notify-email", "ops@impart.example", "--mail-from", "site@impart.example",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port),
        "--notify-webhook", f"http://127.0.0.1:{hook_port}/hook",
    ]  # fmt: skip
    servers = {
        "ours": (
            [sys.executable, "-m", "impart", "--config", str(ROOT / "mkdocs.yml"), "serve", "--site", str(site),
             "--proposals", str(work / "proposals"), "--port", str(ours_port), "--threads", str(THREADS),
             "--workers", str(WORKERS),
             "--rate-limit", "100000000/60"],
            ours_port,
            "/request-a-proposal/",
        ),
        "notify": (
            [sys.executable, "-m", "impart", "--config", str(ROOT / "mkdocs.yml"), "serve", "--site", str(site),
             "--proposals", str(work / "notify"), "--port", str(notify_port), "--threads", str(THREADS),
             "--workers", str(WORKERS), "--rate-limit", "100000000/60", *notify_flags],
            notify_port,
            "/request-a-proposal/",
        ),
        "inbox": (
            [sys.executable, "-m", "impart", "--config", str(ROOT / "mkdocs.yml"), "serve", "--site", str(site),
             "--proposals", str(work / "inbox"), "--port", str(inbox_port), "--threads", str(THREADS),
             "--workers", str(WORKERS), "--rate-limit", "100000000/60",
             "--inbox", "--inbox-accounts", str(work / "inbox-accounts.json")],
            inbox_port,
            "/request-a-proposal/",
        ),
        "trivial": (
            [sys.executable, str(ROOT / "bench/fsync_app.py"), str(trivial_port), str(work / "trivial"), str(THREADS),
             str(WORKERS)],
            trivial_port,
            "/",
        ),
    }  # fmt: skip
    # In the order asked for: a server run just after another may inherit its writeback, so swap to compare.
    servers = {name: servers[name] for name in args.servers.split(",") if name in servers}
    processes = {}
    receivers = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/receivers.py"), str(smtp_port), str(hook_port)],
        env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    receivers.stdout.readline()  # "ready"
    delivered = {}
    try:
        for name, (command, port, _) in servers.items():
            processes[name] = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work
            )
            wait_for(port, processes[name])
        results = {name: [] for name in servers}
        offset = 0
        for round_number in range(args.rounds):
            for name, (_, port, path) in servers.items():
                if time.monotonic() > stop_at:
                    break
                seconds, latencies, ok = run_load(port, path, offset, args.requests, args.concurrency, stop_at)
                offset += args.requests
                results[name].append((ok / seconds, latencies))
                drain = _drain(work / "notify/.state/outbox/pending", 120) if name == "notify" else 0.0
                print(
                    f"round {round_number + 1} {name:8} {ok:5} answered 303 in {seconds:6.2f} s = {ok / seconds:7.1f}/s"
                    + (f"; its notifications all sent {drain:.1f} s later" if name == "notify" else "")
                )
        stored = len(list((work / "proposals").glob("*.json")))
        notified = len(list((work / "notify").glob("*.json")))
        pending = work / "notify/.state/outbox/pending"
        drained = not pending.is_dir() or not any(pending.iterdir())
    finally:
        server_cpu = {name: _cpu_seconds(process.pid) for name, process in processes.items()}
        for process in processes.values():
            process.terminate()
            process.wait(timeout=10)
        receivers_cpu = _cpu_seconds(receivers.pid)
        receivers.terminate()
        out, _ = receivers.communicate(timeout=30)
        delivered = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}

    print()
    machine = f"{os.cpu_count()} cores · {cpu_model()} · Python {platform.python_version()}"
    print(f"{dt.date.today()} · {platform.node()} · {machine}")
    print(
        f"concurrency {args.concurrency}, waitress threads {THREADS} in {WORKERS} process(es), {args.requests} requests"
    )
    print(f"{'server':8} {'rate/s (median)':>16} {'p50 ms':>8} {'p99 ms':>8}")
    summary, p99 = {}, {}
    for name, rounds in results.items():
        if not rounds:
            continue
        rate = statistics.median(r for r, _ in rounds)
        latencies = [x for _, lat in rounds for x in lat]
        summary[name] = rate
        p99[name] = percentile(latencies, 0.99)
        print(
            f"{name:8} {rate:16.1f} {percentile(latencies, 0.5) * 1000:8.1f} {percentile(latencies, 0.99) * 1000:8.1f}"
        )
    if "ours" in summary and "trivial" in summary:
        print(f"ratio ours/trivial: {summary['ours'] / summary['trivial']:.2f} (target >= 0.80)")
    if "ours" in summary and "inbox" in summary:
        pairs = [on / off for (on, _), (off, _) in zip(results["inbox"], results["ours"], strict=False)]
        print(
            f"ratio inbox/ours: rate {summary['inbox'] / summary['ours']:.2f} (target >= 0.90), "
            f"p99 {p99['inbox'] / p99['ours']:.2f} (target <= 1.10); rate ratio of each round, "
            f"{' '.join(f'{pair:.2f}' for pair in pairs)}: median {statistics.median(pairs):.2f}"
        )
    if "ours" in summary and "notify" in summary:
        pairs = [on / off for (on, _), (off, _) in zip(results["notify"], results["ours"], strict=False)]
        print(
            f"ratio notify/ours: rate {summary['notify'] / summary['ours']:.2f} (target >= 0.90), "
            f"p99 {p99['notify'] / p99['ours']:.2f} (target <= 1.10); rate ratio of each round, "
            f"{' '.join(f'{pair:.2f}' for pair in pairs)}: median {statistics.median(pairs):.2f}"
        )
    print(f"durable proposals stored by ours: {stored}")
    print(
        f"notify: {notified} stored; outbox {'drained' if drained else 'NOT drained within 120 s'}; "
        f"{delivered.get('mails', '?')} mails and {delivered.get('webhooks', '?')} webhooks received, "
        f"duplicates: {delivered.get('mail_duplicates', '?')} mail, {delivered.get('webhook_duplicates', '?')} webhook"
    )
    print(f"the receivers (standing for a mail server and a webhook elsewhere) used {receivers_cpu:.1f} CPU s")
    if "ours" in server_cpu and "notify" in server_cpu:
        per = {
            name: server_cpu[name] / max(1, count) * 1000 for name, count in (("ours", stored), ("notify", notified))
        }
        print(
            f"server CPU per proposal, the sending included: ours {per['ours']:.2f} ms, notify {per['notify']:.2f} ms "
            f"({per['notify'] / per['ours']:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
