#!/usr/bin/env python3
"""Synthetic Amazon Inspector coverage (`aws inspector2 list-coverage` records, one per
line) for the inventory benchmark: `make bench` runs `report --scan-coverage` on it.

For each EC2 instance of the Config items file: a record scanned inside the 30-day
window (80%), one scanned before it (10%), one never scanned, with Inspector's reason
(5%), or none at all (5%). Then one covered instance the inventory does not hold for
every fifty instances. So both gap lists of the Scan Coverage sheet grow with the input:
about 8,000 lines of 40,000 instances on the 100,000-item input.

Times are relative to now, so a file made today holds the same mix on any day it is
made. Output is determined by --seed and the items file (stdlib only).

Usage: gen_coverage.py --items FILE --out FILE [--seed S]
"""
import argparse
import datetime
import json
import random


def record(rng, account, instance, now, roll):
    out = {
        "accountId": account,
        "resourceId": instance,
        "resourceType": "AWS_EC2_INSTANCE",
        "scanType": "PACKAGE",
        "scanMode": "EC2_SSM_AGENT_BASED",
        "resourceMetadata": {"ec2": {"platform": "LINUX", "amiId": "ami-%017x" % rng.getrandbits(68)}},
    }
    if roll < 0.80:
        days = rng.uniform(0, 29)
    elif roll < 0.90:
        days = rng.uniform(31, 90)
    else:
        out["scanStatus"] = {"statusCode": "INACTIVE", "reason": "NO_INVENTORY"}
        return out
    out["scanStatus"] = {"statusCode": "ACTIVE", "reason": "SUCCESSFUL"}
    out["lastScannedAt"] = (now - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    now = datetime.datetime.now(datetime.timezone.utc)
    instances = 0
    with open(a.items, encoding="utf-8") as items, open(a.out, "w", encoding="utf-8") as out:
        for line in items:
            item = json.loads(line)
            if item.get("resourceType") != "AWS::EC2::Instance":
                continue
            instances += 1
            roll = rng.random()
            if roll >= 0.95:
                continue
            out.write(json.dumps(record(rng, item["accountId"], item["resourceId"], now, roll)) + "\n")
            if instances % 50 == 0:
                stray = "i-%017x" % rng.getrandbits(68)
                out.write(json.dumps(record(rng, item["accountId"], stray, now, 0.0)) + "\n")


if __name__ == "__main__":
    main()
