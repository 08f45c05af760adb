# clusterlex — the two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEBS := poppler-utils tesseract-ocr tesseract-ocr-rus tesseract-ocr-bel fonts-dejavu-core chromium
OUT ?= outputs

.PHONY: run test bench system venv schema clean help

help:
	@echo "make run    - install and process corpora/ into $(OUT)/"
	@echo "make test   - install and run the test suite"
	@echo "make bench  - speed and memory benchmark (not a test)"

# Debian packages: installed only when one is missing, so repeated runs are fast.
system:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

venv: $(BIN)/.installed

run: system venv
	$(BIN)/clusterlex run corpora --out $(OUT)

test: system venv
	$(BIN)/python -m pytest -q

schema: venv
	$(BIN)/clusterlex schema --out outputs/schema

clean:
	rm -rf $(VENV) $(OUT)/acts $(OUT)/*.jsonl $(OUT)/run.json

bench: system venv
	$(BIN)/python -m pipeline.bench
