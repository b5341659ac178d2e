"""Render the map screenshots in docs/screenshots/ from the demo (run from the repository root).

    PYTHONPATH=. python scripts/render_screenshots.py [--out docs/screenshots]

Runs the demo study with two summary areas and the demo scenario into a temporary folder, then
writes three PNGs: the safety-index map of the report, the green-space map and the scenario's
change map of the night distance to a grocery store.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import geopandas as gpd
import shapely

from geoplan.config import parse_pipeline
from geoplan.outputs.maps import HEADLINE_MAPS, MapSpec, load_run, map_figure
from geoplan.runs.pipeline import run_pipeline
from geoplan.runs.scenario import run_scenario
from geoplan.scenario.io import read_scenario
from geoplan.types import Lighting

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"


def _runs(tmp: Path) -> tuple[Path, Path]:
    lamp = read_scenario(SCENARIO).of_type(Lighting)[0].lamps[0]
    x, y = lamp.x, lamp.y
    gpd.GeoDataFrame({"code": ["N", "S"], "label": ["Kamppi north", "Kamppi south"]},
                     geometry=[shapely.box(x - 800, y, x + 800, y + 800),
                               shapely.box(x - 800, y - 800, x + 800, y)],
                     crs="EPSG:3067").to_file(tmp / "areas.gpkg", layer="areas")
    cfg = parse_pipeline(
        '[input]\nosm = "demo"\n[grid]\ncell_size_m = 100\n[output]\nformats = ["gpkg"]\n'
        '[areas]\npath = "areas.gpkg"\nkey_column = "code"\nname_column = "label"\n', tmp)
    run_pipeline(cfg, tmp / "run")
    run_scenario(cfg, read_scenario(SCENARIO), tmp / "sc")
    return tmp / "run", tmp / "sc"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out = ap.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    by_key = {s.key: s for s in HEADLINE_MAPS}
    with tempfile.TemporaryDirectory() as d:
        run_dir, sc_dir = _runs(Path(d))
        run, sc = load_run(run_dir), load_run(sc_dir)
        night = MapSpec("night_dist_grocery_m", "night_dist_grocery_m", unit="m",
                        nodata="nodata_unreachable")
        for name, r, spec, variant in (
                ("map_safety_index.png", run, by_key["safety_index"], "level"),
                ("map_green.png", run, by_key["green_scb_300m"], "level"),
                ("map_scenario_change.png", sc, night, "change")):
            map_figure(r, spec, lang="sv", variant=variant).savefig(out / name, dpi=110)
            print(out / name)


if __name__ == "__main__":
    main()
