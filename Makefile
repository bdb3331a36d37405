# One command to set up and build, one to set up and test (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
CORES ?= 2

.PHONY: video test lint bench tools clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q src  # bytecode even where PYTHONDONTWRITEBYTECODE is set
	touch $@

video: $(READY)
	$(BIN)/snakemake --cores $(CORES)

test: $(READY) tools
	$(BIN)/pytest -q -rs

lint: $(READY)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/snakefmt --check Snakefile rules
	$(BIN)/lint-imports
	@out=$$($(BIN)/snakemake --lint --cores 1 2>&1); echo "$$out"; echo "$$out" | grep -q "good condition"

bench: $(READY)
	$(BIN)/python -m compileall -q src  # every job imports snakereel: time running, not compiling
	$(BIN)/python bench/build.py
	$(BIN)/python bench/captions.py

# The tests inspect outputs with ffprobe, which the ffmpeg that pip installs does not ship,
# and open the report in headless Chromium.
tools:
	@missing=""; command -v ffprobe >/dev/null || missing="ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "not found: $$missing: install your system's packages" >&2; exit 1; fi; }

clean:
	rm -rf results logs benchmarks .snakemake
