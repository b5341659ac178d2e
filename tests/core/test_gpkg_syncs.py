"""``write_gpkg`` syncs its file once, not on every SQLite commit, and leaves the caller's frames
as they were (it converts columns on a shallow copy) (issue 15).

The temporary GeoPackage is renamed into place only whole and synced once before
(``atomic.fsync_file``), so GDAL's per-commit ``fdatasync`` buys nothing. The oracle is the
kernel: ``strace`` counts the sync system calls of a process that writes a GeoPackage of three
layers (GDAL's SQLite syncs with ``fdatasync``, Python's ``os.fsync`` with ``fsync``). With
GDAL's per-commit syncs left on, GDAL calls ``fdatasync`` about seven times per layer.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

STRACE = shutil.which("strace")

WRITE = """
import sys, geopandas as gpd, shapely
from geoplan.outputs.gpkg import write_gpkg
pts = gpd.GeoDataFrame({"a": [1.0, 2.0]}, geometry=[shapely.Point(0, 0), shapely.Point(1, 1)],
                       crs=3006)
write_gpkg(sys.argv[1], {"one": pts, "two": pts, "three": pts.drop(columns="geometry")})
"""


def _sync_calls(tmp_path) -> dict[str, int]:
    out = subprocess.run(
        [STRACE, "-f", "-c", "-e", "trace=fsync,fdatasync", sys.executable, "-c", WRITE,
         str(tmp_path / "x.gpkg")],
        capture_output=True, text=True, env=os.environ.copy(), cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (tmp_path / "x.gpkg").is_file()
    return {name: int(calls) for calls, name in
            re.findall(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)\s*$",
                       out.stderr, flags=re.M)}


@pytest.mark.skipif(STRACE is None, reason="needs strace to count system calls")
def test_geopackage_is_synced_once_not_per_commit(tmp_path):
    calls = _sync_calls(tmp_path)
    assert calls.get("fdatasync", 0) == 0, calls  # no per-commit sync by GDAL's SQLite
    assert 1 <= calls.get("fsync", 0) <= 3, calls  # the file (and its folder) once


def test_the_callers_frames_are_left_as_they_were(tmp_path):
    """``write_gpkg`` converts columns on a shallow copy: the caller's frames (bool, missing
    text, lists, a named index) must come back unchanged, compared with deep copies taken
    before."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geoplan.outputs.gpkg import write_gpkg

    cells = gpd.GeoDataFrame(
        {"flag": [True, False], "txt": ["nan", "a"], "osmid": [[1, 2], (3,)], "n": [1.0, 2.0],
         "cat": pd.Categorical(["x", "y"])},
        geometry=[shapely.Point(0, 0), shapely.Point(1, 1)], crs=3006,
    ).set_index(pd.Index(["c1", "c2"], name="cell_id"))
    table = pd.DataFrame({"key": ["a", None], "ok": pd.array([True, None], dtype="boolean")})
    before = {"cells": cells.copy(deep=True), "table": table.copy(deep=True)}
    write_gpkg(tmp_path / "x.gpkg", {"cells": cells, "table": table})
    pd.testing.assert_frame_equal(cells, before["cells"])
    pd.testing.assert_frame_equal(table, before["table"])
    assert cells["osmid"].tolist() == [[1, 2], (3,)]
