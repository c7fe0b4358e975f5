# Build toolchain for Tiny Hops. `make test` works from a fresh clone (see .ci/run).
#
#   make install   venv + pinned Python deps, pinned npm tools (solcjs, anvil), solc shim, ape compile
#   make test      ruff, then the ape/pytest suite on a throwaway anvil
#   make demo      the sample on a fresh local chain: Lilypad v2's stand-in (LILYPAD=v1 for v1)
#   make demo-meme the audiovisual cow meme (examples/cow-meme-av.thops.json)
#   make bench     ape run bench_spec
#   make figures   the reliability suite and its figures (README, "What we test")
#   make clean     remove everything `make install` made
#
# After `make install`, `. .venv/bin/activate` is all a shell needs: `tiny-hops` then works in any folder,
# `ape run NAME` and `ape test` from the root of this checkout only (Ape finds scripts/, the contracts and
# ape-config.yaml in the current folder). activate exports SOLCX_BINARY_PATH and anvil is linked into
# .venv/bin. Python started from .venv without activation (IDEs, `.venv/bin/ape`) gets the same via a .pth file.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:

PYTHON ?= python3
SOLC_VERSION := 0.8.28

ROOT := $(CURDIR)
VENV := .venv
BIN := $(VENV)/bin
SOLCX_DIR := .solcx
SOLC_BIN := $(SOLCX_DIR)/solc-v$(SOLC_VERSION)
# Stamps live inside the folders they vouch for: removing the folder invalidates them.
PIP_STAMP := $(VENV)/.tinyhops-pip.stamp
NPM_STAMP := node_modules/.tinyhops-npm.stamp
ENV_STAMP := $(VENV)/.tinyhops-env.stamp
DAGRE_JS := tinyhops/ui/static/vendor/dagre.min.js

# Recipes see the same environment an activated shell has.
export SOLCX_BINARY_PATH := $(ROOT)/$(SOLCX_DIR)
export PATH := $(ROOT)/$(BIN):$(ROOT)/node_modules/.bin:$(PATH)

# pip's config here has find-links/index folders that may be missing; drop only that noise.
PIP_FILTER := sed -u -E '/^WARNING: Location .* is ignored/d'

.PHONY: install system-packages test demo demo-meme bench clean compile chain stop figures

install: system-packages $(PIP_STAMP) $(NPM_STAMP) $(SOLC_BIN) $(ENV_STAMP) $(DAGRE_JS) compile

# Debian packages: espeak-ng (speak:v0.0.1), ffmpeg (video:v0.0.1; ffprobe in the tests) and chromium (the
# dashboard's browser tests drive it headless through Playwright: no browser download). Installed with
# apt-get when a program is missing (as root, as on CI); otherwise says what to install.
SYSTEM_PROGRAMS := espeak-ng ffmpeg ffprobe chromium
SYSTEM_PACKAGES := espeak-ng ffmpeg chromium
system-packages:
	@missing=""; for program in $(SYSTEM_PROGRAMS); do command -v $$program >/dev/null || missing="$$missing $$program"; done; \
	if [ -n "$$missing" ]; then \
	  echo "==> Debian packages ($(SYSTEM_PACKAGES)): missing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "run as root, or: sudo apt-get install $(SYSTEM_PACKAGES)" >&2; exit 1; fi; \
	fi

# The dashboard's graph layout, vendored from npm into the package's static files (never a CDN).
$(DAGRE_JS): $(NPM_STAMP)
	@mkdir -p $(dir $@)
	cp node_modules/@dagrejs/dagre/dist/dagre.min.js $@

$(PIP_STAMP): pyproject.toml
	@echo "==> Python deps (.venv)"
	@if [ ! -x $(BIN)/python ]; then $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --progress-bar off -e '.[test]' 2>&1 | $(PIP_FILTER)
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	@echo "==> npm tools (node_modules)"
	npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	@test -x node_modules/.bin/anvil || { echo "anvil missing from node_modules/.bin" >&2; exit 1; }
	@touch $@

# py-solc-x only finds compilers named solc-vX.Y.Z in $SOLCX_BINARY_PATH. A relative link keeps
# the shim's require("solc") resolving to this checkout's node_modules.
$(SOLC_BIN): tools/solc-shim.js | $(NPM_STAMP)
	@echo "==> solc shim ($@)"
	@mkdir -p $(SOLCX_DIR)
	ln -sfn ../tools/solc-shim.js $@
	@$@ --version | grep -q "Version: $(SOLC_VERSION)+" || { echo "$@ --version failed" >&2; exit 1; }

# Wire the venv: anvil on its PATH, SOLCX_BINARY_PATH in activate and in a .pth file.
$(ENV_STAMP): $(PIP_STAMP) $(NPM_STAMP) Makefile
	@echo "==> wiring .venv (anvil, SOLCX_BINARY_PATH)"
	ln -sfn ../../node_modules/.bin/anvil $(BIN)/anvil
	@sed -i '/^# >>> tinyhops toolchain >>>$$/,/^# <<< tinyhops toolchain <<<$$/d' $(BIN)/activate
	@printf '%s\n' '# >>> tinyhops toolchain >>>' \
	  'SOLCX_BINARY_PATH="$(ROOT)/$(SOLCX_DIR)"' 'export SOLCX_BINARY_PATH' \
	  '# <<< tinyhops toolchain <<<' >> $(BIN)/activate
	@site=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	printf '%s\n' "import os; os.environ.setdefault('SOLCX_BINARY_PATH', '$(ROOT)/$(SOLCX_DIR)'); p = os.environ.get('PATH', ''); b = '$(ROOT)/$(BIN)'; os.environ['PATH'] = p if b in p.split(os.pathsep) else p + os.pathsep + b" > "$$site/tinyhops_toolchain.pth"
	@touch $@

# Compiles contracts/ (interfaces included) whenever any Solidity file changed, then writes the ABIs the
# package ships. --force because ape only notices a change in the file it compiles, not in what it imports.
SOLIDITY_SOURCES := $(shell find contracts -name '*.sol' 2>/dev/null | sort)
BUILD_STAMP := .build/.tinyhops-compile.stamp

compile: $(BUILD_STAMP)

$(BUILD_STAMP): $(SOLIDITY_SOURCES) ape-config.yaml | $(PIP_STAMP) $(NPM_STAMP) $(SOLC_BIN) $(ENV_STAMP)
	@echo "==> ape compile"
	$(BIN)/ape compile --force
	@$(BIN)/python -m tinyhops.chain.manifest
	@touch $@

test: install
	$(BIN)/ruff check .
	node_modules/.bin/solhint --max-warnings 0 'contracts/**/*.sol'
	$(BIN)/ape test tests -p no:cacheprovider

# make demo LILYPAD=v1: the demo on Lilypad v1's stand-in (ether) instead of v2's (the job creator's token).
LILYPAD ?= v2

demo: install
	$(BIN)/python -m tinyhops.cli.demo --lilypad $(LILYPAD)

# The original's ultimate-goal example: a cow's joke, captioned picture, speech and video (espeak-ng, ffmpeg).
demo-meme: install
	$(BIN)/python -m tinyhops.cli.demo --lilypad $(LILYPAD) examples/cow-meme-av.thops.json

# A chain for `ape run deploy/submit/monitor/...` at 127.0.0.1:8545, kept between commands; `make stop` ends it.
chain: install
	$(BIN)/python -m tinyhops.chain.devchain start

stop:
	@$(BIN)/python -m tinyhops.chain.devchain stop

bench: install
	$(BIN)/ape run bench_spec
	$(BIN)/ape run bench_startup
	$(BIN)/ape run bench
	$(BIN)/ape run bench_e2e
	$(BIN)/ape run bench_ui

# The reliability suite (tests/reliability: load, faults, bad input, chain restarts, the invariant machine) and
# the figures it records; TINYHOPS_SOAK=1 for the heavy profile, TINYHOPS_SEED=N for another seed.
figures: install
	$(BIN)/python -m tinyhops.testing.reliability.figures

clean:
	rm -rf $(VENV) node_modules .build $(SOLCX_DIR) tinyhops.egg-info $(DAGRE_JS)
