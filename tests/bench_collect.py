#!/usr/bin/env python3
"""Collection benchmark: 16 accounts x 2 regions x 500 items, each Config call delayed
50 ms by the local AWS. Prints the wall time of one account-region alone, of all 32 at
concurrency 8 and at concurrency 1, and the ratios. With concurrency 8 the whole run
should take about (32 / 8) x one account-region, not 32 x.

Usage: bench_collect.py BINARY (run by `make bench` with the test venv's python)."""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from gen_config_items import generate  # noqa: E402

ACCOUNTS = [f"{100000000000 + i:012d}" for i in range(1, 17)]
REGIONS = ["us-east-1", "us-west-2"]
PER_TARGET = 500
DELAY_MS = 50


def seeded_items(accounts, regions, per_target):
    """{account: {region: [item]}}: generated items (seed 1), `per_target` in each."""
    items = {}
    stream = generate(len(accounts) * len(regions) * per_target, 1)
    for account in accounts:
        for region in regions:
            chunk = []
            for _ in range(per_target):
                item = next(stream)
                item["accountId"], item["awsRegion"] = account, region
                chunk.append(item)
            items.setdefault(account, {})[region] = chunk
    return items


def seed():
    return {"items": seeded_items(ACCOUNTS, REGIONS, PER_TARGET), "delay_ms": DELAY_MS}


def main():
    binary = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        seed_file = os.path.join(tmp, "seed.json")
        with open(seed_file, "w") as f:
            json.dump(seed(), f)
        harness = subprocess.Popen([sys.executable, os.path.join(here, "harness", "local_aws.py"), "--seed", seed_file],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        url = harness.stdout.readline().split()[1]
        env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true")
        env.pop("AWS_PROFILE", None)

        def run(accounts, regions, concurrency):
            out = os.path.join(tmp, "inv.xlsx")
            start = time.monotonic()
            done = subprocess.run([binary, "collect", "--accounts", ",".join(accounts), "--regions", ",".join(regions),
                                   "--concurrency", str(concurrency), "--output", out],
                                  env=env, capture_output=True, text=True)
            secs = time.monotonic() - start
            result = json.loads(done.stdout)
            if done.returncode != 0:
                sys.exit(f"collect failed: {done.stdout}{done.stderr}")
            return secs, result["rows"]

        one, rows1 = run(ACCOUNTS[:1], REGIONS[:1], 1)
        all8, rows8 = run(ACCOUNTS, REGIONS, 8)
        all1, _ = run(ACCOUNTS, REGIONS, 1)
        harness.kill()
    targets = len(ACCOUNTS) * len(REGIONS)
    print(f"collect: one account-region ({PER_TARGET} items, {rows1} rows): {one:.2f} s")
    print(f"collect: {targets} account-regions, concurrency 8 ({rows8} rows): {all8:.2f} s = {all8 / one:.1f} x one "
          f"(ideal {targets / 8:.0f} x)")
    print(f"collect: {targets} account-regions, concurrency 1: {all1:.2f} s = {all1 / one:.1f} x one "
          f"(speed-up from concurrency {all1 / all8:.1f} x)")


if __name__ == "__main__":
    main()
