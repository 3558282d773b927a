# Each target sets up .venv when it is missing or when the requirements change.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
NODE_STAMP := node_modules/.installed

.PHONY: serve build publish rollback test test-fast lint check bench clean

# What the site needs to build and serve (a server needs no more); the tools to test it come on top.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(DEV_STAMP)

# axe-core and the Nu Html Checker, for the browser and validity tests.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE_STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

# Production: a strict build into releases/<UTC time>/, served (site -> it) only if it passed (README: Deployment).
publish: $(STAMP)
	$(BIN)/impart publish

rollback: $(STAMP)
	$(BIN)/impart rollback

# The suite starts some 150 Python processes (`impart` commands and servers): with Python's bytecode cache
# written, each starts a quarter sooner, and pytest keeps its rewritten test files, so this setting, where a
# machine has it, does not reach the tests.
unexport PYTHONDONTWRITEBYTECODE

# On two workers (pytest-xdist), a file at a time so that a file's fixtures are made once, the files with the
# slowest tests first (tests/conftest.py puts them there; xdist would otherwise start with the longest files).
WORKERS ?= 2
test: $(DEV_STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder

# The quick check before a commit: everything but Chromium, the 1,000-note build, servers under load,
# the tests that build their own copy of the site and the Nu Html Checker (tests/README.md). These tests spend
# a third of their time waiting on mail servers and child processes, so a third worker fills the two cores.
FAST := not browser and not thousand_notes and not load and not build and not html_checker
FAST_WORKERS ?= 3
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -m "$(FAST)" -n $(FAST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: $(DEV_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

check: $(STAMP)
	$(BIN)/impart check

# Benchmarks, not tests: they print figures (see bench/README.md) and take several minutes.
bench: $(DEV_STAMP)
	$(BIN)/python bench/build.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/publish.py
	$(BIN)/python bench/inbox.py
	$(BIN)/mkdocs build --strict --quiet --site-dir site
	$(BIN)/python bench/slow_clients.py --site site
	cd bench/lighthouse && npm ci --no-audit --no-fund --ignore-scripts
	$(BIN)/python bench/lighthouse.py

clean:
	rm -rf site $(VENV)
