"""Area summaries (issue 13, items 9 and 10): network and safety measures are weighted by path
length or area, so an area without residents still has them; population-weighted figures beside
them; ``cells`` counts the cells; a layer that misses the study area or repeats keys is refused.

The oracle is hand arithmetic on a toy grid (drawn below) with shares from shapely.

    y=100 +--------+--------+--------+--------+
          | c0     | c1     | c2     | c3     |    A = x 0..200 (c0, c1)
          | pop 10 | pop 30 | pop 0  | pop 0  |    B = x 250..400 (half of c2, all of c3)
        0 +--------+--------+--------+--------+
          0       100      200      300      400
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.errors import AreaError
from geoplan.indicators.equity import STUDY_AREA_KEY, area_summary


@pytest.fixture()
def toy():
    cells = [shapely.box(x, 0, x + 100, 100) for x in (0, 100, 200, 300)]
    grid = gpd.GeoDataFrame({
        "pop": [10.0, 30.0, 0.0, 0.0],
        "dist_school_m": [100.0, 300.0, 50.0, 60.0],
        "path_m": [200.0, 100.0, 400.0, 100.0],
        "lit_share": [1.0, 0.0, 0.25, 1.0],
        "safety_index": [80.0, 40.0, 20.0, 60.0],
        "lamp_count": [4.0, 0.0, 2.0, 6.0],
    }, geometry=cells, index=pd.Index(["c0", "c1", "c2", "c3"], name="cell_id"), crs=3006)
    areas = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[
        shapely.box(0, 0, 200, 100), shapely.box(250, 0, 400, 100)], crs=3006)
    return grid, areas


def _row(s, code):
    return s.loc[s["code"] == code].iloc[0]


def test_area_without_residents_keeps_its_network_and_safety_measures(toy):
    grid, areas = toy
    s = area_summary(grid, areas, key="code")
    b = _row(s, "B")
    # shares of each cell inside B by shapely, not by the code under test
    share = np.array([shapely.intersection(c, areas.geometry[1]).area / c.area
                      for c in grid.geometry])
    assert share.tolist() == [0.0, 0.0, 0.5, 1.0]
    assert b["pop"] == 0.0
    assert b["cells"] == 2  # it covers two cells, though nobody lives there
    assert b["area_m2"] == pytest.approx(15000.0)
    # length-weighted lit share: lit metres / metres of path inside B
    lit_m = 0.5 * 400 * 0.25 + 1.0 * 100 * 1.0
    assert b["lit_share"] == pytest.approx(lit_m / (0.5 * 400 + 100))
    # area-weighted safety index and lamp count: 5000 m² of c2, 10000 m² of c3
    assert b["safety_index"] == pytest.approx((5000 * 20 + 10000 * 60) / 15000)
    assert b["lamp_count"] == pytest.approx((5000 * 2 + 10000 * 6) / 15000)
    # nobody lives there: the residents' figures are empty, not zero
    assert np.isnan(b["safety_index_pop_mean"]) and np.isnan(b["dist_school_m"])
    assert "lamp_count_pop_mean" not in s.columns  # counts have no population figure


def test_population_weighted_figures_beside_the_network_measures(toy):
    grid, areas = toy
    s = area_summary(grid, areas, key="code")
    a = _row(s, "A")
    assert a["pop"] == 40.0 and a["cells"] == 2
    assert a["safety_index_pop_mean"] == pytest.approx((10 * 80 + 30 * 40) / 40)
    assert a["safety_index"] == pytest.approx((80 + 40) / 2)  # equal areas
    assert a["lit_share_pop_mean"] == pytest.approx(10 / 40)
    assert a["lit_share"] == pytest.approx(200 / 300)
    assert a["dist_school_m"] == 300.0  # population-weighted median (30 of 40 at 300 m)
    whole = _row(s, STUDY_AREA_KEY)
    assert whole["cells"] == 4
    assert whole["lit_share"] == pytest.approx((200 + 0 + 100 + 100) / 800)


def test_areas_that_miss_the_study_area_are_refused_with_the_share(toy):
    grid, areas = toy
    far = areas.assign(geometry=[shapely.box(10_000, 0, 10_100, 100),
                                 shapely.box(10_200, 0, 10_300, 100)])
    with pytest.raises(AreaError, match=r"covers 0\.00% of the study area .*at least 1% is "
                                        r"needed.*choose the areas of this study area"):
        area_summary(grid, far, key="code")
    # a sliver below the threshold: 0.5 % of the 40 000 m² study area
    from geoplan.sources.area import MIN_AREAS_OVERLAP_SHARE

    sliver = areas.iloc[:1].assign(geometry=[shapely.box(0, 0, 2, 100)])
    assert 200 / 40_000 < MIN_AREAS_OVERLAP_SHARE
    with pytest.raises(AreaError, match=r"covers 0\.50% of the study area"):
        area_summary(grid, sliver, key="code")


def test_duplicate_and_empty_keys_are_listed(toy):
    grid, areas = toy
    three = pd.concat([areas, areas.iloc[:1]], ignore_index=True)
    with pytest.raises(AreaError, match=r"repeats 'A' \(2 areas\).*own key"):
        area_summary(grid, three, key="code")
    with pytest.raises(AreaError, match=r"1 area\(s\) have no value in the key column 'code'"):
        area_summary(grid, areas.assign(code=["A", None]), key="code")


def test_check_summary_areas_share_is_the_covered_part_of_the_study_area():
    from geoplan.sources.area import check_summary_areas

    study = shapely.box(0, 0, 100, 100)
    areas = gpd.GeoDataFrame({"k": [1, 2]}, geometry=[shapely.box(-50, 0, 50, 100),
                                                      shapely.box(0, 0, 50, 50)], crs=3006)
    # overlapping areas count once: the covered part is x 0..50
    assert check_summary_areas(areas, study, key="k") == pytest.approx(0.5)
