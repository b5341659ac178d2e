"""The CLI: exit codes, one-line errors without traceback, JSON output, sv/da text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

GEOPLAN = [str(Path(sys.executable).with_name("geoplan"))]


def run(*args, cwd=None):
    return subprocess.run(GEOPLAN + [str(a) for a in args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def assert_clean_error(r, *fragments):
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    assert r.stderr.startswith("geoplan: error: ") or "Error:" in r.stderr
    for f in fragments:
        assert f in r.stderr, r.stderr


def test_inspect_json_matches_api(helsinki_pbf):
    from geoplan.inspect import inspect_osm

    r = run("inspect", helsinki_pbf, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == json.loads(inspect_osm(helsinki_pbf).to_json())


@pytest.mark.parametrize("lang,word", [("sv", "Gångbart nät"), ("da", "Gangbart net"),
                                       ("en", "Walkable network")])
def test_inspect_text_languages(helsinki_pbf, lang, word):
    r = run("inspect", helsinki_pbf, "--lang", lang, "--bbox", "24.940,60.166,24.948,60.172")
    assert r.returncode == 0, r.stderr
    assert word in r.stdout and "OpenStreetMap" in r.stdout
    if lang != "en":
        assert "," in r.stdout.split(word)[1].splitlines()[0]  # decimal comma


def test_inspect_writes_json_atomically(helsinki_pbf, tmp_path):
    out = tmp_path / "sub" / "summary.json"
    r = run("inspect", helsinki_pbf, "--out", out)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["lamps_osm"] == 586
    assert [p.name for p in out.parent.iterdir()] == ["summary.json"]


def test_missing_file():
    assert_clean_error(run("inspect", "/no/such/file.osm.pbf"), "does not exist")


def test_not_osm(tmp_path):
    p = tmp_path / "roads.geojson"
    p.write_text('{"type": "FeatureCollection", "features": []}')
    assert_clean_error(run("inspect", p), "not an OSM extract", ".osm.pbf")


def test_corrupt_pbf(tmp_path, helsinki_pbf):
    p = tmp_path / "cut.osm.pbf"
    p.write_bytes(helsinki_pbf.read_bytes()[:200_000])  # truncated download
    assert_clean_error(run("inspect", p), "corrupt, truncated or not OSM")


def test_broken_xml(tmp_path):
    p = tmp_path / "broken.osm"
    p.write_text('<?xml version="1.0"?><osm version="0.6"><node id="1" lat="55.6" lon="13.0">')
    r = run("inspect", p)
    assert_clean_error(r)
    assert "OSM" in r.stderr


def test_empty_file(tmp_path):
    p = tmp_path / "empty.osm.pbf"
    p.write_bytes(b"")
    assert_clean_error(run("inspect", p), "empty")


def test_osm_without_streets(tmp_path):
    p = tmp_path / "nothing.osm"
    p.write_text('<?xml version="1.0"?><osm version="0.6">'
                 '<node id="1" version="1" lat="55.6" lon="13.0"/></osm>')
    assert_clean_error(run("inspect", p), "no OSM objects")


def test_area_outside_extract(helsinki_pbf):
    assert_clean_error(run("inspect", helsinki_pbf, "--bbox", "13.0,55.6,13.1,55.7"),
                       "outside the extract")


def test_bbox_in_metres(helsinki_pbf):
    assert_clean_error(run("inspect", helsinki_pbf, "--bbox", "385000,6671000,387000,6673000"),
                       "not in degrees")


def test_area_file_degrees_labelled_as_metres(helsinki_pbf, tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    p = tmp_path / "area.gpkg"
    gpd.GeoDataFrame(geometry=[box(24.94, 60.166, 24.948, 60.172)], crs=3067).to_file(p)
    assert_clean_error(run("inspect", helsinki_pbf, "--area", p), "look like degrees", "EPSG:4326")


def test_area_file_without_crs(helsinki_pbf, tmp_path):
    p = tmp_path / "area.geojson"
    p.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                 '"geometry":{"type":"Polygon","coordinates":[[[385000,6671000],[386000,6671000],'
                 '[386000,6672000],[385000,6671000]]]}}]}')
    r = run("inspect", helsinki_pbf, "--area", p)
    assert_clean_error(r)


def test_self_intersecting_area(helsinki_pbf, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Polygon

    bowtie = Polygon([(24.94, 60.166), (24.948, 60.172), (24.948, 60.166), (24.94, 60.172)])
    p = tmp_path / "bowtie.gpkg"
    gpd.GeoDataFrame(geometry=[bowtie], crs=4326).to_file(p)
    assert_clean_error(run("inspect", helsinki_pbf, "--area", p), "not a valid polygon", "Fix geometries")


def test_empty_area_layer(helsinki_pbf, tmp_path):
    import geopandas as gpd

    p = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"a": []}, geometry=[], crs=4326).to_file(p)
    assert_clean_error(run("inspect", helsinki_pbf, "--area", p), "no features")


def test_unknown_crs(helsinki_pbf):
    assert_clean_error(run("inspect", helsinki_pbf, "--crs", "EPSG:999999"), "unknown CRS")


def test_degree_crs_refused(helsinki_pbf):
    assert_clean_error(run("inspect", helsinki_pbf, "--crs", "EPSG:4326"), "not a projected CRS")


def test_unknown_language(helsinki_pbf):
    r = run("inspect", helsinki_pbf, "--lang", "fi")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "'fi'" in r.stderr


def test_demo_writes_summary(offline_demo):
    """`geoplan demo`, run once per session (offline, tests/core/conftest.py)."""
    r, out = offline_demo.demo, offline_demo.out
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "data_quality.json").read_text())["lamps_osm"] == 586
    assert "© OpenStreetMap contributors" in (out / "data_quality_en.txt").read_text()
