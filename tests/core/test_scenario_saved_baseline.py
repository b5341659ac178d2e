"""The saved scenario baseline (#15): ``geoplan run`` writes ``scenario_baseline.pkl`` into its
committed set; ``geoplan scenario run RUN_FOLDER`` loads it and gives, cell by cell and column
by column, what the from-pipeline scenario and a full recompute give; a stale, foreign or
damaged baseline is refused before anything is unpickled."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geoplan.errors import ConfigError, InputFileError
from geoplan.runs import folder as rf
from geoplan.runs.scenario import run_baseline, run_scenario, saved_baseline_reason
from geoplan.scenario.io import read_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The demo pipeline run on a copy of the demo extract (so a test can change the input)."""
    from geoplan.config import parse_pipeline
    from geoplan.datasets import DEMO_PIPELINE, demo_extract
    from geoplan.runs.pipeline import run_pipeline

    tmp = tmp_path_factory.mktemp("saved_baseline")
    osm = tmp / "helsinki.osm.pbf"
    shutil.copy(demo_extract(), osm)
    cfg = dataclasses.replace(parse_pipeline(DEMO_PIPELINE, tmp, source="demo"), osm=osm,
                              osm_is_demo=False, formats=("gpkg",))
    result = run_pipeline(cfg, tmp / "run")
    return cfg, tmp / "run", result


def _gpkg_layer(out: Path, layer: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(out / rf.GPKG, layer=layer, read_geometry=False)


def test_the_saved_baseline_is_in_the_runs_committed_set(demo_run):
    _, run, result = demo_run
    assert run / rf.SCENARIO_BASELINE in result.files
    prov = json.loads((run / rf.PROVENANCE).read_text())
    assert rf.SCENARIO_BASELINE in prov["files"]
    # the header is plain JSON before the pickle: format, version, settings, input hashes
    with open(run / rf.SCENARIO_BASELINE, "rb") as f:
        assert f.readline() == b"geoplan-scenario-baseline\n"
        header = json.loads(f.readline())
    # format 2: stable green-entry keys and the routing graphs (session 21, #15 item 2);
    # format 3: per-node nearest distances for the bounded search from an edit (session 22);
    # format 4: the origin-target pairs within each graph's cutoff (session 24)
    assert header["format"] == 4 and header["geoplan"] == prov["geoplan"]
    assert header["inputs"]["osm"] == prov["inputs"]["osm"]["sha256"]  # hashed independently


def test_saved_baseline_scenario_equals_pipeline_and_full_recompute(demo_run, tmp_path):
    cfg, run, _ = demo_run
    scen = read_scenario(ROOT / "data" / "demo_scenario.gpkg")
    saved = run_scenario(run, scen, tmp_path / "saved")
    piped = run_scenario(cfg, scen, tmp_path / "piped")
    full = run_scenario(cfg, scen, tmp_path / "full", incremental=False)
    assert saved.stats.mode == "incremental" and full.stats.mode == "full"
    # the demo's path lies beside a park and it densifies a cell: the stored graphs are
    # patched all the same (the park's new entries added to the green graph; session 23)
    assert saved.stats.graphs == "patched"
    assert saved.stats.cells and saved.stats.cells["access"] > 0  # the scenario changes cells
    for other in (piped, full):
        pd.testing.assert_frame_equal(saved.layers.grid, other.layers.grid, check_exact=False,
                                      rtol=1e-9, atol=1e-9)
        pd.testing.assert_frame_equal(saved.changes, other.changes, check_exact=False,
                                      rtol=1e-9, atol=1e-9)
    # and the written files: every column of every cell, per area, and the change table
    for layer in ("grid", "grid_change", "areas_change", "network"):
        a = _gpkg_layer(tmp_path / "saved", layer)
        for name in ("piped", "full"):
            pd.testing.assert_frame_equal(a, _gpkg_layer(tmp_path / name, layer),
                                          check_exact=False, rtol=1e-9, atol=1e-9)
    assert ((tmp_path / "saved" / rf.CHANGES_CSV).read_bytes()
            == (tmp_path / "piped" / rf.CHANGES_CSV).read_bytes())


def test_the_cli_takes_a_run_folder(demo_run, tmp_path):
    from geoplan.cli.main import main

    _, run, _ = demo_run
    rc = main(["scenario", "run", str(run), str(ROOT / "data" / "demo_scenario.gpkg"),
               "--out", str(tmp_path / "s")])
    assert rc in (0, None)
    info = json.loads((tmp_path / "s" / rf.SCENARIO_JSON).read_text())
    assert info["recompute"]["mode"] == "incremental"
    with pytest.raises(ConfigError, match="is the run folder itself"):
        run_scenario(run, read_scenario(ROOT / "data" / "demo_scenario.gpkg"), run)


def _copy_run(run: Path, to: Path) -> Path:
    shutil.copytree(run, to)
    return to


def _rewrite_header(path: Path, **changes) -> None:
    with open(path, "rb") as f:
        magic, header, body = f.readline(), json.loads(f.readline()), f.read()
    header.update(changes)
    path.write_bytes(magic + json.dumps(header).encode() + b"\n" + body)


@pytest.mark.parametrize(("change", "words", "sv", "da"), [
    ({"geoplan": "0.0.1"}, "was saved for another geoplan version",
     "en annan version av geoplan", "en anden version af geoplan"),
    ({"format": 0}, "was saved for another file format", "ett äldre filformat",
     "et ældre filformat"),
    ({"pipeline": {"input": {"osm": "elsewhere.osm.pbf"}}}, "was saved for other settings",
     "inställningar har ändrats", "indstillinger er ændret"),
])
def test_a_foreign_baseline_is_refused(demo_run, tmp_path, change, words, sv, da):
    _, run, _ = demo_run
    copy = _copy_run(run, tmp_path / "run")
    _rewrite_header(copy / rf.SCENARIO_BASELINE, **change)
    with pytest.raises(InputFileError, match=words) as err:
        run_baseline(copy)
    assert "run `geoplan run` again" in str(err.value)
    # the QGIS panel says why in the planner's language, and what to do
    for lang, text in (("sv", sv), ("da", da)):
        said = saved_baseline_reason(err.value, lang)
        assert text in said and "geoplan run" in said, said


def test_a_damaged_or_missing_baseline_is_refused(demo_run, tmp_path):
    _, run, _ = demo_run
    copy = _copy_run(run, tmp_path / "run")
    p = copy / rf.SCENARIO_BASELINE
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])  # an interrupted copy
    with pytest.raises(InputFileError, match="is damaged") as err:
        run_baseline(copy)
    assert "skadat" in saved_baseline_reason(err.value, "sv")
    p.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(InputFileError, match="is not a saved geoplan scenario baseline") as err:
        run_baseline(copy)
    assert "beskadiget" in saved_baseline_reason(err.value, "da")
    p.unlink()
    with pytest.raises(InputFileError, match="does not exist") as err:
        run_baseline(copy)
    assert "inget sparat nuläge" in saved_baseline_reason(err.value, "sv")


def test_a_baseline_is_stale_once_an_input_changes(demo_run):
    cfg, run, _ = demo_run
    osm = Path(cfg.osm)
    original = osm.read_bytes()
    try:
        osm.write_bytes(original + b"\0")  # the planner downloaded the extract again
        with pytest.raises(InputFileError, match="was saved for other inputs") as err:
            run_baseline(run)
        assert "run `geoplan run` again to rewrite it" in str(err.value)
        assert "en inputfil er ændret" in saved_baseline_reason(err.value, "da")
    finally:
        osm.write_bytes(original)
    assert run_baseline(run)[1].layers.grid is not None
