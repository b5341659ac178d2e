"""Running pipelines end to end: the demo (what `make demo` runs), outputs readable and styled,
population conserved, CLI errors naming the key, the commented demo.toml equal to the built-in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio

from geoplan.config import load_pipeline, parse_pipeline
from geoplan.datasets import DEMO_PIPELINE
from geoplan.runs.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[2]
GEOPLAN = str(Path(sys.executable).with_name("geoplan"))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = subprocess.run([GEOPLAN, "demo", "--out", str(out), "--lang", "da"], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return out, r


def test_demo_toml_is_the_builtin_demo():
    assert load_pipeline(ROOT / "pipelines" / "demo.toml") == parse_pipeline(DEMO_PIPELINE, ROOT)


def test_demo_writes_every_output(demo_run):
    out, r = demo_run
    names = {p.name for p in out.iterdir()}
    assert names == {"geoplan.gpkg", "grid.tif", "provenance.json", "data_quality.json",
                     "data_quality_da.txt", "report", "data_dictionary.csv",
                     "data_dictionary.xlsx", "scenario_baseline.pkl"}
    report = {p.name for p in (out / "report").iterdir()}
    assert {"report.pdf", "tables.xlsx", "grid.csv", "maps"} <= report
    assert "OpenStreetMap" in r.stdout and "Gangbart net" in r.stdout
    layers = {name for name, _ in pyogrio.list_layers(out / "geoplan.gpkg")}
    assert {"grid", "network", "destinations", "green", "origins", "layer_styles"} <= layers


def test_demo_grid_contents(demo_run):
    out, _ = demo_run
    grid = pyogrio.read_dataframe(out / "geoplan.gpkg", layer="grid")
    assert grid["cell_id"].is_unique and grid["cell_id"].str.match(r"^100mN\d+E\d+$").all()
    for col in ("pop", "dist_grocery_m", "n_school_800m", "gravity_transit_stop",
                "night_dist_school_m", "night_detour_school", "loses_school_at_night",
                "dist_green_scb_m", "green_scb_300m", "green_m2_per_capita", "lit_share",
                "longest_dark_m", "safety_index", "data_confidence"):
        assert col in grid.columns, col
    # distances are finite or NULL (no destination reachable), never inf in the file
    d = grid["dist_grocery_m"].to_numpy(dtype=float)
    assert not np.isinf(d).any()
    inhabited = grid["pop"] > 0
    assert grid.loc[inhabited, "dist_grocery_m"].notna().all()
    prov = json.loads((out / "provenance.json").read_text())
    assert grid["pop"].sum() == pytest.approx(prov["summary"]["pop_total"])
    assert prov["inputs"]["osm"]["sha256"] and prov["attribution"] == "© OpenStreetMap contributors"


def test_demo_geotiff_bands(demo_run):
    out, _ = demo_run
    with rasterio.open(out / "grid.tif") as src:
        names = list(src.descriptions)
        assert "safety_index" in names and "dist_grocery_m" in names
        assert src.res == (100.0, 100.0) and src.crs.to_epsg() == 3067
        assert src.transform.c % 100 == 0 and src.transform.f % 100 == 0


def test_population_grid_source_conserves_hsy_people(tmp_path, shared_data):
    """The real HSY 2020 grid as population: every resident inside the study area is kept."""
    import geopandas as gpd
    import shapely

    hsy = shared_data / "helsinki" / "helsinki_population_grid_2020.gpkg"
    text = (f'[input]\nosm = "demo"\n[population]\nsource = "grid"\ngrid = "{hsy}"\n'
            '[grid]\ncell_size_m = 250\n')
    cfg = parse_pipeline(text, tmp_path)
    result = run_pipeline(cfg, tmp_path / "out")
    grid = result.layers.grid
    from geoplan.sources.osm import extract_bounds

    # the study area is the extract's declared bbox; HSY cells partly inside hand out their share
    study = gpd.GeoSeries([shapely.box(*extract_bounds(cfg.osm))], crs=4326).to_crs(grid.crs)
    src = gpd.read_file(hsy).to_crs(grid.crs)
    inside = src.geometry.intersection(study.iloc[0]).area / src.geometry.area
    expected = float((src["population"] * inside).sum())
    assert 4000 < expected < src["population"].sum()
    assert grid["pop"].sum() == pytest.approx(expected, rel=2e-3)  # bbox edges densified vs not
    assert set(grid["pop_source"]) == {"grid"}


def test_run_cli_names_the_bad_key(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('[input]\nosm = "demo"\n[grid]\ncell_size_m = 120\n')
    r = subprocess.run([GEOPLAN, "run", str(p), "--out", str(tmp_path / "o")], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "cell_size_m" in r.stderr and "bad.toml" in r.stderr
    assert not (tmp_path / "o" / "geoplan.gpkg").exists()


def test_statistics_source_and_area_summaries(tmp_path, shared_data):
    """Area statistics (a CSV keyed by area id) allocated through buildings, and area summaries:
    counts conserved for areas inside the study area, one summary row per area + the total."""
    import geopandas as gpd
    import shapely

    from geoplan.sources.osm import extract_bounds

    hsy = gpd.read_file(shared_data / "helsinki" / "helsinki_population_grid_2020.gpkg")
    study = shapely.box(*extract_bounds(parse_pipeline('[input]\nosm="demo"', tmp_path).osm))
    inner = hsy[hsy.geometry.within(study)].copy()
    assert len(inner) >= 5
    inner["code"] = [f"A{i}" for i in range(len(inner))]
    inner[["code", "geometry"]].to_file(tmp_path / "areas.gpkg")
    inner[["code", "population"]].rename(columns={"population": "persons"}).to_csv(
        tmp_path / "stats.csv", index=False)
    text = ('[input]\nosm = "demo"\n'
            '[population]\nsource = "statistics"\nareas = "areas.gpkg"\narea_key = "code"\n'
            'tables = ["stats.csv"]\nkey = "code"\npop_column = "persons"\n'
            '[areas]\npath = "areas.gpkg"\nkey_column = "code"\n')
    (tmp_path / "p.toml").write_text(text)
    r = subprocess.run([GEOPLAN, "run", str(tmp_path / "p.toml"), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    grid = pyogrio.read_dataframe(tmp_path / "o" / "geoplan.gpkg", layer="grid")
    assert grid["pop"].sum() == pytest.approx(inner["population"].sum(), rel=1e-3)
    areas = pyogrio.read_dataframe(tmp_path / "o" / "geoplan.gpkg", layer="areas")
    assert len(areas) == len(inner) + 1 and areas["code"].iloc[-1] == "__study_area__"
    per_area = areas.set_index("code")["pop"].drop("__study_area__")
    # documented rule: a cell's residents are split between areas by the share of its square in
    # each; checked with an independent overlay
    ov = gpd.overlay(grid[["cell_id", "pop", "geometry"]], inner[["code", "geometry"]].to_crs(grid.crs),
                     how="intersection", keep_geom_type=True)
    ov["w"] = ov["pop"] * ov.area / (float(grid.area.iloc[0]))
    want = ov.groupby("code")["w"].sum()
    assert per_area.loc[want.index].to_numpy() == pytest.approx(want.to_numpy(), rel=1e-6)
    assert areas["pop"].iloc[-1] == pytest.approx(grid["pop"].sum())
    assert {"safety_index", "green_scb_300m_pop_share", "dist_grocery_m"} <= set(areas.columns)
