# The two commands of the README. Each sets the machine up on first use (scripts/setup.sh).
PY := .venv/bin/python
OUT ?= out/demo

.PHONY: setup demo test lint plugin-zip qgis
setup:
	@bash scripts/setup.sh

demo: setup
	@.venv/bin/geoplan demo --out $(OUT)

test: setup
	@QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

plugin-zip: setup
	@$(PY) scripts/build_plugin_zip.py dist

qgis: setup
	@bash scripts/qgis.sh

lint: setup
	@.venv/bin/ruff check geoplan qgis_plugin tests
