#!/usr/bin/env python3
"""The AWS Guard Rules Registry's FedRAMP Moderate and NIST 800-53 rev5 rule sets over
cloudformation/*.yaml, through cfn-guard (the crate's CLI, which `make lint` installs).
Prints every failed rule with the rule sets that hold it; exit 1 on any failure.

The rule files and mappings under tests/guard/ are vendored unmodified from the AWS
Guard Rules Registry (see tests/guard/SOURCE.md). A finding a template answers for is
suppressed in the resource's Metadata, which Guard reads,
  Metadata: {guard: {SuppressedRules: [RULE_NAME]}}
with the reason in a comment beside it.

Usage: guard.py CFN_GUARD [TEMPLATE ...]   (default: cloudformation/*.yaml)
"""
import glob
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
GUARD = ROOT / "tests" / "guard"
RULE_SETS = ["rule_set_fedramp_moderate.json", "rule_set_nist800_53rev5.json"]


def rule_files():
    files = {}
    for name in RULE_SETS:
        mapping = json.loads((GUARD / name).read_text(encoding="utf-8"))
        for m in mapping["mappings"]:
            files.setdefault(m["guardFilePath"], set()).add(mapping["ruleSetName"])
    return files


def failures(cfn_guard, template, files):
    args = [cfn_guard, "validate", "--data", template, "--output-format", "json", "--show-summary", "none",
            "--structured"]
    for path in sorted(files):
        args += ["--rules", str(GUARD / path)]
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode not in (0, 19):  # 19: some rule failed
        sys.exit(f"cfn-guard could not run on {template} ({run.returncode}): {run.stderr[-2000:]}")
    found = set()
    for report in json.loads(run.stdout or "[]"):
        for rule in report.get("not_compliant", []):
            name = rule.get("Rule", {}).get("name") or rule.get("name") or json.dumps(rule)[:200]
            found.add(name)
    return sorted(found)


def main():
    cfn_guard = sys.argv[1]
    templates = sys.argv[2:] or sorted(glob.glob(str(ROOT / "cloudformation" / "*.yaml")))
    files = rule_files()
    total = 0
    for t in templates:
        for name in failures(cfn_guard, t, files):
            total += 1
            print(f"FAILED {pathlib.Path(t).name}: {name}")
    print(f"cfn-guard: {len(files)} rule files (FedRAMP Moderate, NIST 800-53 rev5) over "
          f"{len(templates)} templates: {total} failed")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
