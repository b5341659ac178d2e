"""Indicators computed on a selection of cells (what a scenario's recompute asks for) equal the
same rows of the computation on every cell — on the demo study (real OSM data), both from one
distance block for the selected cells (pairs.py) and tile by tile (a block too large)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoplan.errors import GeoplanError
from geoplan.indicators import pairs
from geoplan.indicators.access import access_indicators, attach_destinations, selected_rows
from geoplan.indicators.green import green_indicators
from geoplan.indicators.night import night_indicators
from geoplan.routing import attach_points
from geoplan.types import AccessSpec

SPEC = AccessSpec(categories=("school", "grocery", "transit_stop"), radii_m=(400.0, 800.0))


@pytest.fixture(scope="module")
def full(helsinki_study):
    data, net, cells, origins = helsinki_study
    o_att = attach_points(net, origins, max_snap_m=SPEC.max_snap_m)
    d_att = attach_destinations(net, data.destinations, SPEC)[1]
    day = access_indicators(net, origins, data.destinations, SPEC, origin_att=o_att,
                            dest_att=d_att)
    night = night_indicators(net, origins, data.destinations, SPEC, day=day, origin_att=o_att,
                             dest_att=d_att)
    green = green_indicators(net, origins, data.green, cells["pop"], SPEC, origin_att=o_att)
    return (o_att, d_att), {"day": day, "night": night, "green": green}


def _some_cells(origins) -> np.ndarray:
    sel = np.zeros(len(origins), bool)
    sel[::7] = True
    sel[len(origins) // 2: len(origins) // 2 + 5] = True
    return sel


@pytest.mark.parametrize("one_block", [True, False], ids=["block", "tiles"])
def test_each_indicator_on_a_selection_equals_those_rows_of_all(helsinki_study, full, one_block,
                                                                monkeypatch):
    blocks = []
    make = pairs.pair_block

    def recorded(*args, **kwargs):
        blocks.append(make(*args, **kwargs))
        return blocks[-1]

    for mod in ("access", "night", "green"):
        monkeypatch.setattr(f"geoplan.indicators.{mod}.pair_block", recorded)
    if not one_block:
        monkeypatch.setattr(pairs, "PAIR_BLOCK_MAX_CELLS", 0)
    data, net, cells, origins = helsinki_study
    (o_att, d_att), whole = full
    sel = _some_cells(origins)
    parts = {
        "day": access_indicators(net, origins, data.destinations, SPEC, origin_att=o_att,
                                 dest_att=d_att, selection=sel),
        "night": night_indicators(net, origins, data.destinations, SPEC, day=whole["day"],
                                  origin_att=o_att, dest_att=d_att, selection=sel),
        "green": green_indicators(net, origins, data.green, cells["pop"], SPEC,
                                  origin_att=o_att, selection=origins.index[sel].tolist()),
    }
    for name, part in parts.items():
        assert list(part.index) == list(origins.index[sel]), name
        pd.testing.assert_frame_equal(part, whole[name][sel], check_exact=False, rtol=1e-12,
                                      atol=1e-12, obj=name)
    assert parts["green"].attrs["n_green_spaces"] == whole["green"].attrs["n_green_spaces"]
    # access, night and green each made a block (or each found it too large)
    assert len(blocks) == 3 and all((b is not None) == one_block for b in blocks)


def test_a_bad_selection_says_how_to_fix_it(helsinki_study):
    origins = helsinki_study[3]
    with pytest.raises(GeoplanError, match="one flag per origin"):
        selected_rows(origins, np.ones(3, bool))
    with pytest.raises(GeoplanError, match="not an origin's cell id"):
        selected_rows(origins, ["no such cell"])
