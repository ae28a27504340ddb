# Two commands do all set-up on a fresh machine:
#   make run    start the app (creates .venv and installs on first use)
#   make test   lint, type-check and run the whole test suite (also installs the system packages the
#               browser and PostgreSQL tests need: Debian chromium, postgresql)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest system-deps install clean

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

pytest: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider --durations=15

# mypy (~90 s from a cold cache, one core) runs beside the suite, which leaves a core idle for most of
# its browser and CLI tests; a type error still fails the command, after the suite ends.
test: system-deps lint
	$(MAKE) --no-print-directory -j2 typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-output
