"""Safety of a scenario from the baseline's dark stretches (issue #15: the stretches the edit
touches are found again, the others kept): a dark path that joins two dark stretches, and
lighting that cuts one in two, on a synthetic municipality of ~3,000 nodes.

Oracle: ``compute_layers`` on the edited study (the full recompute: the dark stretches of the
whole edited network by :func:`geoplan.indicators.safety.dark_stretch_m`), cell by cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from geoplan.indicators.safety import SAFETY_COLUMNS
from geoplan.scenario import apply_scenario, recompute
from geoplan.study import compute_layers
from geoplan.types import Lighting, NewPath, Scenario


@pytest.fixture(scope="module")
def base(synth_3000_baseline):
    return synth_3000_baseline


def _dark_components(base) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dark edge positions, their stretch label, each stretch's edge count), by scipy."""
    e = base.inputs.network.edges
    dark = np.flatnonzero((e["lit"] == "no").to_numpy())
    u, v = e["u"].to_numpy()[dark], e["v"].to_numpy()[dark]
    n = len(base.inputs.network.nodes)
    _, label = connected_components(sp.coo_matrix((np.ones(len(dark)), (u, v)), shape=(n, n)),
                                    directed=False)
    return dark, label[u], np.bincount(label[u])


def _dark_join(base) -> Scenario:
    # an unlit path between the ends of two different dark stretches, 60-200 m apart, each of
    # at least two edges
    e = base.inputs.network.edges
    dark, lab, size = _dark_components(base)
    xy = shapely.get_coordinates(base.inputs.network.nodes.geometry.values)
    big = dark[size[lab] >= 2]
    ends = e["u"].to_numpy()[big]
    mid = xy.mean(axis=0)
    order = np.argsort(((xy[ends] - mid) ** 2).sum(axis=1))
    for i in order[:200]:
        d = np.hypot(*(xy[ends] - xy[ends[i]]).T)
        other = np.flatnonzero((d > 60) & (d < 200)
                               & (lab[size[lab] >= 2] != lab[size[lab] >= 2][i]))
        if len(other):
            line = shapely.LineString([xy[ends[i]], xy[ends[other[0]]]])
            return Scenario("dark join", (NewPath(line, lit=False),),
                            crs=base.inputs.network.crs)
    raise AssertionError("no two dark stretches 60-200 m apart")


def _dark_cut(base) -> Scenario:
    # light the middle edge of the longest dark stretch: it falls into shorter ones
    dark, lab, size = _dark_components(base)
    members = dark[lab == size.argmax()]
    return Scenario("dark cut", (Lighting(edge_ids=(int(members[len(members) // 2]),)),),
                    crs=base.inputs.network.crs)


@pytest.mark.parametrize("make", [_dark_join, _dark_cut], ids=["join", "cut"])
def test_dark_stretches_of_the_edit_equal_the_full_recompute(base, make):
    applied = apply_scenario(make(base), base.inputs)
    after, stats = recompute(base, applied)
    assert stats.mode == "incremental"
    full = compute_layers(applied.inputs)
    cols = list(SAFETY_COLUMNS)
    pd.testing.assert_frame_equal(after.grid[cols], full.grid[cols], check_exact=False,
                                  rtol=1e-9, atol=1e-9)
    moved = full.grid["longest_dark_m"].to_numpy() != base.layers.grid["longest_dark_m"].to_numpy()
    assert moved.any()  # the edit changed some cell's longest dark stretch
