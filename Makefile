# Targets a newcomer expects. `make demo` and `make test` are the README's two commands.
CARGO ?= cargo
OUT ?= inventory.xlsx

.PHONY: demo build test lint bench clean

## The main job on the bundled sample data: writes $(OUT). No AWS account needed.
demo:
	$(CARGO) run --release -p fedramp-inventory -- report --input sample-data/config-items.jsonl --output $(OUT)

build:
	$(CARGO) build --release --workspace

## Every test: unit, property and end-to-end tests of the real binary.
test:
	$(CARGO) test --workspace

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Speed and memory on 100,000 and 1,000,000 generated items (see tests/bench.sh).
bench:
	bash tests/bench.sh

clean:
	$(CARGO) clean
	rm -rf bench-data
