"""A run folder's saved baseline needs none of the run's input files (#15): with the OSM file
moved away (a run folder copied to another computer, an extract tidied up) ``geoplan scenario
run RUN_DIR`` still runs, and gives what the same scenario gives from the pipeline with the
file in place; a file that is there but changed is still refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geoplan.cli.main import main
from geoplan.runs import folder as rf

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"


@pytest.fixture(scope="module")
def own_run(tmp_path_factory, helsinki_pbf):
    """``(pipeline file, run folder, OSM copy)``: the demo's scenario area, its own OSM file."""
    from geoplan.config import load_pipeline
    from geoplan.runs.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("moved_inputs")
    osm = root / "extract" / "helsinki.osm.pbf"
    osm.parent.mkdir()
    shutil.copyfile(helsinki_pbf, osm)
    toml = root / "demo.toml"
    toml.write_text('[input]\nosm = "extract/helsinki.osm.pbf"\n[grid]\ncell_size_m = 250\n'
                    '[output]\nformats = ["gpkg"]\n', encoding="utf-8")
    run_pipeline(load_pipeline(toml), root / "run")
    return toml, root / "run", osm


def test_the_osm_file_moved_away_is_not_needed(own_run, tmp_path, capsys):
    toml, run, osm = own_run
    moved = osm.with_name("elsewhere.osm.pbf")
    osm.rename(moved)
    try:
        code = main(["scenario", "run", str(run), str(SCENARIO), "--out", str(tmp_path / "a")])
    finally:
        moved.rename(osm)
    assert code == 0, capsys.readouterr().err
    assert main(["scenario", "run", str(toml), str(SCENARIO), "--out", str(tmp_path / "b")]) == 0
    for layer in ("grid", "grid_change", "areas_change"):
        pd.testing.assert_frame_equal(
            pyogrio.read_dataframe(tmp_path / "a" / rf.GPKG, layer=layer),
            pyogrio.read_dataframe(tmp_path / "b" / rf.GPKG, layer=layer),
            check_exact=False, rtol=1e-9, atol=1e-9, obj=layer)
    assert ((tmp_path / "a" / rf.CHANGES_CSV).read_bytes()
            == (tmp_path / "b" / rf.CHANGES_CSV).read_bytes())


def test_an_input_that_is_there_but_changed_is_refused(own_run, tmp_path, capsys,
                                                       kotka_pbf):
    _toml, run, osm = own_run
    kept = osm.with_name("kept.osm.pbf")
    osm.rename(kept)
    shutil.copyfile(kotka_pbf, osm)  # another extract under the same name
    try:
        code = main(["scenario", "run", str(run), str(SCENARIO), "--out", str(tmp_path / "a")])
    finally:
        kept.replace(osm)
    err = capsys.readouterr().err
    assert code == 2 and "other inputs" in err and "geoplan run" in err, err
