"""Runs every geoplan algorithm on bad layers in ONE real QGIS process, as the GUI runs them.

Used by ``test_bad_layers_never_kill_qgis.py`` as a subprocess (a crash must not take pytest
with it): ``python bad_layers_driver.py OUT_DIR BASELINE_DIR``. Each case runs in a
``QgsProcessingAlgRunnerTask`` on QGIS's task manager (a worker thread, the Processing
dialog's way) with the GUI's default "Invalid features filtering" (stop on an invalid feature).
After each case ``OUT_DIR/results.json`` holds ``{case: {"ok": bool, "log": str,
"results": {...}}}``, so a crash shows the last case that finished.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "qgis_plugin"))
sys.path.append("/usr/share/qgis/python/plugins")

import shapely  # noqa: E402
from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)

AREA_A = shapely.box(24.935, 60.164, 24.944, 60.171)
#: 11 m of path on open ground, 80 m from any path of the demo baseline: it joins nothing
LONELY_PATH = shapely.LineString([(24.9399, 60.17625), (24.9401, 60.17625)])
BOWTIE = shapely.Polygon([(24.935, 60.164), (24.944, 60.171), (24.944, 60.164), (24.935, 60.171)])


def layer(name: str, polygons, crs: str = "EPSG:4326", kind: str = "Polygon") -> QgsVectorLayer:
    """A memory layer named as a planner would name it, added to the project."""
    lyr = QgsVectorLayer(f"{kind}?crs={crs}&field=code:string&field=name:string", name, "memory")
    feats = [QgsFeature(lyr.fields()) for _ in polygons]
    for i, (feat, geom) in enumerate(zip(feats, polygons, strict=True)):
        feat.setGeometry(QgsGeometry.fromWkt(geom.wkt))
        feat.setAttributes([f"a{i}", f"area {i}"])
    assert lyr.dataProvider().addFeatures(feats)[0]
    lyr.updateExtents()
    QgsProject.instance().addMapLayer(lyr)
    return lyr


def in_3857(geom):
    from pyproj import Transformer

    tf = Transformer.from_crs(4326, 3857, always_xy=True)
    return shapely.transform(geom, tf.transform, interleaved=False)


def run_task(app, alg_id: str, params: dict, *, cancel: bool = False) -> dict:
    alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setInvalidGeometryCheck(QgsFeatureRequest.GeometryAbortOnInvalid)
    feedback = QgsProcessingFeedback()
    if cancel:
        feedback.cancel()
    task = QgsProcessingAlgRunnerTask(alg, params, context, feedback)
    done: dict = {}
    task.executed.connect(lambda ok, results: done.update(ok=ok, results=results))
    QgsApplication.taskManager().addTask(task)
    start = time.time()
    while "ok" not in done and time.time() - start < 600:
        app.processEvents()
        time.sleep(0.02)
    results = {k: v for k, v in (done.get("results") or {}).items()
               if isinstance(v, (int, float, str)) or v is None}
    return {"ok": done.get("ok"), "log": feedback.textLog(), "results": results,
            "progress": feedback.progress()}


def cases(out: Path, baseline: Path) -> dict:
    from geoplan.datasets import demo_extract

    pbf = str(demo_extract())
    bad = {
        "invalid": layer("Kvarter bowtie", [BOWTIE]),
        "empty": layer("Empty plan", []),
        "degrees_as_metres": layer("Mislabelled", [AREA_A], crs="EPSG:3006"),
    }
    other_crs = layer("Web mercator area", [in_3857(AREA_A)], crs="EPSG:3857")
    runs: dict = {}
    for what, lyr in bad.items():
        runs[f"inspect/{what}"] = ("geoplan:inspect", {
            "INPUT": pbf, "AREA": lyr.id(), "OUTPUT": str(out / f"i_{what}.json")})
        runs[f"network/{what}"] = ("geoplan:network", {
            "INPUT": pbf, "AREA": lyr.id(), "OUTPUT": "memory:"})
        runs[f"layers/{what}"] = ("geoplan:layers", {
            "INPUT": pbf, "AREA": lyr.id(), "OUTPUT": str(out / f"l_{what}")})
        runs[f"layers_summary_areas/{what}"] = ("geoplan:layers", {
            "INPUT": pbf, "AREA": other_crs.id(), "SUMMARY_AREAS": lyr.id(), "SUMMARY_KEY": "code",
            "OUTPUT": str(out / f"ls_{what}")})
        runs[f"area_summary/{what}"] = ("geoplan:area_summary", {
            "GRID": str(baseline / "geoplan.gpkg|layername=grid"), "AREAS": lyr.id(),
            "KEY": "code", "OUTPUT": "memory:"})
        runs[f"scenario/{what}"] = ("geoplan:scenario", {
            "BASELINE": str(baseline), "AREA": lyr.id(), "OUTPUT": str(out / f"s_{what}")})
        runs[f"scenario_green/{what}"] = ("geoplan:scenario", {
            "BASELINE": str(baseline), "NEW_GREEN": lyr.id(), "OUTPUT": str(out / f"g_{what}")})
    runs["scenario_path/joins_nothing"] = ("geoplan:scenario", {
        "BASELINE": str(baseline), "OUTPUT": str(out / "s_lonely"),
        "NEW_PATHS": layer("Proposed paths", [LONELY_PATH], kind="LineString").id()})
    runs["inspect/other_crs"] = ("geoplan:inspect", {
        "INPUT": pbf, "AREA": other_crs.id(), "OUTPUT": str(out / "i_other.json")})
    runs["network/other_crs"] = ("geoplan:network", {
        "INPUT": pbf, "AREA": other_crs.id(), "OUTPUT": "memory:"})
    cancelled = {
        "inspect": {"INPUT": pbf, "OUTPUT": str(out / "c.json")},
        "network": {"INPUT": pbf, "AREA": other_crs.id(), "OUTPUT": "memory:"},
        "layers": {"INPUT": pbf, "AREA": other_crs.id(), "OUTPUT": str(out / "c_layers")},
        "area_summary": {"GRID": str(baseline / "geoplan.gpkg|layername=grid"),
                         "AREAS": other_crs.id(), "KEY": "code", "OUTPUT": "memory:"},
        "scenario": {"BASELINE": str(baseline), "NEW_GREEN": other_crs.id(),
                     "OUTPUT": str(out / "c_scenario")},
        "compare_scenarios": {"RUNS": [str(baseline)], "OUTPUT": str(out / "c.html")},
        "council_layout": {"RUN": str(baseline), "PDF": str(out / "c.pdf")},
    }
    for name, params in cancelled.items():
        runs[f"{name}/cancelled"] = (f"geoplan:{name}", params)
    return runs


def main(out: Path, baseline: Path) -> None:
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from geoplan_qgis.provider import GeoplanProvider

    provider = GeoplanProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    done: dict = {}
    only = sys.argv[3] if len(sys.argv) > 3 else ""  # run only the cases containing it
    for case, (alg_id, params) in cases(out, baseline).items():
        if only not in case:
            continue
        done[case] = run_task(app, alg_id, params, cancel=case.endswith("/cancelled"))
        (out / "results.json").write_text(json.dumps(done, indent=1), encoding="utf-8")
    QgsProject.instance().removeAllMapLayers()
    QgsApplication.processingRegistry().removeProvider(provider)
    app.exitQgis()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
