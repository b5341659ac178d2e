"""The scenario's safety update on the demo (issue #15, session 25): the dark stretches found
again only where the edit touches them, and the green entries carried to the edited network,
each against the full computation on the edited study.

Oracles: :func:`geoplan.indicators.safety.dark_stretch_m` of the whole edited network, edge by
edge; :func:`geoplan.indicators.green.entries_attachment` carried by
:func:`geoplan.routing.carry_attachment` and the entries' points made again from it (the code
before this session); the safety columns of ``compute_layers`` on the edited study, cell by cell.
"""

from __future__ import annotations

import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.indicators.green import entries_attachment
from geoplan.indicators.safety import SAFETY_COLUMNS, dark_stretch_m
from geoplan.routing import carry_attachment
from geoplan.scenario import apply_scenario, recompute
from geoplan.scenario.io import read_scenario
from geoplan.study import compute_layers, pin_attachment
from geoplan.types import Lighting, NewPath, Scenario


def _scenarios(base) -> list[Scenario]:
    """The demo's scenario file, an unlit and a lit path between two nodes 120-200 m apart,
    and the lighting of the three dark edges nearest to the network's middle (it cuts their
    stretches)."""
    net = base.inputs.network
    xy = shapely.get_coordinates(np.asarray(net.nodes.geometry.values))
    mid = xy.mean(axis=0)
    a = int(np.argmin(((xy - mid) ** 2).sum(axis=1)))
    d = np.hypot(*(xy - xy[a]).T)
    b = int(np.flatnonzero((d > 120) & (d < 200))[0])
    line = shapely.LineString([xy[a], xy[b]])
    dark = np.flatnonzero((net.edges["lit"] == "no").to_numpy())
    centre = shapely.get_coordinates(shapely.centroid(np.asarray(
        net.edges.geometry.values[dark])))
    lit = dark[np.argsort(((centre - mid) ** 2).sum(axis=1))[:3]]
    return [read_scenario("data/demo_scenario.gpkg"),
            Scenario("dark", (NewPath(line, lit=False),), crs=net.crs),
            Scenario("lit", (NewPath(line, lit=True),), crs=net.crs),
            Scenario("relight", (Lighting(edge_ids=tuple(int(i) for i in lit)),), crs=net.crs)]


@pytest.fixture(scope="module")
def cases(demo_baseline):
    _, base = demo_baseline
    rec = sys.modules["geoplan.scenario.recompute"]
    seen = []
    original = rec._dark_stretch

    def spy(ctx):
        ds = original(ctx)
        seen.append((ds[0], ctx.net))
        return ds

    rec._dark_stretch = spy
    try:
        out = []
        for s in _scenarios(base):
            applied = apply_scenario(s, base.inputs)
            out.append((s.name, applied, recompute(base, applied)[0]))
    finally:
        rec._dark_stretch = original
    return base, out, seen


def test_dark_stretches_equal_the_whole_networks(cases):
    _, out, seen = cases
    assert len(seen) == len(out)
    for ds, net in seen:
        full = dark_stretch_m(net)
        assert np.array_equal(ds, full)
    assert any((ds > 0).sum() for ds, _ in seen)


def test_carried_entries_equal_the_points_made_again(cases):
    base, out, _ = cases
    pinned = base.inputs.attachment.green
    for _, applied, _ in out:
        net = applied.inputs.network
        got = pin_attachment(base.inputs, net, applied.edge_parent).green
        att = carry_attachment(entries_attachment(pinned), net, applied.edge_parent)
        want = gpd.GeoDataFrame(
            pinned.drop(columns="geometry").assign(edge=att.edge, offset_m=att.offset_m),
            geometry=shapely.points(att.on_edge_xy), crs=net.crs)
        assert list(got.columns) == list(want.columns)
        pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                      pd.DataFrame(want.drop(columns="geometry")))
        assert shapely.equals_exact(np.asarray(got.geometry.values),
                                    np.asarray(want.geometry.values), tolerance=0).all()
        assert got.crs == want.crs


def test_safety_columns_equal_the_full_recompute(cases):
    _, out, _ = cases
    for name, applied, after in out:
        full = compute_layers(applied.inputs).grid
        cols = [c for c in SAFETY_COLUMNS if c in full.columns]
        pd.testing.assert_frame_equal(after.grid[cols], full[cols], check_exact=True,
                                      obj=name)
