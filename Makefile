# Two commands do all set-up on a fresh machine:
#   make run    start the app (creates .venv and installs on first use)
#   make test   lint, type-check and run the whole test suite (also installs the system packages the
#               browser and PostgreSQL tests need: Debian chromium, postgresql)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest pytest-core pytest-e2e pytest-browser system-deps install clean

# uv resolves and installs the same pinned set as pip in seconds instead of ~2 min on a fresh machine
# (which downloads everything; CI time counts it), trusting the system's certificates as pip does; pip
# takes over if uv cannot. --compile-bytecode as pip does: uv skips it by default, and where
# PYTHONDONTWRITEBYTECODE is set (this machine, CI) every process then compiled its imports again
# (SQLAlchemy + SciPy + pandas + MediaPipe: 9.8-13.3 s instead of 4.2-7.2 s; the suite took 18 min).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --quiet --compile-bytecode --system-certs --python $(BIN)/python -e ".[dev]" \
		|| $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py

system-deps:
	bash scripts/ensure_system_deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

PYTEST := $(BIN)/pytest -q -p no:cacheprovider --durations=10

# The browser tests mostly wait (on Chromium, the app's server, clips played in real time): one core
# stays idle through them. So the suite runs as two pytest processes side by side, and mypy (~90 s from a
# cold cache, one core) beside both. The second takes the browser tests first, then the modules that run
# the model over sample_videos/ and the oblique-camera renders and share those analyses
# (tests/clip_analyses.py: the accuracy regression, coarse-to-fine, batch), which balances the halves.
# -O keeps each one's report together; a failure in any fails the command, after all have ended.
E2E_TESTS := tests/browser tests/test_accuracy_regression.py tests/test_coarse_to_fine.py tests/test_batch.py

pytest: $(STAMP)
	$(MAKE) --no-print-directory -j2 -O pytest-core pytest-e2e

pytest-core: $(STAMP)
	$(PYTEST) $(addprefix --ignore=,$(E2E_TESTS))

pytest-e2e: $(STAMP)
	$(PYTEST) $(E2E_TESTS)

pytest-browser: $(STAMP)
	$(PYTEST) tests/browser

test: system-deps lint
	$(MAKE) --no-print-directory -j3 -O typecheck pytest-core pytest-e2e

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-output
