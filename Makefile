# The README's two commands are `make run` and `make test`; .ci/run calls `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: setup run index test test-fast bench lint browser-deps ocr-deps samples clean

# The CPU build of torch is pinned by constraints.txt: an unpinned torch is a multi-GB CUDA build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

# Index documents/ (only what changed) and start the chat app on http://localhost:$(PORT).
run: setup
	$(BIN)/qa-assistant index
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --browser.gatherUsageStats false

index: setup
	$(BIN)/qa-assistant index

# $(call apt_install,COMMAND,PACKAGE): Debian's PACKAGE, unless COMMAND is already there
# (as root, else with sudo).
apt_install = command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(2); \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(2); fi; }

# Debian's Chromium for the browser test (Playwright's own browser download cannot work offline).
browser-deps:
	@$(call apt_install,chromium,chromium)

# Debian's Tesseract, which reads scanned PDFs (pages that are pictures); without it they are
# reported and skipped.
ocr-deps:
	@$(call apt_install,tesseract,tesseract-ocr)

test: setup browser-deps ocr-deps
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not model and not browser and not shared"

lint: setup
	$(BIN)/ruff check qa_assistant tests benchmarks scripts streamlit_app.py app_pages

bench: setup
	$(BIN)/python -m benchmarks.run

samples: setup
	$(BIN)/python scripts/make_samples.py

clean:
	rm -rf index/gen-* index/CURRENT index/.lock test-output .pytest_cache
