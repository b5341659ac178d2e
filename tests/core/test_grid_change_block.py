"""``change_layers``' ``grid_change`` built as one block: values by hand on a three-cell toy
(an unreachable distance, a yes/no column, a cell only after the scenario, a nullable count)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.scenario.change import _grid_change


def _grid(ids, **cols):
    return gpd.GeoDataFrame(cols, geometry=[shapely.box(i, 0, i + 1, 1) for i in
                                            range(len(ids))], crs=3006,
                            index=pd.Index(ids, name="cell_id"))


def test_grid_change_by_hand():
    before = _grid(["a", "b"], pop=[10.0, 20.0], dist_school_m=[np.inf, 300.0],
                   green_scb_300m=[False, True], lamp_count=pd.array([1, None], dtype="Int64"),
                   easting_m=[0.0, 1.0])
    after = _grid(["a", "b", "c"], pop=[10.0, 25.0, 5.0], dist_school_m=[200.0, 250.0, np.inf],
                  green_scb_300m=[True, True, False],
                  lamp_count=pd.array([3, 2, None], dtype="Int64"), easting_m=[0.0, 1.0, 2.0])
    gc = _grid_change(before, after)
    assert list(gc.columns) == [
        "cell_id", "pop_before", "pop_after", "pop_change", "dist_school_m_before",
        "dist_school_m_after", "dist_school_m_change", "green_scb_300m_before",
        "green_scb_300m_after", "green_scb_300m_change", "lamp_count_before",
        "lamp_count_after", "lamp_count_change", "geometry"]
    assert gc["cell_id"].tolist() == ["a", "b", "c"]

    def values(col):
        return [None if pd.isna(v) else v for v in gc[col].tolist()]

    assert values("pop_change") == [0.0, 5.0, None]  # c has no "before"
    assert values("dist_school_m_before") == [None, 300.0, None]  # unreachable -> NULL
    assert values("dist_school_m_change") == [None, -50.0, None]
    assert str(gc["green_scb_300m_change"].dtype) == "Int8"
    assert values("green_scb_300m_before") == [0, 1, None]
    assert values("green_scb_300m_change") == [1, 0, None]
    assert values("lamp_count_change") == [2.0, None, None]  # a NULL count stays NULL
    assert gc.geometry.equals(after.geometry.reset_index(drop=True))
    assert not any(isinstance(v, float) and math.isinf(v) for v in gc.drop(
        columns="geometry").to_numpy().ravel())
