# The two commands of the README. Each sets the machine up on first use (scripts/setup.sh).
PY := .venv/bin/python
OUT ?= out/demo

.PHONY: setup demo test lint plugin-zip
setup:
	@bash scripts/setup.sh

demo: setup
	@.venv/bin/geoplan demo --out $(OUT)

test: setup
	@QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	@.venv/bin/ruff check geoplan qgis_plugin tests
