"""The run folder (geoplan.runs.folder): written by a run, read back whole; a clear error for a
folder that is not a run folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geoplan.config import parse_pipeline
from geoplan.errors import InputFileError
from geoplan.runs import folder as rf
from geoplan.runs.folder import RunFolder, pipeline_from_provenance
from geoplan.runs.pipeline import run_pipeline

PIPELINE = """
[input]
osm = "demo"
[grid]
cell_size_m = 250
[access]
radii_m = [500]
[night]
threshold_m = 600
[output]
title = "Mappen"
lang = "da"
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("folder_run")
    cfg = parse_pipeline(PIPELINE, out)
    run_pipeline(cfg, out)
    return cfg, out


def test_round_trip(run):
    cfg, out = run
    folder = RunFolder(str(out))
    assert folder.path == out and folder.gpkg == out / rf.GPKG
    assert folder.check() is folder and not folder.is_scenario
    assert {rf.GRID, rf.NETWORK, rf.GREEN, rf.DESTINATIONS, rf.ORIGINS} <= folder.layers()
    expected = pyogrio.read_dataframe(out / rf.GPKG, layer=rf.GRID)
    pd.testing.assert_frame_equal(folder.grid(), expected)
    assert list(folder.grid(columns=["pop"]).columns) == ["pop", "geometry"]
    assert folder.areas() is None and folder.grid_change() is None and folder.changes() is None
    prov = json.loads((out / rf.PROVENANCE).read_text(encoding="utf-8"))
    assert folder.provenance() == prov and folder.quality()["walkable_km"] > 0
    assert folder.metadata()["cell_size_m"] == "250" and folder.scenario_info() == {}
    settings = folder.settings()
    assert settings == cfg and settings.access.radii_m == (500.0,)
    assert settings.access.night_threshold_m == 600.0 and settings.lang == "da"
    assert pipeline_from_provenance(prov) == cfg


def test_catalogue_of_a_run_names_its_distances(run):
    from geoplan.outputs.maps import load_run

    _, out = run
    data = load_run(out)
    cat = data.catalogue()
    grid = [c for c in data.grid.columns if c != "geometry"]
    assert list(cat) == grid
    assert "500 m" in cat["n_school_500m"].label("da")
    assert "600 m" in cat["loses_school_at_night"].label("da")


def test_a_folder_without_provenance_reads_with_default_settings(run, tmp_path):
    _, out = run
    shutil.copy(out / rf.GPKG, tmp_path / rf.GPKG)
    folder = RunFolder(tmp_path)
    assert folder.provenance() == {} and folder.check() is folder
    assert folder.settings().access.radii_m == (400.0, 800.0, 1200.0)


def test_not_a_run_folder(tmp_path):
    with pytest.raises(InputFileError, match=r"no geoplan\.gpkg in .*geoplan run"):
        RunFolder(tmp_path).check()
    with pytest.raises(InputFileError, match="no geoplan.gpkg"):
        RunFolder(tmp_path).grid()
    assert RunFolder(tmp_path).layers() == frozenset()

    (tmp_path / rf.GPKG).write_text("not a GeoPackage", encoding="utf-8")
    with pytest.raises(InputFileError, match="cannot be read as a GeoPackage"):
        RunFolder(tmp_path).check()


def test_a_geopackage_without_grid_and_bad_json(tmp_path):
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=3006).to_file(
        tmp_path / rf.GPKG, layer="other")
    with pytest.raises(InputFileError, match="has no 'grid' layer"):
        RunFolder(tmp_path).check()
    (tmp_path / rf.PROVENANCE).write_text("{oops", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid JSON"):
        RunFolder(tmp_path).provenance()
    (tmp_path / rf.PROVENANCE).write_text("[]", encoding="utf-8")
    with pytest.raises(InputFileError, match="no JSON object"):
        RunFolder(tmp_path).settings()
    with pytest.raises(InputFileError, match="has no 'pipeline'"):
        pipeline_from_provenance({"created": "2026-01-01"})


def test_file_names():
    assert (rf.GPKG, rf.PROVENANCE, rf.GRID_TIF, rf.CHANGES_CSV) == (
        "geoplan.gpkg", "provenance.json", "grid.tif", "changes.csv")
    assert rf.quality_text("en") == "data_quality_en.txt"
    assert isinstance(RunFolder("x").path, Path)


def test_report_words_use_the_run_settings(run):
    """The report reads the distances as run, not re-typed defaults."""
    from geoplan.outputs.maps import load_run
    from geoplan.outputs.report import key_number_map, method_notes

    _, out = run
    data = load_run(out)
    notes = [n for n in method_notes(data, "en") if isinstance(n, str)]
    assert any("the number within 500 m" in n for n in notes)
    assert any("within 600 m by day" in n for n in notes if n.startswith("After dark"))
    numbers = key_number_map(data, "en")
    assert "600 m" in numbers["school_night"] and "500 m" in numbers["grocery"]
