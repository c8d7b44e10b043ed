# Targets a newcomer expects. `make demo` and `make test` are the README's two commands.
CARGO ?= cargo
OUT ?= inventory.xlsx

VENV ?= .venv
PYTHON ?= python3

.PHONY: demo build test lint bench clean

## The main job on the bundled sample data: writes $(OUT). No AWS account needed.
demo:
	$(CARGO) run --release -p fedramp-inventory --no-default-features -- report --input sample-data/config-items.jsonl --output $(OUT)

build:
	$(CARGO) build --release --workspace

## Every test: unit, property and end-to-end tests of the real binaries, the live ones
## against a local AWS (moto, pinned in tests/harness/requirements.txt, in $(VENV)).
test: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CARGO) test --workspace

$(VENV)/.installed: tests/harness/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/harness/requirements.txt
	touch $@

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p fedramp-inventory --no-default-features --all-targets -- -D warnings

## Speed and memory on 100,000 and 1,000,000 generated items (see tests/bench.sh).
bench:
	bash tests/bench.sh

clean:
	$(CARGO) clean
	rm -rf bench-data
