"""The medians of a scenario's summaries from the baseline's sorted columns (issue #15, session
25): :func:`geoplan.indicators.equity.stable_order_after` against numpy's stable sort, and
:func:`~geoplan.indicators.equity.weighted_median` with that order against the median sorted
anew, on values with ties, NaN, ±inf and zero weights."""

from __future__ import annotations

import numpy as np
import pytest

from geoplan.indicators.equity import column_orders, stable_order_after, weighted_median


def _values(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.choice([0.0, 1.0, 2.5, 100.0, np.inf, -np.inf, np.nan, -0.0], size=n)
    odd = rng.random(n) < 0.5
    v[odd] = rng.normal(size=odd.sum()).round(1)  # more ties
    return v


@pytest.mark.parametrize("seed", range(40))
def test_order_after_a_change_equals_a_stable_sort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    v0 = _values(rng, n)
    v1 = v0.copy()
    changed = np.sort(rng.choice(n, size=int(rng.integers(0, n + 1)), replace=False)) if n else (
        np.array([], np.int64))
    v1[changed] = _values(rng, len(changed))
    got = stable_order_after(np.argsort(v0, kind="stable"), v1, changed)
    assert got.tolist() == np.argsort(v1, kind="stable").tolist()
    w = rng.choice([0.0, 1.0, 0.3, 7.0], size=n)
    same = weighted_median(v1, w, got), weighted_median(v1, w)
    assert same[0] == same[1] or (np.isnan(same[0]) and np.isnan(same[1]))


def test_column_orders_follow_the_values_given():
    import pandas as pd

    base = pd.DataFrame({"d": [3.0, 1.0, np.nan, 1.0]})
    order = column_orders(base)
    assert order("d", np.array([3.0, 1.0, np.nan, 1.0])).tolist() == [1, 3, 0, 2]
    assert order("d", np.array([0.5, 1.0, 1.0, np.inf])).tolist() == [0, 1, 2, 3]
    assert order("d", np.zeros(3)) is None and order("e", np.zeros(4)) is None


@pytest.mark.parametrize("change", ["one column", "pop", "path", "nothing"])
def test_summary_from_the_baseline_equals_the_summary_made_anew(change):
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geoplan.indicators.equity import area_summary

    rng = np.random.default_rng(7)
    n = 400
    g0 = gpd.GeoDataFrame(
        {"pop": rng.choice([0.0, 3.0, 12.5], n), "path_m": rng.choice([0.0, 80.0, 230.0], n),
         "dist_school_m": _values(rng, n), "lit_share": rng.random(n),
         "safety_index": rng.normal(50, 10, n), "lamp_count": rng.integers(0, 4, n) * 1.0,
         "green_scb_300m": rng.random(n) < 0.4},
        geometry=[shapely.box(i * 100, 0, i * 100 + 100, 100) for i in range(n)],
        crs="EPSG:3006", index=pd.Index([f"c{i}" for i in range(n)], name="cell_id"))
    empty = gpd.GeoDataFrame({"area": pd.Series([], dtype=object)},
                             geometry=gpd.GeoSeries([], crs=g0.crs), crs=g0.crs)
    sb = area_summary(g0, empty, key="area")
    g1 = g0.copy()
    at = rng.choice(n, 30, replace=False)
    col = {"one column": "dist_school_m", "pop": "pop", "path": "path_m"}.get(change)
    if col is not None:
        g1.iloc[at, g1.columns.get_loc(col)] = g1[col].to_numpy()[at] + 1.5
    got = area_summary(g1, empty, key="area", orders=column_orders(g0),
                       baseline_row=pd.DataFrame(sb).iloc[-1].to_dict())
    want = area_summary(g1, empty, key="area")
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(want), check_exact=True)
