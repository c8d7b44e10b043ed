#!/usr/bin/env python3
"""Capacity benchmark (`make bench-collect`): how large an organization one run of the
function reads inside Lambda's 15 minutes (14 minutes of reading, one to write).

The local AWS answers with realistic latency: sts:AssumeRole 150 ms, every Config call
400 ms, 100 items per page, and throttles past AWS's rates (8 selects, 15 batch gets and
8 recorder descriptions a second per account or aggregator). For list mode (each account x region assumed and queried)
and sharded aggregator mode, at concurrency 8, 32 and 64, the organization grows
(accounts x 2 regions x 100 items) until one run takes longer than BENCH_STEP_LIMIT
seconds (default 40). Each run's wall time, the collector's CPU time and peak RSS are
measured; the largest run's targets per second (latency-bound) and CPU and memory per
item (work-bound) then project the time of larger organizations, up to the largest
that fits in 14 minutes and the largest realistic one (5,000 accounts x 4 regions x 100
items: 2 million items). Measured figures are marked as such; the rest are projections.

The local AWS is moto in one Python process: past a few hundred requests a second it
is the bottleneck, not the collector, which is why the runs stop small and the rest is
projected.

With BENCH_SCOPE=all, each account and region also holds 200 resources of types no
mapper reads (IAM roles, KMS keys, ...: the 100k + 200k mix of `make bench`'s scope row)
and `collect` runs with `--scope all`, which reads them with one more advanced query
per target; BENCH_MODES picks the modes (default: list aggregator).

Usage: bench_capacity.py BINARY (run by `make bench-collect` with the test venv's python)."""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_collect import seeded_items  # noqa: E402
from gen_config_items import envelopes  # noqa: E402

ASSUME_MS, PAGE_MS, PER_TARGET = 150, 400, 100
REGIONS = ["us-east-1", "us-west-2"]
READ_BUDGET = 14 * 60
BIG = (5000, 4)  # accounts x regions of the largest realistic organization
STEP_LIMIT = float(os.environ.get("BENCH_STEP_LIMIT", "40"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "8 32 64").split()]
SCOPE = os.environ.get("BENCH_SCOPE", "boundary")
ENVELOPES = 200 if SCOPE == "all" else 0
MODES = os.environ.get("BENCH_MODES", "list aggregator").split()


# Config's rates, enforced by the local AWS per account (or aggregator) and API as AWS
# does (a token bucket): the collector's own limits default to the same figures.
RATES = {"select": 8, "batch-get": 15, "describe": 8}


def seed(accounts):
    items = seeded_items(accounts, REGIONS, PER_TARGET)
    others = envelopes(len(accounts) * len(REGIONS) * ENVELOPES, 1)
    for account in accounts:
        for region in REGIONS:
            for _ in range(ENVELOPES):
                item = next(others)
                item["accountId"], item["awsRegion"] = account, region
                items[account][region].append(item)
    return {"items": items, "delay_ms": PAGE_MS, "assume_delay_ms": ASSUME_MS, "rates": RATES}


class LocalAws:
    def __init__(self, tmp, accounts):
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(tmp, "seed.json")
        with open(path, "w") as f:
            json.dump(seed(accounts), f)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(here, "harness", "local_aws.py"), "--seed", path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        url = self.proc.stdout.readline().split()[1]
        self.env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing",
                        AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true")
        self.env.pop("AWS_PROFILE", None)

    def close(self):
        self.proc.kill()
        self.proc.wait()


def run(binary, aws, tmp, args):
    """Wall seconds, CPU seconds and peak RSS (MiB) of one `collect`, and its result.
    GNU time measures: a child forked from this (large) Python would report the
    Python's size as its own peak."""
    out, measured = os.path.join(tmp, "inv.xlsx"), os.path.join(tmp, "time.txt")
    start = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-o", measured, "-f", "%M %U %S", binary, "collect", *args,
                           "--output", out], env=aws.env, capture_output=True, text=True)
    secs = time.monotonic() - start
    with open(measured) as f:
        rss_kb, user, system = f.read().split()[-3:]
    result = json.loads(done.stdout)
    if result["status"] != "ok":
        sys.exit(f"collect did not read everything: {done.stdout}")
    return secs, float(user) + float(system), int(rss_kb) / 1024, result


def main():
    binary = sys.argv[1]
    rows = []
    for mode in MODES:
        for concurrency in CONCURRENCY:
            accounts_n, last, prev = 32, None, None
            while True:
                accounts = [f"{100000000000 + i:012d}" for i in range(1, accounts_n + 1)]
                with tempfile.TemporaryDirectory() as tmp:
                    aws = LocalAws(tmp, accounts)
                    try:
                        args = (["--accounts", ",".join(accounts), "--regions", ",".join(REGIONS)]
                                if mode == "list" else ["--aggregator", "org"])
                        args += ["--concurrency", str(concurrency), "--scope", SCOPE]
                        secs, cpu, rss, result = run(binary, aws, tmp, args)
                    finally:
                        aws.close()
                targets = accounts_n * len(REGIONS)
                items = targets * (PER_TARGET + ENVELOPES)
                prev, last = last, (accounts_n, targets, items, secs, cpu, rss, result["rows"])
                print(f"  measured: {mode:10} concurrency {concurrency:>2}: {accounts_n:>5} accounts x "
                      f"{len(REGIONS)} regions, {items:>7} items, {result['rows']:>7} rows: "
                      f"{secs:6.1f} s, CPU {cpu:5.1f} s, peak RSS {rss:5.0f} MiB", flush=True)
                if secs > STEP_LIMIT or accounts_n >= 1024:
                    break
                accounts_n *= 2
            # Memory per item: the growth between the two largest runs, not the baseline.
            per_item = (last[5] - prev[5]) / (last[2] - prev[2]) if prev else last[5] / last[2]
            rows.append((mode, concurrency, last, per_item))
    print()
    print("| mode | concurrency | largest run measured | targets/s | fits in 14 min (projected) "
          "| 5,000 accounts x 4 regions, 2M items (projected) |")
    print("|---|---|---|---|---|---|")
    for mode, concurrency, (accounts_n, targets, items, secs, cpu, rss, _), rss_per_item in rows:
        rate = targets / secs
        cpu_per_item = cpu / items
        big_targets = BIG[0] * BIG[1]
        big_items = big_targets * (PER_TARGET + ENVELOPES)
        # Latency-bound by the targets, work-bound by two cores' CPU per item.
        big_secs = max(big_targets / rate, big_items * cpu_per_item / 2)
        fits_targets = int(min(rate * READ_BUDGET, READ_BUDGET * 2 / cpu_per_item / (PER_TARGET + ENVELOPES)))
        print(f"| {mode} | {concurrency} | {accounts_n} x {len(REGIONS)} regions, {items:,} items: {secs:.1f} s, "
              f"{rss:.0f} MiB | {rate:.1f} | {fits_targets:,} account-regions "
              f"({fits_targets // BIG[1]:,} accounts x {BIG[1]} regions, {fits_targets * (PER_TARGET + ENVELOPES):,} items) "
              f"| {big_secs / 60:.1f} min{' (does not fit)' if big_secs > READ_BUDGET else ''}, "
              f"~{(rss + rss_per_item * (big_items - items)) / 1024:.1f} GiB |")


if __name__ == "__main__":
    main()
