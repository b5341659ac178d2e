"""geoplan never changes the planner's data, never goes online unless asked (`geoplan overpass`),
and reads pipeline files as data only."""

from __future__ import annotations

import hashlib
import shutil
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geoplan.config import load_pipeline, parse_pipeline
from geoplan.runs.pipeline import run_pipeline

GEOPLAN = str(Path(sys.executable).with_name("geoplan"))
BBOX = (24.938, 60.164, 24.950, 60.174)


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_inputs_are_never_modified(tmp_path, helsinki_pbf, shared_data):
    """Every kind of input (OSM, area file, lamp register, SCB xlsx, CSV table, area polygons,
    pipeline file) hashes the same after a full run, and nothing is added beside them."""
    from geoplan.sources.osm import read_osm

    inp = tmp_path / "inputs"
    inp.mkdir()
    shutil.copy(helsinki_pbf, inp / "helsinki.osm.pbf")
    shutil.copy(shared_data / "scb-deso-2022" / "net_income_2022.xlsx", inp / "net_income.xlsx")
    gpd.GeoDataFrame({"name": ["centre"]}, geometry=[shapely.box(*BBOX)], crs=4326).to_crs(
        3067).to_file(inp / "area.gpkg")
    lamps = read_osm(helsinki_pbf, area=BBOX).lamps
    pd.DataFrame({"id": range(len(lamps)), "E": lamps.geometry.x + 7, "N": lamps.geometry.y}
                 ).to_csv(inp / "belysning.csv", sep=";", index=False)
    hsy = gpd.read_file(shared_data / "helsinki" / "helsinki_population_grid_2020.gpkg")
    inner = hsy[hsy.geometry.intersects(shapely.box(*BBOX))].copy()
    inner["code"] = [f"A{i}" for i in range(len(inner))]
    inner[["code", "geometry"]].to_file(inp / "areas.gpkg")
    inner[["code", "population"]].to_csv(inp / "stats.csv", index=False)
    (inp / "p.toml").write_text(textwrap.dedent("""
        [input]
        osm = "helsinki.osm.pbf"
        area = "area.gpkg"
        buffer_m = 300
        [lamps]
        register = "belysning.csv"
        crs = "EPSG:3067"
        [population]
        source = "statistics"
        areas = "areas.gpkg"
        area_key = "code"
        tables = ["stats.csv", "net_income.xlsx"]
        key = "code"
        pop_column = "population"
        [areas]
        path = "areas.gpkg"
        key_column = "code"
        [output]
        formats = ["gpkg", "tif"]
        """), encoding="utf-8")
    before = snapshot(inp)
    result = run_pipeline(load_pipeline(inp / "p.toml"), tmp_path / "out")
    assert result.layers.meta["pop_source"] == "statistics"
    assert result.layers.grid["pop"].sum() > 0
    assert snapshot(inp) == before


def test_demo_runs_with_the_network_blocked(offline_demo):
    """`geoplan demo` in a fresh process whose every non-loopback connection and DNS lookup
    fails (and is logged, in case something swallows the error): run once per session
    (tests/core/conftest.py; test_cli.py reads the same demo folder)."""
    assert "network blocked by the test" in offline_demo.probe.stderr  # the guard is active
    assert offline_demo.probe_logged
    r = offline_demo.demo
    assert r.returncode == 0, r.stderr
    assert not offline_demo.log.exists(), offline_demo.log.read_text()
    assert (offline_demo.out / "geoplan.gpkg").is_file()
    assert "© OpenStreetMap contributors" in r.stdout


CODE_LIKE = [
    "__import__('os').system('touch PWNED')",
    "$(touch PWNED)",
    "`touch PWNED`",
    "{{ cycler.__init__.__globals__.os.popen('touch PWNED') }}",
    "!!python/object/apply:os.system ['touch PWNED']",
    "${env:HOME}",
]


@pytest.mark.parametrize("code", CODE_LIKE)
def test_pipeline_values_are_data_never_code(code, tmp_path, monkeypatch):
    """Text that looks like code is kept as the text it is (title) or refused as a bad value
    (a path that does not exist, a name with characters not allowed) — never run."""
    monkeypatch.chdir(tmp_path)
    toml_text = f"[input]\nosm = \"demo\"\n[output]\ntitle = '''{code}'''\n"
    cfg = parse_pipeline(toml_text, tmp_path)
    assert cfg.title == code
    from geoplan.config import PipelineError

    with pytest.raises(PipelineError, match=r"\[input\] osm"):
        parse_pipeline(f"[input]\nosm = '''{code}'''\n", tmp_path)
    with pytest.raises(PipelineError, match=r"\[output\] name"):
        parse_pipeline(f"[input]\nosm = \"demo\"\n[output]\nname = '''{code}'''\n", tmp_path)
    assert list(tmp_path.iterdir()) == []
