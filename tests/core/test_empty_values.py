"""Empty values have one meaning each (issue 13, item 17), read back from the files written.

* ``night_detour_<c>`` is NULL when there is no lit route; ``day_only_<c>`` then tells "reachable
  by day only" (yes) from "not reachable by day" (no, and ``dist_<c>_m`` is NULL too).
* Missing text is NULL in every layer of a run and of a scenario run: never ``""``, ``"nan"``
  or ``"None"``.

Oracle: the GeoPackages read with sqlite3/pyogrio and the ratio recomputed with pandas.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geoplan.config import parse_pipeline
from geoplan.runs.pipeline import run_pipeline
from geoplan.runs.scenario import run_scenario
from geoplan.scenario.io import read_scenario
from geoplan.types import Lighting

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"
BAD_TEXT = ("", "nan", "NaN", "None", "<NA>")
#: the layers a planner reads (the QGIS style table keeps QGIS's own conventions)
DATA_LAYERS = ("grid", "areas", "network", "destinations", "green", "findings", "changes",
               "grid_change", "areas_change", "findings_addressed")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A demo run with safety-walk findings and two areas (one without a name), and a scenario
    run of the demo scenario on it."""
    tmp = tmp_path_factory.mktemp("empty")
    lamp = read_scenario(SCENARIO).of_type(Lighting)[0].lamps[0]
    pd.DataFrame([
        {"kategori": "dark_spot", "severity": 3, "date": "2026-10-01", "status": "open",
         "x": lamp.x + 3, "y": lamp.y},
        {"kategori": "hidden_corner", "severity": 2, "date": "2026-10-01", "status": "fixed",
         "x": lamp.x + 400, "y": lamp.y},
    ]).to_csv(tmp / "walk.csv", index=False)
    x, y = lamp.x, lamp.y
    gpd.GeoDataFrame({"code": ["A", "B"], "label": ["North", None]},
                     geometry=[shapely.box(x - 800, y, x + 800, y + 800),
                               shapely.box(x - 800, y - 800, x + 800, y)],
                     crs="EPSG:3067").to_file(tmp / "areas.gpkg", layer="areas")
    cfg = parse_pipeline(
        '[input]\nosm = "demo"\n[grid]\ncell_size_m = 100\n[output]\nformats = ["gpkg"]\n'
        '[areas]\npath = "areas.gpkg"\nkey_column = "code"\nname_column = "label"\n'
        '[safety_walk]\nfindings = "walk.csv"\ncrs = "EPSG:3067"\n', tmp)
    run_pipeline(cfg, tmp / "run")
    run_scenario(cfg, read_scenario(SCENARIO), tmp / "sc")
    return tmp / "run", tmp / "sc"


def test_night_detour_nulls_are_told_apart_by_day_only(written):
    run, _ = written
    g = pyogrio.read_dataframe(run / "geoplan.gpkg", layer="grid", read_geometry=False)
    cats = [c[len("day_only_"):] for c in g.columns if c.startswith("day_only_")]
    assert "school" in cats
    seen = {"day_only": 0, "unreachable": 0, "ratio": 0}
    for c in cats:
        day, night = g[f"dist_{c}_m"], g[f"night_dist_{c}_m"]
        detour, flag = g[f"night_detour_{c}"], g[f"day_only_{c}"]
        assert set(flag.unique()) <= {0, 1}
        unreachable = day.isna()
        day_only = day.notna() & night.isna()
        lit = night.notna()
        assert detour[unreachable | day_only].isna().all()
        assert (flag[day_only] == 1).all() and (flag[unreachable | lit] == 0).all()
        expect = np.where(day[lit] > 0, night[lit] / day[lit].where(day[lit] > 0), 1.0)
        np.testing.assert_allclose(detour[lit].to_numpy(float), expect, rtol=1e-9)
        seen["day_only"] += int(day_only.sum())
        seen["unreachable"] += int(unreachable.sum())
        seen["ratio"] += int(lit.sum())
    assert min(seen.values()) > 0, seen  # the demo has all three cases


def _text_columns(con, table):
    return [r[1] for r in con.execute(f'pragma table_info("{table}")')
            if (r[2] or "").upper().startswith("TEXT")]


@pytest.mark.parametrize("which", [0, 1], ids=["run", "scenario"])
def test_missing_text_is_null_in_every_layer(written, which):
    path = written[which] / "geoplan.gpkg"
    con = sqlite3.connect(path)
    tables = [t for (t,) in con.execute("select table_name from gpkg_contents")
              if t in DATA_LAYERS]
    assert ({"grid", "network", "changes", "areas_change", "findings_addressed"} if which
            else {"grid", "network", "areas", "findings"}) <= set(tables)
    bad, nulls = [], 0
    for t in tables:
        for c in _text_columns(con, t):
            q = f'select count(*) from "{t}" where "{c}" in ({",".join("?" * len(BAD_TEXT))})'
            n = con.execute(q, BAD_TEXT).fetchone()[0]
            if n:
                bad.append((t, c, n))
            nulls += con.execute(f'select count(*) from "{t}" where "{c}" is null').fetchone()[0]
    con.close()
    assert not bad, f"text standing for a missing value: {bad}"
    assert nulls > 0  # there are missing texts (unnamed streets, the unnamed area), as NULL
    # the area without a name has a NULL name, in the areas and in the change of areas
    areas = pyogrio.read_dataframe(path, layer="areas_change" if which else "areas",
                                   read_geometry=False).set_index("code")
    assert areas.loc["A", "label"] == "North" and pd.isna(areas.loc["B", "label"])


def test_changes_csv_has_no_text_standing_for_missing(written):
    _, sc = written
    t = pd.read_csv(sc / "changes.csv", keep_default_na=False, dtype=str)
    for c in ("scenario", "area_key", "area_name", "measure", "category", "label", "unit",
              "better"):
        assert not t[c].isin(["nan", "NaN", "None", "<NA>"]).any(), c
