"""``project.qgz`` of a run folder (issue 17, item 4): read back with QGIS, it holds every layer
of the run's GeoPackage, valid and styled with the renderer geoplan stored, the council or
scenario layout (the scenario's with the proposal's edits drawn and in a legend), the run's CRS,
title and language; ``geoplan project`` writes it with QGIS's Python and says what to do without.

Oracles: the layer names listed by pyogrio from the GeoPackage itself, the CRS pyogrio reads, and
the renderer type each kind of layer must have (graduated cells, categorized lighting …)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"
# the plain venv without QGIS (`make setup-cli`), beside the QGIS venv (also in a worktree,
# whose .venv links to the main checkout's)
CLI_PYTHON = (ROOT / ".venv").resolve().parent / ".venv-cli" / "bin" / "python"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A 250 m demo run titled "Kluuvi test" and the demo scenario from its saved baseline."""
    import geoplan.runs.pipeline
    import geoplan.runs.scenario
    import geoplan.scenario.io

    tmp = tmp_path_factory.mktemp("project")
    text = ('[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n'
            '[output]\nformats = ["gpkg"]\ntitle = "Kluuvi test"\n')
    geoplan.runs.pipeline.run_pipeline(geoplan.config.parse_pipeline(text, tmp), tmp / "run")
    edits = geoplan.scenario.io.read_scenario(SCENARIO)
    geoplan.runs.scenario.run_scenario(tmp / "run", edits, tmp / "scen")
    return tmp / "run", tmp / "scen"


def _read(path: Path):
    from qgis.core import QgsProject

    project = QgsProject()
    assert project.read(str(path)), project.error()
    return project


def _spatial_layers(gpkg: Path) -> set[str]:
    return {str(n) for n, kind in pyogrio.list_layers(gpkg) if kind is not None}


RENDERERS = {"grid": "graduatedSymbol", "network": "categorizedSymbol", "water": "singleSymbol",
             "places": "nullSymbol", "destinations": "categorizedSymbol",
             "grid_change": "graduatedSymbol", "edits_lines": "categorizedSymbol",
             "edits_points": "categorizedSymbol", "edits_areas": "categorizedSymbol"}


def _by_table(project) -> dict:
    out = {}
    for node in project.layerTreeRoot().findLayers():
        layer = node.layer()
        out[layer.source().rsplit("layername=", 1)[-1]] = layer
    return out


def test_the_run_project_has_every_layer_styled_and_the_council_layout(qgis_app, runs):
    from geoplan_qgis.project import write_project

    run, _ = runs
    path = write_project(run, lang="sv")
    assert path == run / "project.qgz"
    project = _read(path)
    layers = _by_table(project)
    want = _spatial_layers(run / "geoplan.gpkg") - {"origins"}
    assert set(layers) == want
    assert all(layer.isValid() for layer in layers.values())
    for name, renderer in RENDERERS.items():
        if name in layers:
            assert layers[name].renderer().type() == renderer, name
    crs = pyogrio.read_info(run / "geoplan.gpkg", layer="grid")["crs"]
    assert project.crs().authid() == crs
    assert project.title() == "Kluuvi test" and project.metadata().language() == "sv"
    assert layers["water"].name() == "Vatten"
    (layout,) = project.layoutManager().layouts()
    maps = [i for i in layout.items() if i.__class__.__name__ == "QgsLayoutItemMap"]
    assert len(maps) == 3 and all(m.layers() for m in maps)


def test_the_scenario_project_has_the_edits_in_its_layout(qgis_app, runs):
    from geoplan_qgis.project import write_project
    from qgis.core import QgsLayoutItemLegend, QgsLayoutItemMap

    _, scen = runs
    project = _read(write_project(scen, lang="da"))
    layers = _by_table(project)
    assert {"edits_lines", "edits_points", "edits_areas", "grid_change"} <= set(layers)
    for name in ("edits_lines", "edits_points", "edits_areas"):
        assert layers[name].renderer().type() == "categorizedSymbol"
        assert layers[name].featureCount() == pyogrio.read_info(
            scen / "geoplan.gpkg", layer=name)["features"]
    (layout,) = project.layoutManager().layouts()
    maps = sorted((i for i in layout.items() if isinstance(i, QgsLayoutItemMap)),
                  key=lambda m: m.pos().x())
    drawn = [{lyr.source().rsplit("layername=", 1)[-1] for lyr in m.layers()} for m in maps]
    assert "edits_lines" not in drawn[0]  # before: what is there today
    assert all({"edits_lines", "edits_points", "water"} <= d for d in drawn[1:])
    legends = [i for i in layout.items() if isinstance(i, QgsLayoutItemLegend)]
    assert "Forslag" in {lg.title() for lg in legends}


def test_an_algorithm_writes_the_project_after_its_run(qgis_app, runs, tmp_path):
    import shutil

    from geoplan_qgis.algorithms.scenario import ScenarioAlgorithm
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    folder = Path(shutil.copytree(runs[1], tmp_path / "scenario"))
    (folder / "project.qgz").unlink(missing_ok=True)
    alg = ScenarioAlgorithm()
    alg.project_folder = folder
    alg.postProcessAlgorithm(QgsProcessingContext(), QgsProcessingFeedback())
    assert _read(folder / "project.qgz").layoutManager().layouts()


def _cli(python: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([str(python), "-m", "geoplan.cli.main", "project", str(out),
                           "--lang", "en"], capture_output=True, text=True, env=env,
                          timeout=600)


def test_geoplan_project_writes_it_with_qgis_python(runs, tmp_path):
    import shutil

    folder = Path(shutil.copytree(runs[0], tmp_path / "run"))
    (folder / "project.qgz").unlink(missing_ok=True)
    done = _cli(Path(sys.executable), folder)
    assert done.returncode == 0, done.stderr
    assert (folder / "project.qgz").is_file() and "project.qgz" in done.stdout


@pytest.mark.skipif(not CLI_PYTHON.exists(), reason="no .venv-cli (make setup-cli)")
def test_geoplan_project_without_qgis_says_how_to_get_it(runs):
    done = _cli(CLI_PYTHON, runs[0])
    assert done.returncode == 2
    assert "QGIS's Python" in done.stderr and "OSGeo4W" in done.stderr
    assert "Traceback" not in done.stderr
