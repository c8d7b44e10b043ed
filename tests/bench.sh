#!/usr/bin/env bash
# `make bench`: speed and peak memory of `report` on generated Config items
# (tests/gen_config_items.py, seed 1: the same input the Python sample was measured on).
# Prints seconds, items/s, rows/s, peak RSS, file size and the phases (read+parse+map,
# sort, write) per size. Each size runs BENCH_REPEAT times (default 3): the machine's
# noise moves one sub-second run by up to a fifth, so the median is the figure and every
# run is printed. Sizes: BENCH_SIZES; workbook compression: BENCH_COMPRESSION
# (fast, balanced, small). With PYTHON_SAMPLE_DIR (a clone of the AWS sample) or
# PYTHON_SAMPLE_CMD, the AWS sample runs on the 100k input in the same run. Then the
# size of the function package as released, and the collection benchmark
# (tests/bench_collect.py).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${BENCH_SIZES:-"100000 1000000"}
mkdir -p bench-data
cargo build --release -q -p fedramp-inventory
make -s .venv/.installed
if [ -n "${PYTHON_SAMPLE_DIR:-}" ] && [ -z "${PYTHON_SAMPLE_CMD:-}" ]; then
  export PYTHON_SAMPLE_CMD=".venv/bin/python tests/bench_python_sample.py $PYTHON_SAMPLE_DIR/src {input} {output}"
fi
# The five original types at each size (comparable with the Python sample), then the
# same count over every supported type (tests/gen_config_items.py --all-types).
runs=""
for n in $sizes; do runs="$runs $n:five"; done
runs="$runs ${BENCH_ALL_TYPES_SIZE:-100000}:all"
for run in $runs; do
  n=${run%%:*}; mix=${run##*:}
  if [ "$mix" = all ]; then
    input=bench-data/items-all-types-$n.jsonl
    gen_args=--all-types
  else
    input=bench-data/items-$n.jsonl
    gen_args=
  fi
  if [ ! -s "$input" ]; then
    echo "generating $n items ($mix types)..."
    python3 tests/gen_config_items.py --count "$n" --seed 1 $gen_args --out "$input"
  fi
  [ "$mix" = all ] && echo "every supported type:"
  python3 - "$n" "$input" "$mix" <<'PY'
import os, re, resource, shlex, subprocess, sys, time
n, path, mix = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = f"bench-data/inventory-{n}-{mix}.xlsx"
compression = os.environ.get("BENCH_COMPRESSION", "balanced")

runs = []
for _ in range(int(os.environ.get("BENCH_REPEAT", "3"))):
    start = time.monotonic()
    run = subprocess.run(["target/release/fedramp-inventory", "report", "--input", path, "--output", out,
                          "--compression", compression], capture_output=True, text=True)
    secs = time.monotonic() - start
    # 2 is a finished run whose input had problems (the every-type mix has items that
    # leave a cell empty on purpose); only 1 is a failure.
    if run.returncode not in (0, 2):
        sys.exit(f"report failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    runs.append((secs, re.search(r"seconds: (.*)", run.stdout).group(1)))
secs, phases = sorted(runs)[len(runs) // 2]
rows = int(re.search(r"rows: (\d+)", run.stdout).group(1))
# The peak of every run so far (children's maximum).
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
size = os.path.getsize(out) / 1e6
print(f"{n:>9} items  {rows:>9} rows  {secs:6.2f} s  {n / secs:>9.0f} items/s  "
      f"{rows / secs:>9.0f} rows/s  peak RSS {rss:.0f} MiB  {size:.1f} MB ({compression})")
print(f"          median of {len(runs)} runs: {' / '.join(f'{r:.2f}' for r, _ in runs)} s; "
      f"its phases: {phases}")
# The AWS sample, when given: PYTHON_SAMPLE_CMD is a command with {input} and {output}
# (see docs/benchmarks.md). Run on the 100k input only, in the same run.
sample = os.environ.get("PYTHON_SAMPLE_CMD")
if sample and n == 100000 and mix == "five":
    cmd = sample.format(input=shlex.quote(path), output=shlex.quote(f"bench-data/sample-{n}.xlsx"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    done = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    py_secs = time.monotonic() - start
    if done.returncode != 0:
        print(f"          Python sample failed ({done.returncode}): {done.stderr[-500:]}")
    else:
        print(f"          Python sample: {py_secs:.2f} s => fedramp-inventory is {py_secs / secs:.1f}x faster")
PY
done
# What Inspector's scan coverage costs: the 100k five-type input with and without
# `--scan-coverage` (tests/gen_coverage.py: a record for 95% of its EC2 instances, both
# gap lists non-empty), each run's own peak RSS (wait4), medians of BENCH_REPEAT pairs.
# Target: at most 20% more time and 15 MiB more memory than without it.
cov_items=bench-data/items-100000.jsonl
if [ ! -s "$cov_items" ]; then
  python3 tests/gen_config_items.py --count 100000 --seed 1 --out "$cov_items"
fi
python3 tests/gen_coverage.py --items "$cov_items" --out bench-data/coverage-100000.jsonl
python3 - "$cov_items" bench-data/coverage-100000.jsonl <<'PY'
import os, subprocess, sys, time
items, coverage = sys.argv[1], sys.argv[2]

def once(extra):
    start = time.monotonic()
    child = subprocess.Popen(["target/release/fedramp-inventory", "report", "--input", items,
                              "--output", "bench-data/inventory-coverage.xlsx", *extra],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        sys.exit(f"report {' '.join(extra)} failed ({status})")
    return time.monotonic() - start, usage.ru_maxrss / 1024

runs = {"without": [], "with": []}
for _ in range(int(os.environ.get("BENCH_REPEAT", "3"))):
    runs["without"].append(once([]))
    runs["with"].append(once(["--scan-coverage", coverage]))
median = lambda xs: sorted(xs)[len(xs) // 2]
(t0, m0), (t1, m1) = [(median([r[0] for r in runs[k]]), median([r[1] for r in runs[k]])) for k in ("without", "with")]
records = sum(1 for _ in open(coverage))
print(f"scan coverage ({records} records) on 100000 items: {t0:.2f} s -> {t1:.2f} s "
      f"(+{100 * (t1 / t0 - 1):.0f}%, target 20%), peak RSS {m0:.0f} -> {m1:.0f} MiB "
      f"(+{m1 - m0:.0f} MiB, target 15)")
PY
# What the network evidence costs: 100k items with security groups, interfaces and
# listeners (tests/gen_config_items.py --network), `report` with `--network on` (the
# default: the Ports Protocols Services sheet) and `--network off`, each run's own peak
# RSS, medians of BENCH_REPEAT pairs. Target: at most 30% more time and 20 MiB more.
net_items=bench-data/items-network-100000.jsonl
if [ ! -s "$net_items" ]; then
  python3 tests/gen_config_items.py --count 100000 --seed 1 --network --out "$net_items"
fi
python3 - "$net_items" <<'PY'
import os, re, subprocess, sys, time
items = sys.argv[1]

def once(network):
    start = time.monotonic()
    child = subprocess.Popen(["target/release/fedramp-inventory", "report", "--input", items,
                              "--output", "bench-data/inventory-network.xlsx", "--network", network],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        sys.exit(f"report --network {network} failed ({status})")
    return time.monotonic() - start, usage.ru_maxrss / 1024, out

runs = {"off": [], "on": []}
for _ in range(int(os.environ.get("BENCH_REPEAT", "3"))):
    for network in ("off", "on"):
        runs[network].append(once(network))
median = lambda xs: sorted(xs)[len(xs) // 2]
(t0, m0), (t1, m1) = [(median([r[0] for r in runs[k]]), median([r[1] for r in runs[k]])) for k in ("off", "on")]
entries = re.search(r"ports, protocols and services: (\d+) on (\d+) assets", runs["on"][-1][2])
print(f"network evidence ({entries.group(1)} ports entries on {entries.group(2)} assets) on 100000 items: "
      f"{t0:.2f} s -> {t1:.2f} s (+{100 * (t1 / t0 - 1):.0f}%, target 30%), "
      f"peak RSS {m0:.0f} -> {m1:.0f} MiB (+{m1 - m0:.0f} MiB, target 20)")
PY
# What `scope: all` costs: the 100k items plus 200k resources of types no mapper reads,
# each only its envelope (tests/gen_config_items.py --envelopes), `report --scope all`
# against `report` on the 100k alone, each run's own peak RSS, medians of BENCH_REPEAT
# pairs. Target: at most twice the time.
envelopes=bench-data/envelopes-200000.jsonl
if [ ! -s "$envelopes" ]; then
  python3 tests/gen_config_items.py --count 0 --envelopes 200000 --seed 1 --out "$envelopes"
fi
python3 - bench-data/items-100000.jsonl "$envelopes" <<'PY'
import os, re, subprocess, sys, time
items, envelopes = sys.argv[1], sys.argv[2]

def once(scope):
    inputs = ["--input", items] + (["--input", envelopes] if scope == "all" else [])
    start = time.monotonic()
    child = subprocess.Popen(["target/release/fedramp-inventory", "report", *inputs,
                              "--output", f"bench-data/inventory-scope-{scope}.xlsx", "--scope", scope],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        sys.exit(f"report --scope {scope} failed ({status})")
    return time.monotonic() - start, usage.ru_maxrss / 1024, out

runs = {"boundary": [], "all": []}
for _ in range(int(os.environ.get("BENCH_REPEAT", "3"))):
    for scope in ("boundary", "all"):
        runs[scope].append(once(scope))
median = lambda xs: sorted(xs)[len(xs) // 2]
(t0, m0), (t1, m1) = [(median([r[0] for r in runs[k]]), median([r[1] for r in runs[k]])) for k in ("boundary", "all")]
listed = re.search(r"information resources \(scope: all\): (\d+)", runs["all"][-1][2]).group(1)
print(f"scope: all ({listed} information resources besides the 100000 items): "
      f"{t0:.2f} s -> {t1:.2f} s ({t1 / t0:.2f}x, target 2x), "
      f"peak RSS {m0:.0f} -> {m1:.0f} MiB (+{m1 - m0:.0f} MiB)")
PY
# The function package as the pipeline ships it (`make lambda`: release, arm64). CI
# builds it unoptimized (tests/buildspec.rs), so its release size is watched here.
make -s lambda
package=${CARGO_TARGET_DIR:-target}/lambda/fedramp-inventory-lambda/bootstrap.zip
size=$(stat -c %s "$package")
echo "function package (release, ${LAMBDA_ARCH:-arm64}): $size bytes (target: under 10 MiB)"
[ "$size" -lt $((10 * 1024 * 1024)) ] || { echo "$package is over 10 MiB" >&2; exit 1; }
.venv/bin/python tests/bench_collect.py target/release/fedramp-inventory
