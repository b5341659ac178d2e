"""Results and speed do not depend on the machine's own copies of the numeric libraries.

The QGIS venv (.venv) sees Debian's system site-packages (for ``qgis``), so a library missing from
``requirements.lock`` is silently taken from Debian (scipy 1.10 did: nearest-of-500 ran at half
speed). Every numeric library geoplan imports must be the locked version and live inside the venv;
the wheel-only venv (.venv-cli) is held to ``requirements-wheels.lock`` the same way.
"""

from __future__ import annotations

import importlib.metadata as md
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What geoplan's numbers and maps are computed with (directly or through matplotlib).
NUMERIC = ("numpy", "scipy", "pandas", "shapely", "pyproj", "pyogrio", "rasterio", "geopandas",
           "networkx", "osmnx", "pyrosm", "matplotlib", "contourpy", "pillow", "kiwisolver")


def _lock() -> dict[str, str]:
    # numpy 1 is the QGIS venv's (Debian 12's GDAL and QGIS bindings need it), numpy 2 the CLI's
    name = "requirements.lock" if np.__version__.startswith("1.") else "requirements-wheels.lock"
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            pkg, version = line.split("==", 1)
            pins[pkg.strip().lower().replace("_", "-")] = version.strip()
    return pins


@pytest.mark.parametrize("package", NUMERIC)
def test_numeric_library_is_the_locked_one_from_the_venv(package):
    pins = _lock()
    assert package in pins, f"{package} is not pinned in the lock file: add it"
    dist = md.distribution(package)
    assert dist.version == pins[package], (package, dist.version, pins[package])
    where = Path(str(dist.locate_file(""))).resolve()
    assert where.is_relative_to(Path(sys.prefix).resolve()), (
        f"{package} {dist.version} comes from {where}, outside the venv {sys.prefix}")
