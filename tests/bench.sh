#!/usr/bin/env bash
# `make bench`: speed and peak memory of `report` on generated Config items
# (tests/gen_config_items.py, seed 1: the same input the Python sample was measured on).
# Prints items/s, rows/s, seconds and peak RSS per size. Sizes: BENCH_SIZES. Then the
# collection benchmark (tests/bench_collect.py).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${BENCH_SIZES:-"100000 1000000"}
mkdir -p bench-data
cargo build --release -q -p fedramp-inventory
make -s .venv/.installed
for n in $sizes; do
  input=bench-data/items-$n.jsonl
  if [ ! -s "$input" ]; then
    echo "generating $n items..."
    python3 tests/gen_config_items.py --count "$n" --seed 1 --out "$input"
  fi
  python3 - "$n" "$input" <<'PY'
import re, resource, subprocess, sys, time
n, path = int(sys.argv[1]), sys.argv[2]
out = f"bench-data/inventory-{n}.xlsx"
start = time.monotonic()
run = subprocess.run(["target/release/fedramp-inventory", "report", "--input", path, "--output", out],
                     capture_output=True, text=True)
secs = time.monotonic() - start
if run.returncode != 0:
    sys.exit(f"report failed ({run.returncode}):\n{run.stdout}{run.stderr}")
rows = int(re.search(r"rows: (\d+)", run.stdout).group(1))
rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{n:>9} items  {rows:>9} rows  {secs:6.2f} s  {n / secs:>9.0f} items/s  "
      f"{rows / secs:>9.0f} rows/s  peak RSS {rss_mib:.0f} MiB")
PY
done

# Live collection against the local AWS (tests/harness), 50 ms per Config call.
.venv/bin/python tests/bench_collect.py target/release/fedramp-inventory
