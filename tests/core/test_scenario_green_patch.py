"""Edits near green space on the patched stored graphs (#15, session 23): a new path into,
across or up to a park adds entries to it, which are patched into the baseline's
green graph instead of rebuilding every graph.

Oracle: ``compute_layers`` on the edited study (the full recompute: it finds the entries and
builds every graph from scratch), compared cell by cell on every column; and
:func:`~geoplan.study.study_green` of the edited study, to check each case does add entries.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import test_scenario_local as local

from geoplan.scenario import apply_scenario, recompute
from geoplan.study import compute_layers, study_green
from geoplan.types import Densify, NewPath, Scenario

# the ~3,000-node synthetic municipality's baseline and the cell-by-cell comparison
synth_base = local.synth_base


def _park(base):
    return base.spaces.geometry.values[base.spaces["area_ha"].to_numpy().argmax()]


def _node_near(base, xy) -> np.ndarray:
    nodes = shapely.get_coordinates(base.inputs.network.nodes.geometry.values)
    return nodes[((nodes - np.asarray(xy)) ** 2).sum(axis=1).argmin()]


def _scenario(base, *edits) -> Scenario:
    return Scenario("near a park", edits, crs=base.inputs.network.crs)


def _into(base) -> Scenario:
    # from the node nearest the park's centre to one 200 m east: it crosses the outline once
    a = _node_near(base, shapely.get_coordinates(_park(base).centroid)[0])
    return _scenario(base, NewPath(shapely.LineString([a, _node_near(base, a + (200, 0))]),
                                   lit=True))


def _across(base) -> Scenario:
    # from a node west of the park to one east of it, through its middle
    x0, y0, x1, y1 = _park(base).bounds
    a, b = _node_near(base, (x0 - 60, (y0 + y1) / 2)), _node_near(base, (x1 + 60, (y0 + y1) / 2))
    return _scenario(base, NewPath(shapely.LineString([a, b]), lit=False))


def _to_the_edge(base) -> Scenario:
    # from a node outside the park to the nearest point of its outline (it ends there)
    park = _park(base)
    nodes = shapely.get_coordinates(base.inputs.network.nodes.geometry.values)
    gap = shapely.distance(shapely.points(nodes), park)
    a = nodes[np.flatnonzero((gap > 40) & (gap < 120))[0]]
    end = shapely.get_coordinates(shapely.shortest_line(shapely.Point(a), park.boundary))[1]
    return _scenario(base, NewPath(shapely.LineString([a, end]), lit=True))


def _into_and_densify(base) -> Scenario:
    # the path into the park and 80 dwellings in the populated cell nearest its start, as
    # the demo scenario combines them
    path = _into(base).edits[0]
    cells = base.inputs.cells
    start = shapely.Point(shapely.get_coordinates(path.geometry)[0])
    near = cells[cells["pop"] > 0].distance(start).sort_values().index[0]
    return _scenario(base, path, Densify(cells.geometry[near].buffer(-10), dwellings=80))


@pytest.mark.parametrize("make", [_into, _across, _to_the_edge, _into_and_densify],
                         ids=["into", "across", "to_the_edge", "into_and_densify"])
def test_edits_near_a_park_patch_the_green_graph_exactly(synth_base, make):
    applied = apply_scenario(make(synth_base), synth_base.inputs)
    _, entries = study_green(applied.inputs)
    assert len(entries) > len(synth_base.entries)  # the case adds entries to the park
    after, stats = recompute(synth_base, applied)
    assert stats.mode == "incremental" and stats.graphs == "patched"
    full = compute_layers(applied.inputs)
    local._equal_cell_by_cell(after, full)
    assert after.meta.get("green_spaces_without_entry") == full.meta.get(
        "green_spaces_without_entry")
