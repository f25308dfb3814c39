# The README's commands. Each sets up what it needs first (venv with pinned requirements,
# browser assets from npm), so `make book` and `make test` work on a fresh clone.
# Requirements by audience: requirements.txt (book, Jupyter, nbgrader: `make setup`, no npm),
# requirements-test.txt (torch, playwright, pytest: `make test` adds them), and
# student/requirements.txt (what the student kit installs: `make student-kit`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SETUP  := $(VENV)/.installed
TESTS  := $(VENV)/.installed-test
VENDOR := _vendor/.installed
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: book pdf test bench serve clean setup vendor grade report student-kit

setup: $(SETUP)

$(SETUP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps --no-build-isolation -e .
	touch $@

$(TESTS): $(SETUP) requirements-test.txt
	$(PIP) -r requirements-test.txt
	touch $@

# MathJax, installed from npm and served by the site (the explorers need no widget manager:
# book/_ext/static_explorers.py).
# MathJax as separate components (startup.js loads core, TeX input and HTML output, as set in
# _config.yml): the combined tex-mml-chtml.js also carries the 0.4 MB contextual menu.
$(VENDOR): package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf _vendor && mkdir -p _vendor/mathjax
	cp -r node_modules/mathjax/es5/startup.js node_modules/mathjax/es5/core.js node_modules/mathjax/es5/input \
	      node_modules/mathjax/es5/output node_modules/mathjax/es5/ui node_modules/mathjax/es5/a11y \
	      node_modules/mathjax/es5/sre _vendor/mathjax/
	touch $@

vendor: $(VENDOR)

# The site, then the whole book as one PDF, which every page of the site links (book.pdf).
book: $(SETUP) $(VENDOR)
	$(BIN)/jupyter-book build -W -n --keep-going .
	$(MAKE) pdf
	cp _build/pdf/book.pdf _build/html/book.pdf

# The single-page build, printed by headless Chromium to _build/pdf/book.pdf (book/_ext/book_pdf.py).
pdf: $(SETUP) $(VENDOR)
	$(BIN)/jupyter-book build -W -n --keep-going --builder singlehtml .

test: $(TESTS) book
	$(PY) -m pytest -n auto --dist loadgroup

# The student kit: released notebooks, toolkit wheel, pinned requirements, README, hub recipe;
# into _build/student/ and _build/student.zip, then the leak scan over both (fails on a finding).
student-kit: $(SETUP)
	$(PY) -m autograder.kit

bench: $(SETUP) $(VENDOR)
	$(PY) -m bench

# Instructor shortcuts: make grade ASSIGNMENT=01_backprop SUBMISSIONS=path/to/folder-or.zip [JOBS=2]
grade: $(SETUP)
	$(PY) -m autograder grade $(ASSIGNMENT) $(SUBMISSIONS) --jobs $(or $(JOBS),2)

report: $(SETUP)
	$(PY) -m autograder report $(ASSIGNMENT)

serve: book
	$(PY) -m http.server --directory _build/html --bind 127.0.0.1 8000

clean:
	rm -rf _build _vendor grading .pytest_cache
