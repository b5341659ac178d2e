"""``write_gpkg(copy_from=…)``: a layer an existing GeoPackage already holds as it would be
written (a scenario's context layers, in its baseline run's GeoPackage) is copied at the SQLite
level instead of written again through GDAL — and the GeoPackage is the same either way. The
oracle is the same frames written by GDAL alone: every table of the file compared row by row,
and its schema entry by entry (timestamps aside)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geoplan.outputs.gpkg import write_gpkg

#: columns that hold the time of writing
WHEN = {"last_change", "timestamp", "update_time"}


def _layers() -> dict:
    boxes = [shapely.box(i * 10, 0, i * 10 + 8, 8) for i in range(4)]
    boxes[1] = shapely.MultiPolygon([boxes[1], shapely.box(100, 100, 105, 105)])  # mixed
    return {
        "grid": gpd.GeoDataFrame({"pop": [1.0, np.nan, 3.0, 4.0], "lit": [True, False] * 2},
                                 geometry=boxes, crs=3006),
        "buildings": gpd.GeoDataFrame(geometry=boxes, crs=3006),
        "places": gpd.GeoDataFrame({"name": ["Fittja", None], "place_kind": ["suburb", "nan"],
                                    "n": pd.array([1, None], dtype="Int64")},
                                   geometry=[shapely.Point(1, 2), shapely.Point(3, 4)],
                                   crs=3006),
        "changes": pd.DataFrame({"measure": ["pop"], "change": [2.5]}),
    }


def _tables(path: Path) -> dict:
    con = sqlite3.connect(path)
    try:
        out = {"schema": sorted(con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                   "name NOT LIKE 'sqlite_%' AND name NOT LIKE 'rtree_%_node' "
                                   "AND name NOT LIKE 'rtree_%_parent' AND "
                                   "name NOT LIKE 'rtree_%_rowid'").fetchall():
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")') if r[1] not in WHEN]
            out[name] = con.execute(f'SELECT {", ".join(repr(c) for c in cols)} FROM "{name}" '
                                    "ORDER BY rowid").fetchall()
        return out
    finally:
        con.close()


def _copied(monkeypatch) -> list:
    """The layers write_gpkg copies from here on (a probe on the copier, not a stand-in)."""
    import geoplan.outputs.gpkg as gpkg

    seen, copy = [], gpkg._copy_layers

    def probe(tmp, todo):
        done, stop = copy(tmp, todo)
        seen.extend(name for name, *_ in todo[:done])
        return done, stop

    monkeypatch.setattr(gpkg, "_copy_layers", probe)
    return seen


def test_a_layer_the_source_holds_is_copied_and_the_file_is_the_same(tmp_path, monkeypatch):
    layers = _layers()
    write_gpkg(tmp_path / "run.gpkg", layers)
    write_gpkg(tmp_path / "plain.gpkg", layers)
    copied = _copied(monkeypatch)
    write_gpkg(tmp_path / "copied.gpkg", layers,
               copy_from={"buildings": tmp_path / "run.gpkg", "places": tmp_path / "run.gpkg"})
    assert copied == ["buildings", "places"]
    assert _tables(tmp_path / "copied.gpkg") == _tables(tmp_path / "plain.gpkg")
    for name in ("buildings", "places"):
        got = pyogrio.read_dataframe(tmp_path / "copied.gpkg", layer=name)
        assert got.equals(pyogrio.read_dataframe(tmp_path / "plain.gpkg", layer=name)), name
    assert pyogrio.list_layers(tmp_path / "copied.gpkg")[:, 0].tolist()[:4] == list(layers)


def test_a_source_that_differs_or_is_missing_is_not_copied(tmp_path, monkeypatch):
    layers = _layers()
    edited = layers["places"].assign(name=["Alby", None])  # one value differs in the source
    write_gpkg(tmp_path / "run.gpkg", {**layers, "places": edited})
    write_gpkg(tmp_path / "plain.gpkg", layers)
    copied = _copied(monkeypatch)
    write_gpkg(tmp_path / "out.gpkg", layers,
               copy_from={"places": tmp_path / "run.gpkg", "buildings": tmp_path / "gone.gpkg"})
    assert copied == []
    assert _tables(tmp_path / "out.gpkg") == _tables(tmp_path / "plain.gpkg")
    moved = {**layers, "buildings": gpd.GeoDataFrame(geometry=layers["buildings"].translate(1.0))}
    write_gpkg(tmp_path / "moved.gpkg", moved, copy_from={"buildings": tmp_path / "run.gpkg"})
    write_gpkg(tmp_path / "moved_plain.gpkg", moved)
    assert copied == []
    assert _tables(tmp_path / "moved.gpkg") == _tables(tmp_path / "moved_plain.gpkg")
