# Wegwijzer — `make run` starts the chat, `make test` runs the tests (`make test-fast`: the pure ones).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup setup-test run index browser test test-fast screenshot eval-smoke bench clean

## setup: create .venv and install Wegwijzer (idempotent; reinstalls when pyproject.toml changes)
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[llm]'
	touch $@

## setup-test: also the test tools, the sentence-transformers backend and axe-core.
# torch comes first, pinned to the local CPU wheel: a plain `torch` pulls GBs of CUDA packages.
# axe-core (the accessibility checks of the browser test) is pinned in tests/browser/package.json
# and its lock file, installed with `npm ci`; the test injects it from node_modules, never fetches it.
AXE := tests/browser/node_modules/axe-core/axe.min.js

setup-test: $(VENV)/.installed-test $(AXE)

$(AXE): tests/browser/package.json tests/browser/package-lock.json | browser
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[llm,st,test]'
	touch $@

## index: build or update the index (only what changed is embedded)
index: setup
	$(BIN)/wegwijzer index

## run: set up, build the index if it is missing, start the chat on http://127.0.0.1:7860
run: setup
	@$(BIN)/wegwijzer inspect >/dev/null 2>&1 || $(BIN)/wegwijzer index
	$(BIN)/wegwijzer serve

## browser: Debian's Chromium for the browser test (never a downloaded browser build), and
## Debian's Node.js and npm to install axe-core
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Chromium ontbreekt: installeren met apt-get (chromium, chromium-driver)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
	@command -v npm >/dev/null 2>&1 || { \
	  echo "npm ontbreekt: installeren met apt-get (nodejs, npm)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }

## test: the import contracts (indexing <- assistant <- evals), then the whole test suite
test: setup-test browser
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

## test-fast: the import contracts, then only the pure tests: no embedder or built index, no server
## process, no browser, nothing slow (the markers are described in tests/lanes.py). Needs no Chromium.
FAST := not model and not server and not browser and not slow

test-fast: $(VENV)/.installed-test
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -m "$(FAST)"

## screenshot: refresh the README's pictures (docs/screenshot-chat.png, desktop 1280×800, and
## docs/screenshot-chat-telefoon.png, phone 390×844) with the browser test
screenshot: setup-test browser
	WEGWIJZER_SCREENSHOT=docs $(BIN)/python -m pytest -q tests/test_browser.py

## eval-smoke: the smoke suite with thresholds, as CI runs it
eval-smoke: setup
	$(BIN)/wegwijzer inspect >/dev/null 2>&1 || $(BIN)/wegwijzer index
	$(BIN)/wegwijzer eval --suite evals/suites/smoke.jsonl --out eval-out/smoke \
	  --fail-under hit@3=0.6 --fail-under false_refusal_rate=0.34

bench: setup-test
	$(BIN)/python benchmarks/index_speed.py

clean:
	rm -rf $(VENV) .pytest_cache
