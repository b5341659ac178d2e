"""Scenario semantics (issue 13, items 6-7): untouched cells keep their safety values, new homes
are eyes on the street wherever they are, change tables count people once. (Item 8, a scenario
with no edits gives `run` back in every column with a findings-weighted index, is
tests/pipelines/test_scenario_equals_run.py.)

Oracles: hand-derived toy values and plain pandas/numpy recounts from the before/after grids
(never the change-table code under test).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.indicators.safety import SAFETY_COLUMNS
from geoplan.scenario import apply_scenario, change_table, prepare_baseline, recompute
from geoplan.scenario.io import read_scenario
from geoplan.study import compute_layers, example_study
from geoplan.types import Densify, Lighting, NewPath, Scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "demo_scenario.gpkg"
#: a cell this far from every edit cannot change its safety values (buildings and shops count
#: within 25 m of a path, a lamp within its cell, a dark stretch is the only long-range
#: measure and is excluded by checking it did not change)
FAR_M = 300.0


@pytest.fixture(scope="module")
def demo(demo_baseline):
    base = demo_baseline[1]  # computed once per session (tests/core/conftest.py)
    applied = apply_scenario(read_scenario(SCENARIO), base.inputs)
    return base, applied, recompute(base, applied)[0]


def _far_cells(applied) -> np.ndarray:
    """Cells more than FAR_M from every new path, new lamp, relit edge and densified cell."""
    edges = applied.inputs.network.edges
    touched = list(edges.geometry.values[(applied.edge_parent < 0) | applied.edge_relit])
    touched += list(applied.new_lamps.geometry.values)
    cells = applied.inputs.cells
    touched += list(cells.geometry.values[(applied.pop_delta > 0).to_numpy()])
    near = shapely.dwithin(np.asarray(cells.geometry.values, dtype=object),
                           shapely.union_all(touched), FAR_M)
    return ~near


# ------------------------------------------------------------------------------ item 6
def _far_safety_differs(base, applied, after) -> list:
    """Far cells (FAR_M, same dark stretch) whose safety columns are not bit-identical."""
    far = _far_cells(applied)
    g0 = base.layers.grid.loc[far, list(SAFETY_COLUMNS)]
    g1 = after.grid.loc[far, list(SAFETY_COLUMNS)]
    same_dark = (g0["longest_dark_m"] == g1["longest_dark_m"]).to_numpy()
    a, b = g0.to_numpy(float)[same_dark], g1.to_numpy(float)[same_dark]
    return g0.index[same_dark][(~((a == b) | (np.isnan(a) & np.isnan(b)))).any(axis=1)].tolist()


def test_cells_far_from_every_edit_keep_every_safety_value_bit_for_bit(demo):
    base, applied, after = demo
    far = _far_cells(applied)
    assert far.sum() > 50 and (~far).sum() > 50
    # the long dark stretches the scenario lit are the one legitimate long-range change
    same_dark = (base.layers.grid.loc[far, "longest_dark_m"]
                 == after.grid.loc[far, "longest_dark_m"]).to_numpy()
    assert same_dark.mean() > 0.95
    assert _far_safety_differs(base, applied, after) == []
    # and the full recompute of the edited study agrees (the scale travels with the study)
    full = compute_layers(applied.inputs).grid
    pd.testing.assert_frame_equal(after.grid[list(SAFETY_COLUMNS)],
                                  full[list(SAFETY_COLUMNS)], rtol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_random_lamps_and_homes_leave_far_cells_untouched(demo, seed):
    base = demo[0]
    rng = np.random.default_rng(seed)
    edges = base.inputs.network.edges
    x0, y0, x1, y1 = base.inputs.data.area.bounds
    lamps = tuple(edges.geometry.iloc[int(i)].interpolate(0.5, normalized=True)
                  for i in rng.integers(len(edges), size=3))
    cx, cy = x0 + rng.random() * (x1 - x0 - 80), y0 + rng.random() * (y1 - y0 - 80)
    s = Scenario(f"random {seed}", (Lighting(lamps=lamps), Densify(
        shapely.box(cx, cy, cx + 80, cy + 80), dwellings=float(rng.integers(20, 300)))),
        crs=base.inputs.network.crs)
    applied = apply_scenario(s, base.inputs)
    after, _ = recompute(base, applied)
    assert _far_safety_differs(base, applied, after) == []
    assert after.grid["pop"].sum() == pytest.approx(
        base.layers.grid["pop"].sum() + applied.pop_delta.sum())


def _one_home_study():
    """example_study with homes only in cell 0 (cell 1 has no building and nobody)."""
    import dataclasses

    s = example_study()
    data = dataclasses.replace(s.data, buildings=s.data.buildings.iloc[:1])
    return dataclasses.replace(s, data=data, cells=s.cells.assign(pop=[10.0, 0.0]))


def test_new_homes_are_eyes_on_the_street_where_there_were_no_homes():
    # Cell 1 (x 100..200) holds 100 m of path (edge 1-2 on its lower border; edge 1-3 on the
    # border x = 100 belongs to cell 0), no building and nobody. 100 new residents there are
    # 100 eyes per 100 m of path: eyes_on_street 100, eyes_residents 100.
    study = _one_home_study()
    base = prepare_baseline(study)
    assert base.layers.grid["path_m"].tolist() == [200.0, 100.0]
    assert base.layers.grid["eyes_residents"].tolist() == [10.0, 0.0]
    s = Scenario("homes", (Densify(shapely.box(100, 0, 200, 100), residents=100),),
                 crs=study.network.crs)
    after, _ = recompute(base, apply_scenario(s, base.inputs))
    assert after.grid["eyes_residents"].tolist() == [10.0, 100.0]
    assert after.grid["eyes_on_street"].tolist() == pytest.approx([5.0, 100.0])
    # cell 0 did not change: its index is the baseline's to the bit
    assert after.grid["safety_index"].iat[0] == base.layers.grid["safety_index"].iat[0]


# ------------------------------------------------------------------------------ item 7
def _recount(g0: pd.DataFrame, g1: pd.DataFrame, col: str, thr: float) -> dict:
    """Plain-pandas recount of a 'residents with a lit route' measure."""
    df = pd.DataFrame({"p0": g0["pop"], "p1": g1["pop"],
                       "n0": g0[col] <= thr, "n1": g1[col] <= thr})
    df["stay"] = df[["p0", "p1"]].min(axis=1)
    return {"before": df.loc[df.n0, "p0"].sum(), "after": df.loc[df.n1, "p1"].sum(),
            "gain": df.loc[df.n1 & ~df.n0, "stay"].sum(),
            "loss": df.loc[df.n0 & ~df.n1, "stay"].sum(),
            "new": (df.p1 - df.stay)[df.n1].sum(), "p0": df.p0.sum(), "p1": df.p1.sum()}


def _total(t: pd.DataFrame) -> pd.DataFrame:
    return t[t["area_key"] == "__study_area__"].set_index(["measure", "category"])


def test_residents_gaining_a_lit_route_are_counted_once_toy():
    # Cell 0 has 10 residents, cell 1 20; neither reaches the school by a lit route. A lit
    # detour gives both a lit route and 50 new residents move into cell 0: 30 residents who
    # lived there gain it (not 80), 50 new residents have it, 0 -> 80 in all.
    study = example_study()
    base = prepare_baseline(study)
    s = Scenario("detour and homes", (
        NewPath(shapely.LineString([(100, 0), (150, -30), (200, 0)]), lit=True),
        Densify(shapely.box(0, 0, 100, 100), residents=50)), crs=study.network.crs)
    after, _ = recompute(base, apply_scenario(s, base.inputs))
    t = _total(change_table(base.layers, after, inputs=study))
    key = "residents_night_access"
    assert (t.loc[(key, "school"), "before"], t.loc[(key, "school"), "after"]) == (0.0, 80.0)
    assert t.loc[(f"{key}_gain", "school"), "change"] == 30.0
    assert t.loc[(f"{key}_new", "school"), "change"] == 50.0
    assert (t.loc[("residents", ""), "before"], t.loc[("residents", ""), "after"]) == (30.0, 80.0)
    assert t.loc[("residents_staying", ""), "before"] == 30.0
    assert t.loc[("residents_new", ""), "change"] == 50.0


def test_change_table_recounts_from_the_grids_on_the_demo(demo):
    base, applied, after = demo
    thr = applied.inputs.spec.night_threshold_m
    t = _total(change_table(base.layers, after, inputs=applied.inputs))
    g0, g1 = base.layers.grid, after.grid
    cats = [c for c in applied.inputs.spec.categories if ("residents_night_access", c) in t.index]
    assert "school" in cats
    for c in cats:
        r = _recount(g0, g1, f"night_dist_{c}_m", thr)
        m = "residents_night_access"
        assert t.loc[(m, c), "before"] == pytest.approx(r["before"])
        assert t.loc[(m, c), "after"] == pytest.approx(r["after"])
        assert t.loc[(f"{m}_gain", c), "change"] == pytest.approx(r["gain"])
        assert t.loc[(f"{m}_loss", c), "change"] == pytest.approx(r["loss"])
        assert t.loc[(f"{m}_new", c), "change"] == pytest.approx(r["new"])
        # people are counted once: gainers never exceed who lived there
        assert r["gain"] <= r["p0"] - r["before"] + 1e-6
        assert r["before"] + r["gain"] - r["loss"] + r["new"] == pytest.approx(r["after"])
    assert t.loc[("residents", ""), "before"] == pytest.approx(g0["pop"].sum())
    assert t.loc[("residents", ""), "after"] == pytest.approx(g1["pop"].sum())


def test_distance_changes_under_25_m_do_not_count_as_better_or_worse(demo):
    base, applied, after = demo
    g0, g1 = base.layers.grid, after.grid
    cols = [c for c in g1.columns if c.startswith(("dist_", "night_dist_")) and c.endswith("_m")]
    d0, d1 = g0[cols].to_numpy(float), g1[cols].to_numpy(float)
    with np.errstate(invalid="ignore"):
        better = ((d1 < d0 - 25.0) | (np.isfinite(d1) & ~np.isfinite(d0))).any(axis=1)
        worse = ((d1 > d0 + 25.0) | (~np.isfinite(d1) & np.isfinite(d0))).any(axis=1)
        tiny = ((np.abs(d1 - d0) > 1e-6) & (np.abs(d1 - d0) <= 25.0)).any(axis=1)
    assert (tiny & ~better & ~worse).sum() > 10  # the demo has many sub-25 m moves
    t = _total(change_table(base.layers, after, inputs=applied.inputs))
    assert t.loc[("cells_access_better", ""), "change"] == better.sum()
    assert t.loc[("cells_access_worse", ""), "change"] == worse.sum()
    stay = np.minimum(g0["pop"].to_numpy(float), g1["pop"].to_numpy(float))
    assert t.loc[("residents_access_better", ""), "change"] == pytest.approx(stay[better].sum())
