"""No algorithm and no bad layer ends the QGIS process (issue 14, items 10 and 11).

Every algorithm of the provider runs in a real QGIS process, in a worker thread of QGIS's task
manager as the Processing dialog runs it, with the GUI's "Invalid features filtering" (stop on an
invalid feature): on a self-intersecting polygon, an empty layer, a layer whose coordinates are
degrees although its CRS says metres, a layer in another CRS (EPSG:3857 for Helsinki) and a
cancelled run. Before the fix the invalid polygon terminated QGIS ("terminate called after
throwing an instance of 'QgsProcessingException'"). The process must survive and each message
must name the planner's layer and the repair. One driver process for the whole module
(``bad_layers_driver.py``), plus ``qgis_process`` itself in a throwaway profile.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
from bad_layers_driver import AREA_A, BOWTIE  # noqa: E402  (the driver's shapes)

ROOT = HERE.parents[1]
FIX = "Processing > Vector geometry > Fix geometries"
ALGORITHMS = ("inspect", "network", "layers", "area_summary", "scenario", "compare_scenarios",
              "council_layout")


def _env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def baseline(plugin_baseline_run):
    """A small baseline run of the core (250 m cells, central Helsinki), shared by the plugin
    tests (tests/conftest.py, read only)."""
    return plugin_baseline_run[0]


@pytest.fixture(scope="module")
def driven(baseline, tmp_path_factory):
    """Every case of ``bad_layers_driver.py`` in one QGIS process: ``(results, process)``."""
    out = tmp_path_factory.mktemp("driver")
    proc = subprocess.run([sys.executable, str(HERE / "bad_layers_driver.py"), str(out),
                           str(baseline)], env=_env(), capture_output=True, text=True,
                          timeout=1200, cwd=out)
    results_file = out / "results.json"
    results = json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() else {}
    return results, proc


def _last_line(case: dict) -> str:
    return case["log"].strip().splitlines()[-1]


def _refused(driven, case: str) -> str:
    """The message of a case that must have failed (cleanly)."""
    outcome = driven[0][case]
    assert outcome["ok"] is False, (case, outcome["log"][-1000:])
    return _last_line(outcome)


LAYER_INPUTS = ("inspect", "network", "layers", "scenario", "layers_summary_areas", "area_summary")


def test_the_qgis_process_survives_every_case(driven):
    results, proc = driven
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:], list(results)[-1:])
    assert "terminate called" not in proc.stderr
    assert {case.split("/")[0] for case in results} >= set(ALGORITHMS)
    for case, outcome in results.items():
        assert outcome["ok"] is not None, f"{case} never finished"
        assert "Traceback" not in outcome["log"], (case, outcome["log"][-2000:])


@pytest.mark.parametrize("alg", ["inspect", "network", "layers", "scenario"])
def test_invalid_study_area_names_the_layer_and_the_repair(driven, alg):
    message = _refused(driven, f"{alg}/invalid")
    assert message.startswith("Layer 'Kvarter bowtie': ")
    assert "not a valid polygon (Self-intersection" in message and FIX in message
    assert ".geojson" not in message and ".gpkg" not in message  # no file the plugin wrote


@pytest.mark.parametrize("alg", ["layers_summary_areas", "area_summary"])
def test_invalid_summary_areas_name_the_layer_and_the_repair(driven, alg):
    message = _refused(driven, f"{alg}/invalid")
    assert message.startswith("Layer 'Kvarter bowtie': area layer: row 0 is not a valid polygon")
    assert FIX in message and "summary_areas.gpkg" not in message


def test_invalid_drawn_edit_names_the_edit_layer(driven):
    message = _refused(driven, "scenario_green/invalid")
    assert "New green spaces, feature 1" in message and "Fix geometries" in message


@pytest.mark.parametrize("alg", LAYER_INPUTS)
def test_empty_layer_is_an_error_that_names_it(driven, alg):
    message = _refused(driven, f"{alg}/empty")
    assert message.startswith("Layer 'Empty plan': ") and "has no features" in message


def test_empty_edit_layer_is_no_edit(driven):
    """An empty layer of edits is a scenario without that kind of edit, not an error."""
    assert driven[0]["scenario_green/empty"]["ok"] is True


@pytest.mark.parametrize("alg", LAYER_INPUTS)
def test_degrees_labelled_as_metres_is_said_as_such(driven, alg):
    """Issue 11: not "outside the extract" but what is wrong with the layer's CRS."""
    message = _refused(driven, f"{alg}/degrees_as_metres")
    assert message.startswith("Layer 'Mislabelled': ")
    assert "look like degrees" in message and "EPSG:4326" in message


def test_a_path_that_joins_nothing_is_said_early_in_planner_words(driven):
    """Issue 11: before the baseline's layers are computed (was: at 70 %), and no internal name."""
    message = _refused(driven, "scenario_path/joins_nothing")
    assert "connects to no existing path: end it within 15 m of a path" in message
    assert "connect_within_m in the scenario file" in message
    assert "Scenario.connect_within_m" not in message
    assert driven[0]["scenario_path/joins_nothing"]["progress"] <= 40


def test_degrees_labelled_as_metres_in_an_edit_layer(driven):
    assert "look like degrees" in _refused(driven, "scenario_green/degrees_as_metres")


def test_a_study_area_in_another_crs_is_reprojected(driven):
    """AREA_A drawn in EPSG:3857 gives the numbers of the core called with AREA_A in lon/lat."""
    from geoplan.inspect import inspect_osm

    results, _ = driven
    assert results["inspect/other_crs"]["ok"] is True
    assert results["network/other_crs"]["ok"] is True
    assert results["network/other_crs"]["results"]["EDGES"] > 0
    from geoplan.datasets import demo_extract

    core = inspect_osm(demo_extract(), area=AREA_A)
    got = results["inspect/other_crs"]["results"]
    assert got["area_km2"] == pytest.approx(core.to_dict()["area_km2"], rel=1e-6)
    assert got["crs_epsg"] == core.to_dict()["crs_epsg"]
    assert shapely.box(*AREA_A.bounds).equals(AREA_A)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_a_cancelled_run_stops_cleanly(driven, alg):
    last = _refused(driven, f"{alg}/cancelled")
    if alg == "compare_scenarios":  # one run only: the input is refused before any work
        assert "at least two scenario runs" in last
    else:
        assert last == "cancelled"


# --- qgis_process, the command line of QGIS --------------------------------------------------
@pytest.fixture(scope="module")
def qgis_process(tmp_path_factory):
    """``qgis_process`` with the plugin enabled in a throwaway profile (fresh HOME)."""
    exe = shutil.which("qgis_process")
    if exe is None:
        pytest.skip("qgis_process is not installed")
    home = tmp_path_factory.mktemp("home")
    plugins = home / ".local/share/QGIS/QGIS3/profiles/default/python/plugins"
    plugins.mkdir(parents=True)
    (plugins / "geoplan_qgis").symlink_to(ROOT / "qgis_plugin" / "geoplan_qgis")
    site = next(p for p in sys.path if p.endswith("site-packages") and ".venv" in p)
    env = {k: v for k, v in _env().items() if k != "VIRTUAL_ENV"
           and not k.startswith(("XDG_", "QGIS_"))}  # QGIS's settings of the pytest session
    env.update(HOME=str(home), PYTHONPATH=os.pathsep.join((str(ROOT), site)))
    enabled = subprocess.run([exe, "plugins", "enable", "geoplan_qgis"], env=env,
                             capture_output=True, text=True, timeout=300, cwd=home)
    assert enabled.returncode == 0, enabled.stderr

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([exe, "--json", "run", *args], env=env, capture_output=True,
                              text=True, timeout=600, cwd=home)

    return home, run


def _gpkg(path: Path, polygons, crs) -> Path:
    import geopandas as gpd

    gpd.GeoDataFrame({"name": [f"p{i}" for i in range(len(polygons))]}, geometry=list(polygons),
                     crs=crs).to_file(path, driver="GPKG")
    return path


@pytest.mark.parametrize(("name", "polygons", "crs", "expected"), [
    ("bowtie", None, 4326, "not a valid polygon (Self-intersection"),
    ("mislabelled", "A", 3006, "look like degrees"),
])
def test_qgis_process_inspect_bad_area_is_a_clean_error(qgis_process, name, polygons, crs,
                                                        expected):
    from geoplan.datasets import demo_extract

    home, run = qgis_process
    area = _gpkg(home / f"{name}.gpkg", [BOWTIE if polygons is None else AREA_A], crs)
    proc = run("geoplan:inspect", "--", f"INPUT={demo_extract()}", f"AREA={area}",
               f"OUTPUT={home / (name + '.json')}")
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])  # not 134 (abort)
    assert expected in proc.stdout + proc.stderr
    assert f"Layer '{name}'" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (home / (name + ".json")).exists()
