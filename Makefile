# Two commands for a fresh Linux machine with Python 3.11+:
#   make demo   sets up .venv and runs the product on its embedded defaults
#   make test   sets up .venv and runs the whole test suite (what CI runs)
#   make bundle the desk as one folder for office PCs (dist/erial-desk; on Linux also a tarball)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench clean translations words browser bundle bundle-check

# The words' catalogues: .po in the repository, .mo compiled here (gettext loads the .mo).
PO_FILES := $(wildcard resources/translations/*/LC_MESSAGES/erial.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("e-Rial Desk needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -D erial -i $< -o $@

translations: $(MO_FILES)

# After adding sentences to the code: extract them and merge them into each language's .po.
words: $(STAMP)
	$(BIN)/pybabel extract --no-default-keywords -k N_ -k Nn_:1,2 -k text:2 -k plural:2,3 -k t -k tn:1,2 \
		-o resources/translations/erial.pot erial_desk erial_central
	$(BIN)/pybabel update --no-fuzzy-matching -D erial -i resources/translations/erial.pot \
		-d resources/translations

demo: $(STAMP) $(MO_FILES)
	$(BIN)/erial-desk --data-dir demo-data demo

# The receipt check page's tests drive Debian's headless Chromium. Where it is missing and this
# runs as root (CI), install it; otherwise those tests skip with a message (and fail under CI=true).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing chromium and chromium-driver for the browser tests"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
			|| { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }; \
		else \
			echo "chromium is not installed: the receipt page's browser tests will be skipped"; \
		fi; \
	fi

test: $(STAMP) $(MO_FILES) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The desk as a one-folder program for this platform (dist/erial-desk), without the central
# server; on Linux also dist/erial-desk-VERSION-linux-ARCH.tar.gz with its install script.
# Windows: then `iscc installer/windows/erial-desk.iss` (see installer/README.md).
bundle: $(STAMP) $(MO_FILES)
	$(BIN)/pyinstaller installer/erial-desk.spec --distpath dist --workpath build/pyinstaller \
		--noconfirm --log-level ERROR
	@if [ "$$(uname -s)" = Linux ]; then sh installer/linux/make_tarball.sh; fi

# CI: build the bundle and use it as an office would (version, selftest, a PDF, the window).
bundle-check: bundle
	$(BIN)/python installer/check_bundle.py dist/erial-desk

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) bundle
	for name in journal verify search shift print central sync startup ui_search bundle supervisor; do $(BIN)/python -m bench $$name || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache bench/out $(MO_FILES)
