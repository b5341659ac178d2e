"""``geoplan scenario run`` with an empty scenario reproduces ``geoplan run`` cell by cell, for
pipelines covering every section, and the findings-weighted safety index is the same in both
(one study builder, one findings step). Real inputs: the demo OSM extract, HSY's population grid,
a lamp register and safety-walk findings placed by the demo scenario's lamps; 250 m cells."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geoplan.config import parse_pipeline
from geoplan.runs.pipeline import run_pipeline, study_from_pipeline
from geoplan.runs.scenario import run_scenario
from geoplan.scenario import prepare_baseline
from geoplan.scenario.io import read_scenario
from geoplan.sources.osm import extract_bounds
from geoplan.types import Lighting, Scenario

ROOT = Path(__file__).resolve().parents[2]
DEMO_SCENARIO = ROOT / "data" / "demo_scenario.gpkg"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, shared_data):
    """Files of every optional section: areas + statistics (HSY cells inside the extract), a lamp
    register (CSV), safety-walk findings (CSV) near the demo scenario's first lamps."""
    d = tmp_path_factory.mktemp("inputs")
    hsy_path = shared_data / "helsinki" / "helsinki_population_grid_2020.gpkg"
    hsy = gpd.read_file(hsy_path)
    study = shapely.box(*extract_bounds(parse_pipeline('[input]\nosm="demo"', d).osm))
    inner = hsy[hsy.geometry.within(study)].copy()
    inner["code"] = [f"A{i}" for i in range(len(inner))]
    inner["label"] = [f"Area {i}" for i in range(len(inner))]
    inner[["code", "label", "geometry"]].to_file(d / "areas.gpkg")
    inner[["code", "population"]].rename(columns={"population": "persons"}).to_csv(
        d / "stats.csv", index=False)
    lamps = read_scenario(DEMO_SCENARIO).of_type(Lighting)[0].lamps
    pd.DataFrame({"lamp": [f"L{i}" for i in range(len(lamps))],
                  "x": [p.x + 2 for p in lamps], "y": [p.y for p in lamps]}).to_csv(
        d / "lamps.csv", index=False)
    first = lamps[0]
    walk = [("mörkt", 3, "open", 3.0), ("hidden_corner", 2, "open", 500.0),
            ("dark_spot", 1, "fixed", -3.0)]   # category, severity, status, metres east
    pd.DataFrame([{"kategori": k, "severity": sev, "date": "2026-10-01", "status": st,
                   "x": first.x + dx, "y": first.y} for k, sev, st, dx in walk]).to_csv(
        d / "findings.csv", index=False)
    return d, hsy_path


_COMMON = '[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n[output]\nformats = ["gpkg"]\n'
_WALK = '[safety_walk]\nfindings = "findings.csv"\ncrs = "EPSG:3067"\nweight = {w}\n'

PIPELINES = {
    # [population] statistics, [areas] with names, [lamps] register, [lighting], [safety_walk]
    # weighted, [night], [green], [safety.weights] (not summing to 1), [access]
    "statistics": _COMMON + (
        '[population]\nsource = "statistics"\nareas = "areas.gpkg"\narea_key = "code"\n'
        'tables = ["stats.csv"]\nkey = "code"\npop_column = "persons"\n'
        '[areas]\npath = "areas.gpkg"\nkey_column = "code"\nname_column = "label"\n'
        '[lamps]\nregister = "lamps.csv"\ncrs = "EPSG:3067"\nid_col = "lamp"\n'
        '[lighting]\nlamp_radius_m = 30.0\nmin_lit_share = 0.4\n'
        '[night]\nunknown_as = "lit"\nthreshold_m = 600.0\n'
        '[green]\nscb_min_ha = 0.4\nwho_min_ha = 1.5\nwithin_m = 250.0\n'
        'per_capita_within_m = 400.0\n'
        '[safety.weights]\nlit = 0.5\nno_dark_stretch = 0.2\nno_tunnel = 0.1\n'
        'connectivity = 0.1\neyes_on_street = 0.3\n'
        '[access]\ncategories = ["school", "grocery", "transit_stop", "library"]\n'
        'radii_m = [300, 700]\ngravity_half_distance_m = 300.0\n'
        'gravity_cutoff_m = 900.0\n') + _WALK.format(w=0.1),
    # [population] grid (HSY 2020), findings weighted, lamp register replacing OSM's
    "grid": _COMMON + (
        '[population]\nsource = "grid"\ngrid = "{hsy}"\n'
        '[lamps]\nregister = "lamps.csv"\ncrs = "EPSG:3067"\nmode = "replace"\n'
        '[areas]\npath = "areas.gpkg"\nkey_column = "code"\n') + _WALK.format(w=0.25),
    # [population] buildings (the default), findings counted but not weighted
    "buildings": _COMMON + '[population]\nsource = "buildings"\n' + _WALK.format(w=0.0),
}


def _assert_same_frame(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Same columns, rows and values: exact for ints, text and yes/no; 1e-9 for floats."""
    assert list(a.columns) == list(b.columns), what
    assert len(a) == len(b), what
    for c in a.columns:
        x, y = a[c], b[c]
        if c == "geometry":
            assert shapely.equals_exact(np.asarray(x.values), np.asarray(y.values), 1e-9).all()
        elif pd.api.types.is_float_dtype(x):
            np.testing.assert_allclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-9,
                                       atol=1e-9, equal_nan=True, err_msg=f"{what}: {c}")
        else:
            assert x.dtype == y.dtype, f"{what}: {c}"
            assert x.tolist() == y.tolist(), f"{what}: {c}"


@pytest.mark.parametrize("name", list(PIPELINES))
def test_empty_scenario_reproduces_run(inputs, tmp_path, name):
    d, hsy = inputs
    cfg = parse_pipeline(PIPELINES[name].replace("{hsy}", str(hsy)), d)
    run = run_pipeline(cfg, tmp_path / "run")
    empty = Scenario("nothing", (), crs=cfg.crs or "EPSG:3067")
    sc = run_scenario(cfg, empty, tmp_path / "scenario")
    assert sc.stats.mode == "none"
    g_run = pyogrio.read_dataframe(tmp_path / "run" / "geoplan.gpkg", layer="grid")
    g_sc = pyogrio.read_dataframe(tmp_path / "scenario" / "geoplan.gpkg", layer="grid")
    _assert_same_frame(g_run, g_sc, f"{name} grid")
    assert {"findings_open", "findings_severity_sum", "safety_no_open_findings"} <= set(g_sc)
    _assert_same_frame(run.layers.grid, sc.layers.grid, f"{name} grid in memory")
    if run.layers.areas is not None:
        _assert_same_frame(run.layers.areas, sc.layers.areas, f"{name} areas")
        a_run = pyogrio.read_dataframe(tmp_path / "run" / "geoplan.gpkg", layer="areas")
        a_sc = pyogrio.read_dataframe(tmp_path / "scenario" / "geoplan.gpkg", layer="areas_change")
        for c in a_run.columns:
            if f"{c}_after" in a_sc and pd.api.types.is_float_dtype(a_run[c]):
                np.testing.assert_allclose(a_run[c].to_numpy(float),
                                           a_sc[f"{c}_after"].to_numpy(float), rtol=1e-9,
                                           atol=1e-9, equal_nan=True, err_msg=c)
    assert dict(run.layers.meta) == dict(sc.layers.meta)


def test_findings_weighted_safety_index_is_the_same_in_run_and_scenario(inputs, tmp_path):
    """With [safety_walk] weight > 0 the scenario's baseline index is run's, and a scenario's
    incremental recompute gives the full recompute's index (one normalisation)."""
    d, _ = inputs
    cfg = parse_pipeline(PIPELINES["buildings"].replace("weight = 0.0", "weight = 0.3"), d)
    run = run_pipeline(cfg, tmp_path / "run").layers.grid
    hit = run.index[run["findings_severity_sum"] > 0]
    assert len(hit) and (run.loc[hit, "safety_no_open_findings"] < 1).all()
    proposal = read_scenario(DEMO_SCENARIO)
    base = prepare_baseline(study_from_pipeline(cfg))
    inc = run_scenario(cfg, proposal, tmp_path / "inc", baseline=base)
    full = run_scenario(cfg, proposal, tmp_path / "full", incremental=False, baseline=base)
    assert inc.stats.mode == "incremental"
    changes = pyogrio.read_dataframe(tmp_path / "inc" / "geoplan.gpkg", layer="grid_change")
    before = changes.set_index("cell_id")["safety_index_before"].reindex(run.index)
    np.testing.assert_allclose(before.to_numpy(float), run["safety_index"].to_numpy(float),
                               rtol=1e-12, equal_nan=True)
    _assert_same_frame(inc.layers.grid, full.layers.grid, "incremental vs full")
    assert (inc.layers.grid["safety_no_open_findings"].notna()).any()
