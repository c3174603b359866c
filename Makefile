# Two entry points on a fresh machine with Python 3.11: `make demo` and `make test`.
# Both create the virtual environment .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
DEMO := demo

.PHONY: demo test install browser docs readme clean-docs

$(STAMP): settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(PIP) install -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import iris_clouddeep, nbdev, smalldocs, tensorflow, flax"  # fail here, not later
	$(BIN)/python scripts/install_kernel.py
	touch $(STAMP)

install: $(STAMP)

## The main job on the embedded default data: simulate a night, then classify, segment, score and decide every frame.
demo: $(STAMP)
	$(BIN)/iris-clouddeep simulate -o $(DEMO)/raw --frames 240 --seed 0 --overwrite --quiet
	$(BIN)/iris-clouddeep night $(DEMO)/raw -o $(DEMO)/night --model unet_sim --overwrite

## Headless Chromium for the site check (Debian package; needs root, as on CI).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

docs: $(STAMP)
	BIN=$(BIN) bash scripts/build_docs.sh

readme: $(STAMP)
	$(BIN)/python scripts/make_readme.py

## The whole test suite: notebooks, export/clean invariants, README sync, site build + browser check, pytest.
test: $(STAMP) browser
	BIN=$(BIN) bash scripts/test.sh
