"""A scenario's grid is made once from its baseline's (issue #15): the changed rows written
into copies of the changed columns, every other column the baseline's, not copied
(:func:`geoplan.scenario.recompute._grid`).

Oracle: the full recompute (``compute_layers`` on the edited study) for the values, columns,
order and meta; and the baseline's grid, which no write into a scenario's grid may change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.scenario import apply_scenario, prepare_baseline, recompute
from geoplan.study import compute_layers, example_study
from geoplan.types import Densify, NewPath, Scenario


def _scenarios(study) -> dict:
    crs = study.network.crs
    return {
        "lit detour": Scenario("lit detour", (NewPath(
            shapely.LineString([(100, 0), (150, -30), (200, 0)]), lit=True),), crs=crs),
        "densify": Scenario("homes", (Densify(shapely.box(0, 0, 100, 100), residents=50),),
                            crs=crs),
    }


@pytest.mark.parametrize("name", ["lit detour", "densify"])
def test_scenario_grid_equals_the_full_recompute_and_leaves_the_baseline_as_it_was(name):
    study = example_study()
    base = prepare_baseline(study)
    before = base.layers.grid.copy()
    applied = apply_scenario(_scenarios(study)[name], base.inputs)
    after, stats = recompute(base, applied)
    assert (stats.mode, stats.graphs) == ("incremental",
                                          "stored" if name == "densify" else "patched")
    full = compute_layers(applied.inputs)
    assert list(after.grid.columns) == list(full.grid.columns)
    assert after.grid.crs == full.grid.crs and after.grid.geometry.name == "geometry"
    pd.testing.assert_frame_equal(pd.DataFrame(after.grid), pd.DataFrame(full.grid),
                                  check_exact=False, rtol=1e-12, atol=1e-9)
    assert dict(after.meta) == dict(full.meta)
    if name == "densify":  # the edited cells' own columns
        assert after.grid["pop"].tolist() == [60.0, 20.0]
    # every column written into, in place: the baseline's grid stays as it was
    grid = after.grid
    for j, col in enumerate(grid.columns):
        if pd.api.types.is_float_dtype(grid[col].dtype):
            grid.iloc[0, j] = -1.0
    pd.testing.assert_frame_equal(base.layers.grid, before)
    assert not np.isclose(grid["dist_school_m"].iloc[0], before["dist_school_m"].iloc[0])
