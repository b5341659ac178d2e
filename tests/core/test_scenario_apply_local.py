"""``apply_scenario`` at the cost of the edit (#15): the edited network keeps the baseline's
edge ids, the baseline's points are carried only where their edge was cut, and densification
updates residents from the baseline's state.

Oracles: the baseline's own rows and geometries (an edge no edit touched is the same row under
the same id), shapely's ``line_locate_point`` on the piece a point is carried to, and
``compute_layers`` on the edited study (the full recompute) cell by cell.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.scenario import apply_scenario, prepare_baseline, recompute
from geoplan.study import Study, compute_layers, example_study
from geoplan.types import Densify, NewPath, Scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synth_base():
    """The baseline of a synthetic municipality of ~3,000 nodes (benchmarks/synth.py)."""
    spec = importlib.util.spec_from_file_location("_synth", ROOT / "benchmarks" / "synth.py")
    synth = sys.modules.setdefault("_synth", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(synth)
    s = synth.municipality(3000, seed=11)
    return prepare_baseline(Study(s.data, s.network, s.cells, spec=s.spec))


def _cutting_path(study) -> Scenario:
    """A lit path whose ends join edges 0 and 1 of the example network mid-edge, at x = 50
    and x = 150 (both edges are cut; edge 2, 1-3, is not)::

        0 ----- a ----- 1 ----- b ----- 2        a = (50, 0), b = (150, 0)
                |               |
                +---------------+  y = -40
    """
    line = shapely.LineString([(50, 0), (50, -40), (150, -40), (150, 0)])
    return Scenario("cut", (NewPath(line, lit=True),), crs=study.network.crs)


def test_edited_network_keeps_the_baseline_edge_ids():
    study = example_study()
    base = study.network.edges
    applied = apply_scenario(_cutting_path(study), study)
    edges, m0 = applied.inputs.network.edges, len(base)
    # edge 2 (1-3) is untouched: the same row under the same id; edges 0 and 1 are cut, their
    # first piece keeps their id and the second piece comes after the baseline's edges
    assert applied.edge_parent[:m0].tolist() == [0, 1, 2]
    assert applied.edge_split.tolist()[:m0] == [True, True, False]
    pd.testing.assert_frame_equal(edges.iloc[[2]].drop(columns="geometry"),
                                  base.iloc[[2]].drop(columns="geometry"))
    assert edges.geometry.values[2].equals(base.geometry.values[2])
    for i in (0, 1):
        pieces = np.flatnonzero(applied.edge_parent == i)
        assert pieces[0] == i and len(pieces) == 2 and pieces[1] >= m0
        assert edges["length_m"].to_numpy()[pieces].sum() == pytest.approx(100.0)
        assert shapely.union_all(edges.geometry.values[pieces]).equals(base.geometry.values[i])
    assert (applied.edge_parent[m0:] >= -1).all() and (applied.edge_parent < 0).sum() == 1


def _path_cutting_edges(base) -> Scenario:
    """A lit path between two points in the middle of the network, ~140 m apart, ending
    mid-edge (its ends join the nearest edge, cutting it)."""
    e = base.inputs.network.edges
    mid = shapely.get_coordinates(shapely.line_interpolate_point(e.geometry.values, 0.5,
                                                                 normalized=True))
    c = mid.mean(axis=0)
    a = mid[((mid - c) ** 2).sum(axis=1).argmin()]
    b = mid[((mid - a - (100, 100)) ** 2).sum(axis=1).argmin()]
    return Scenario("cut", (NewPath(shapely.LineString([a, b]), lit=True),),
                    crs=base.inputs.network.crs)


def test_carried_points_keep_their_edge_or_sit_on_their_piece(synth_base):
    applied = apply_scenario(_path_cutting_edges(synth_base), synth_base.inputs)
    assert applied.edge_split.any()
    edges = applied.inputs.network.edges
    nodes = shapely.get_coordinates(applied.inputs.network.nodes.geometry.values)
    for old, new in ((synth_base.origin_att, applied.inputs.attachment.origins),
                     (synth_base.dest_att, applied.inputs.attachment.destinations)):
        on = old.edge >= 0
        cut = np.zeros(len(old.edge), bool)
        cut[on] = applied.edge_split[old.edge[on]]
        # points on an edge no edit cut: the same edge id and offset as at the baseline
        assert np.array_equal(new.edge[~cut], old.edge[~cut])
        np.testing.assert_array_equal(new.offset_m[~cut], old.offset_m[~cut])
        # points on a cut edge: on a piece of it, at their distance along it from its u
        for k in np.flatnonzero(cut):
            piece = int(new.edge[k])
            assert applied.edge_parent[piece] == old.edge[k]
            line = edges.geometry.values[piece]
            p = shapely.Point(old.on_edge_xy[k])
            assert shapely.distance(line, p) < 1e-6
            along = shapely.line_locate_point(line, p)
            u_first = np.allclose(shapely.get_coordinates(line)[0],
                                  nodes[int(edges["u"].to_numpy()[piece])])
            assert new.offset_m[k] == pytest.approx(along if u_first else line.length - along,
                                                    abs=1e-6)


def _corner_blocks(base) -> Scenario:
    """Two densified blocks, each over the corner of four cells with residents (so it spreads
    over them), one near the middle and one farther out."""
    cells = base.inputs.cells
    lived = cells[cells["pop"] > 0]
    corners = shapely.get_coordinates(lived.geometry.values)
    mid = corners.mean(axis=0)
    order = np.argsort(((corners - mid) ** 2).sum(axis=1))
    a, b = corners[order[0]], corners[order[len(order) // 3]]
    return Scenario("corners", (Densify(shapely.box(*(a - 30), *(a + 30)), residents=120),
                                Densify(shapely.box(*(b - 20), *(b + 40)), residents=80)),
                    crs=base.inputs.network.crs)


def test_densify_over_several_cells_equals_full_recompute(synth_base):
    applied = apply_scenario(_corner_blocks(synth_base), synth_base.inputs)
    assert (applied.pop_delta > 0).sum() >= 5
    assert applied.pop_delta.sum() == pytest.approx(200.0)
    after, stats = recompute(synth_base, applied)
    assert stats.mode == "incremental" and stats.graphs == "stored"
    full = compute_layers(applied.inputs)
    pd.testing.assert_frame_equal(after.grid, full.grid, check_exact=False, rtol=1e-9,
                                  atol=1e-9)
    if full.areas is not None:
        pd.testing.assert_frame_equal(after.areas, full.areas, check_exact=False, rtol=1e-9,
                                      atol=1e-9)
    changed = ~np.isclose(after.grid["green_m2_per_capita"],
                          synth_base.layers.grid["green_m2_per_capita"], equal_nan=True)
    assert 0 < changed.sum() <= stats.cells["green"]
