#!/usr/bin/env python3
"""Fan-out benchmark (`make bench-collect`'s second part): what a fanned-out run costs
past what one function reads, measured on the parts the capacity table does not cover.

The children read as one run reads (the capacity table's targets a second: each child
is a run of `fan-out-batch` targets). What is new is the merge: every batch file
replayed through the kernel into one inventory, then written. This runs the collector's
own state machine on the local AWS (moto's ASL interpreter, the release function under
cargo-lambda's emulator, no added latency) over organizations of growing size
(accounts x 2 regions x 100 items, BENCH_SCOPE=all adding 200 resources of unmapped
types to each), then invokes the merge alone on a fresh function process and measures
its wall time, CPU time and peak RSS (/proc's VmHWM). From the largest merge's time and
memory per item, and the capacity table's read rates, it projects 10,000 accounts x 4
regions.

Usage: bench_fan_out.py LAMBDA_BINARY (run by `make bench-collect` with the test venv)."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_capacity import ENVELOPES, PER_TARGET, REGIONS, SCOPE, seed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SIZES = [int(n) for n in os.environ.get("BENCH_FAN_OUT_ACCOUNTS", "125 250 500").split()]
BATCH = 100  # account-regions a batch: the measured runs have 3 to 10 batches
BIG = (10000, 4)
# The capacity table's measured read rates (targets a second, a child at concurrency
# 64 in list mode; docs/benchmarks.md, 2026-12-02), and the aggregator's select rate.
LIST_RATE = {"boundary": 21.9, "all": 21.6}[SCOPE]
AGGREGATOR_SELECTS = 8.0
CONCURRENCY, CHILD_BATCH = 10, 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Harness:
    def __init__(self, tmp, accounts):
        path = os.path.join(tmp, "seed.json")
        seeded = seed(accounts)
        # The merge is measured, not the reads: no latency, no rates.
        seeded.update({"delay_ms": 0, "assume_delay_ms": 0, "rates": {}, "buckets": ["reports"],
                       "execute_state_machines": True})
        with open(path, "w") as f:
            json.dump(seeded, f)
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "harness", "local_aws.py"),
                                      "--seed", path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.url = self.proc.stdout.readline().split()[1]

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.kill()


def function(binary, env, port):
    return subprocess.Popen([binary], env=dict(env, AWS_LAMBDA_RUNTIME_API=f"http://127.0.0.1:{port}/.rt",
                                               AWS_LAMBDA_FUNCTION_NAME="_", AWS_LAMBDA_FUNCTION_VERSION="1",
                                               AWS_LAMBDA_FUNCTION_MEMORY_SIZE="4096"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(binary, accounts_n):
    accounts = [f"{100000000000 + i:012d}" for i in range(1, accounts_n + 1)]
    cargo_lambda = os.path.join(os.path.dirname(sys.executable), "cargo-lambda")
    with tempfile.TemporaryDirectory() as tmp:
        aws = Harness(tmp, accounts)
        port = free_port()
        watch = subprocess.Popen([cargo_lambda, "lambda", "watch", "--only-lambda-apis", "--quiet", "-A",
                                  "127.0.0.1", "-P", str(port)], cwd=REPO, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        fn = None
        try:
            while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
                time.sleep(0.1)
            env = dict(os.environ, AWS_ENDPOINT_URL=aws.url, AWS_REGION="us-east-1",
                       AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                       AWS_EC2_METADATA_DISABLED="true",
                       ACCOUNT_LIST=json.dumps([{"name": a, "id": a} for a in accounts]),
                       REGIONS=",".join(REGIONS), REPORT_TARGET_BUCKET_NAME="reports",
                       REPORT_TARGET_BUCKET_PATH="bench", FAN_OUT="on", FAN_OUT_BATCH=str(BATCH),
                       SCOPE=SCOPE)
            env.pop("AWS_PROFILE", None)
            fn = function(binary, env, port)
            made = aws.ask(f"state-machine {REPO}/cloudformation/collector.yaml StateMachine fedramp-inventory "
                           f"http://127.0.0.1:{port} _")
            start = time.monotonic()
            done = aws.ask(f"execute {made['arn']} bench {{}}")
            whole = time.monotonic() - start
            if done["status"] != "SUCCEEDED" or done["output"]["status"] != "ok":
                sys.exit(f"the fanned-out run did not read everything: {done}")
            # The merge alone, on a process of its own: its peak is the merge's.
            fn.kill()
            fn.wait()
            fn = function(binary, env, port)
            proc_stat = f"/proc/{fn.pid}/stat"
            start = time.monotonic()
            merged = subprocess.run([cargo_lambda, "lambda", "invoke", "_", "-A", "127.0.0.1", "-P", str(port),
                                     "--data-ascii", json.dumps({"step": "merge", "run": "bench"})],
                                    cwd=REPO, capture_output=True, text=True)
            secs = time.monotonic() - start
            with open(proc_stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            with open(f"/proc/{fn.pid}/status") as f:
                hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
            result = json.loads(merged.stdout)
            if result["status"] != "ok":
                sys.exit(f"the merge did not read everything: {merged.stdout}")
            return whole, secs, cpu, hwm / 1024, result["rows"], done["output"]["rows"]
        finally:
            if fn:
                fn.kill()
            watch.kill()
            aws.close()


def main():
    binary = sys.argv[1]
    runs = []
    for n in SIZES:
        targets = n * len(REGIONS)
        items = targets * (PER_TARGET + ENVELOPES)
        whole, secs, cpu, rss, rows, fanned_rows = measure(binary, n)
        assert rows == fanned_rows, (rows, fanned_rows)
        runs.append((n, targets, items, whole, secs, cpu, rss))
        print(f"  measured: scope {SCOPE}: {n:>4} accounts x {len(REGIONS)} regions, {items:>7} items, "
              f"{-(-targets // BATCH)} batches: whole run {whole:6.1f} s; merge {secs:5.1f} s, "
              f"CPU {cpu:5.1f} s, peak RSS {rss:5.0f} MiB", flush=True)
    (n0, _, i0, _, _, _, r0), (n1, t1, i1, _, s1, c1, r1) = runs[-2], runs[-1]
    rss_per_item = (r1 - r0) / (i1 - i0)
    big_targets = BIG[0] * BIG[1]
    big_items = big_targets * (PER_TARGET + ENVELOPES)
    merge_secs = big_items * s1 / i1
    merge_rss = r1 + (big_items - i1) * rss_per_item
    batches = -(-big_targets // CHILD_BATCH)
    waves = -(-batches // CONCURRENCY)
    list_reads = waves * CHILD_BATCH / LIST_RATE
    selects = big_targets * (2 if SCOPE == "all" else 1)
    aggregator_reads = selects / AGGREGATOR_SELECTS
    print()
    print(f"10,000 accounts x 4 regions, {big_items / 1e6:.0f}M items, scope {SCOPE} (projected):")
    print(f"- merge: {merge_secs / 60:.1f} min (at the largest measured merge's {i1 / s1:,.0f} items/s), "
          f"peak ~{merge_rss / 1024:.1f} GiB")
    print(f"- list mode: {batches} batches of {CHILD_BATCH}, {CONCURRENCY} at once: {waves} waves of "
          f"{CHILD_BATCH / LIST_RATE:.0f} s (each child at the measured {LIST_RATE} targets/s) = "
          f"{list_reads / 60:.1f} min of reading, then the merge")
    print(f"- aggregator mode: at least {selects:,} selects at {AGGREGATOR_SELECTS:.0f} a second = "
          f"{aggregator_reads / 60:.0f} min of reading, then the merge")


if __name__ == "__main__":
    main()
