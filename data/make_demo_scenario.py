"""Make ``data/demo_scenario.gpkg``: a demo scenario for the embedded central-Helsinki extract.

Run from the repository root::

    .venv/bin/python data/make_demo_scenario.py           # writes data/demo_scenario.gpkg
    .venv/bin/python data/make_demo_scenario.py --check   # and prints what it changes

then ``geoplan scenario run pipelines/demo.toml data/demo_scenario.gpkg --out out/scenario``.

Coordinates are ETRS-TM35FIN (EPSG:3067), the CRS the demo runs in. How the edits were chosen
(on the baseline of ``geoplan demo``, 100 m grid, population from buildings):

1. **A lit footway to Kaisaniemen ala-aste** (108 m). In the baseline all three schools are
   attached to paths whose lighting is unknown, so no cell reaches a school at night
   (``loses_school_at_night`` is true for 144 of 198 cells). Trying a straight lit path from
   every lit edge within 250 m of each school to the school (``recompute`` on each candidate)
   gave this one as the best under 130 m: about 5,700 residents gain a lit route to a school
   within 800 m. It starts on the lit street to the south-east, passes the school's point and
   ends on the school's service road.
2. **Three lamps along the unlit footway at Ressun lukio** (OSM way 517188145, 28 m,
   ``lit=unknown``), at 15 %, 50 % and 85 % of its length: the footway is lit by the lamps rule
   and the school becomes reachable at night from the lit network (about 7,900 residents).
3. **300 new dwellings** in a 60 × 50 m block in Kaisaniemi, beside the new footway (≈ 630
   residents at 2.1 persons per dwelling): green m² per resident falls, eyes on the street rise.

© OpenStreetMap contributors (the demo extract and the network the edits attach to).
"""

from __future__ import annotations

import sys
from pathlib import Path

import shapely

from geoplan.scenario.io import write_scenario
from geoplan.types import Densify, Lighting, NewPath, Scenario

OUT = Path(__file__).resolve().parent / "demo_scenario.gpkg"
CRS = "EPSG:3067"

SCHOOL_PATH = shapely.LineString([
    (386211.26, 6672409.95),   # on the lit street south-east of the school
    (386150.25, 6672476.27),   # Kaisaniemen ala-aste (the school's point in OSM)
    (386151.02, 6672458.86),   # the school's service road
])
LAMPS = (
    shapely.Point(385610.0, 6671815.9),
    shapely.Point(385604.8, 6671824.3),
    shapely.Point(385599.6, 6671832.7),
)
BLOCK = shapely.box(386120.0, 6672320.0, 386180.0, 6672370.0)


def demo_scenario() -> Scenario:
    """The demo scenario (see the module doc)."""
    return Scenario(
        "Lit school routes and 300 homes in Kaisaniemi",
        (
            NewPath(SCHOOL_PATH, lit=True, kind="footway",
                    name="Lit footway to Kaisaniemen ala-aste"),
            Lighting(lamps=LAMPS),
            Densify(BLOCK, dwellings=300, name="Kaisaniemi infill, 300 dwellings"),
        ),
        description=("A lit footway to Kaisaniemen ala-aste, three lamps on the unlit footway at "
                     "Ressun lukio, and 300 dwellings in Kaisaniemi (geoplan demo scenario)."),
        crs=CRS,
    )


def main(argv: list[str]) -> int:
    write_scenario(demo_scenario(), OUT)
    print(f"written: {OUT}")
    if "--check" in argv:
        from geoplan.config import parse_pipeline
        from geoplan.datasets import DEMO_PIPELINE
        from geoplan.runs.pipeline import study_from_pipeline
        from geoplan.scenario import apply_scenario, change_table, prepare_baseline, recompute
        from geoplan.scenario.io import read_scenario

        cfg = parse_pipeline(DEMO_PIPELINE, Path.cwd(), source="demo")
        base = prepare_baseline(study_from_pipeline(cfg))
        applied = apply_scenario(read_scenario(OUT), base.inputs)
        after, stats = recompute(base, applied)
        t = change_table(base.layers, after, inputs=applied.inputs)
        print(stats)
        print(t[t["change"].abs() > 1e-9][["label", "before", "after", "change"]].to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
