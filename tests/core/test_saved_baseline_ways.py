"""A saved scenario baseline leaves the study's raw OSM ways out (session 25: a scenario starts
from the built network; they were ~0.5 MB and 3 ms of loading on the demo), and what it holds
otherwise is the baseline as prepared."""

from __future__ import annotations

import pandas as pd

from geoplan.scenario.recompute import load_baseline, save_baseline


def test_saved_baseline_has_no_ways_and_the_rest(demo_baseline, tmp_path):
    _, base = demo_baseline
    assert len(base.inputs.data.ways)  # (the study has ways to leave out)
    save_baseline(base, tmp_path / "b.pkl")
    got = load_baseline(tmp_path / "b.pkl")
    ways = got.inputs.data.ways
    assert len(ways) == 0 and list(ways.columns) == list(base.inputs.data.ways.columns)
    assert len(base.inputs.data.ways)  # the baseline in memory keeps them
    pd.testing.assert_frame_equal(got.layers.grid, base.layers.grid, check_exact=True)
    pd.testing.assert_frame_equal(pd.DataFrame(got.inputs.network.edges),
                                  pd.DataFrame(base.inputs.network.edges), check_exact=True)
    assert got.inputs.lamps is got.inputs.data.lamps
