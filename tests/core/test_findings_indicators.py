"""Findings in the safety layer (per cell, index component), the area summaries, the council map
and scenarios (which open findings new lamps or lit paths address)."""

from __future__ import annotations

import doctest

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geoplan.indicators.findings as ind
from geoplan.grid import GridSpec, make_grid
from geoplan.indicators.findings import (
    FINDINGS_CELL_COLUMNS,
    addressed_findings,
    apply_findings_to_safety,
    findings_area_summary,
    findings_map_layer,
    findings_per_cell,
)
from geoplan.sources.findings import CATEGORY_COLOURS, read_findings
from geoplan.types import SafetyWeights

CRS = "EPSG:3006"


def test_doctests():
    assert doctest.testmod(ind).failed == 0


def _findings(rows) -> gpd.GeoDataFrame:
    """rows: (id, category, severity, status, geometry)."""
    return gpd.GeoDataFrame(
        {"finding_id": [r[0] for r in rows], "category": [r[1] for r in rows],
         "severity": [r[2] for r in rows], "status": [r[3] for r in rows]},
        geometry=[r[4] for r in rows], crs=CRS)


@pytest.fixture
def cells():
    """Two 100 m cells side by side: a = [0,100]x[0,100], b = [100,200]x[0,100]."""
    return make_grid(shapely.box(0, 0, 200, 100), CRS, GridSpec(100))


def test_per_cell_points_once_lines_in_every_cell(cells):
    f = _findings([
        ("p1", "dark_spot", 3, "open", shapely.Point(50, 50)),
        ("p2", "broken_lamp", 2, "open", shapely.Point(100, 50)),  # on the border: first cell
        ("l1", "vegetation", 1, "open", shapely.LineString([(80, 20), (150, 20)])),
        ("l2", "tunnel", 2, "open", shapely.LineString([(0, 100), (90, 100)])),  # on an edge
        ("p3", "tunnel", 3, "fixed", shapely.Point(150, 50)),
        ("p4", "traffic", 3, "open", shapely.Point(900, 50)),  # outside every cell
    ])
    got = findings_per_cell(f, cells)
    assert list(got.columns) == list(FINDINGS_CELL_COLUMNS)
    assert list(got.index) == list(cells.index)
    assert got["findings_open"].tolist() == [4, 1]
    assert got["findings_severity_sum"].tolist() == [3 + 2 + 1 + 2, 1]
    assert got["findings_fixed"].tolist() == [0, 1]
    assert got["findings_open_dark_spot"].tolist() == [1, 0]
    assert got["findings_open_vegetation"].tolist() == [1, 1]
    assert got["findings_open_tunnel"].tolist() == [1, 0]
    assert got.attrs["outside"] == 1


def test_per_cell_reprojects_findings(cells):
    f = _findings([("p1", "dark_spot", 3, "open", shapely.Point(50, 50))]).to_crs(4326)
    assert findings_per_cell(f, cells)["findings_open"].tolist() == [1, 0]


def _safety(index=("a", "b", "c")) -> pd.DataFrame:
    return pd.DataFrame({
        "path_m": [100.0, 100.0, 0.0], "safety_lit": [1.0, 0.5, np.nan],
        "safety_no_dark_stretch": [1.0, 1.0, np.nan], "safety_no_tunnel": [1.0, 0.0, np.nan],
        "safety_connectivity": [0.5, 1.0, np.nan], "safety_eyes_on_street": [1.0, 0.2, np.nan],
        "safety_index": [92.5, 52.5, np.nan]}, index=list(index))


def test_weight_zero_leaves_the_index_unchanged():
    s = _safety()
    per_cell = pd.DataFrame({"findings_severity_sum": [9, 3, 0]}, index=s.index)
    out = apply_findings_to_safety(s, per_cell)
    assert out["safety_index"].equals(s["safety_index"])
    assert out["safety_no_open_findings"].tolist()[:2] == [0.0, 0.5]
    assert np.isnan(out["safety_no_open_findings"].iloc[2])  # no path: NaN like the others


def test_weighted_component_by_hand():
    s = _safety()
    w = SafetyWeights()
    per_cell = pd.DataFrame({"findings_severity_sum": [6, 0]}, index=["a", "b"])  # c: none
    out = apply_findings_to_safety(s, per_cell, weight=0.1, weights=w)
    raw = w.as_dict()
    a = sum(v * s.loc["a", f"safety_{k}"] for k, v in raw.items())
    b = sum(v * s.loc["b", f"safety_{k}"] for k, v in raw.items())
    assert out.loc["a", "safety_index"] == pytest.approx(100 * (a + 0.1 * 0.0) / 1.1)
    assert out.loc["b", "safety_index"] == pytest.approx(100 * (b + 0.1 * 1.0) / 1.1)
    assert np.isnan(out.loc["c", "safety_index"])
    # the recomputed index without findings equals the one safety_index() made
    same = apply_findings_to_safety(s, per_cell.assign(findings_severity_sum=0), weight=1e-12)
    assert np.allclose(same["safety_index"].iloc[:2], s["safety_index"].iloc[:2])
    with pytest.raises(ValueError, match=">= 0"):
        apply_findings_to_safety(s, per_cell, weight=-1)


def test_weight_taken_from_a_future_safetyweights_field():
    class Weights(SafetyWeights):  # what the lead's SafetyWeights(no_open_findings=…) will do
        no_open_findings = 0.5

    s = _safety()
    per_cell = pd.DataFrame({"findings_severity_sum": [6, 0, 0]}, index=s.index)
    out = apply_findings_to_safety(s, per_cell, weights=Weights())
    assert out.loc["a", "safety_index"] < s.loc["a", "safety_index"]


# --------------------------------------------------------------------------------------------
# on the demo extract with the EXAMPLE findings
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(helsinki_pbf, demo_gpkg):
    from geoplan.indicators.safety import safety_indicators
    from geoplan.network import build_walk_network
    from geoplan.population import population_from_buildings
    from geoplan.sources.osm import read_osm

    data = read_osm(helsinki_pbf)
    net = build_walk_network(data)
    cells = population_from_buildings(make_grid(data.area, data.crs, GridSpec(100)),
                                      data.buildings, study_area=data.area)
    safety = safety_indicators(net, cells, data)
    findings = read_findings(demo_gpkg, today="2025-06-01")
    return data, net, cells, safety, findings


def test_demo_findings_in_the_safety_layer(demo):
    data, net, cells, safety, f = demo
    per_cell = findings_per_cell(f, cells)
    n_open = int((f["status"] == "open").sum())
    open_points = int(((f["status"] == "open") & (f.geometry.geom_type == "Point")).sum())
    assert per_cell.attrs["outside"] == 0
    assert open_points <= per_cell["findings_open"].sum()
    assert (per_cell["findings_open"] > 0).sum() <= n_open
    out = apply_findings_to_safety(safety, per_cell, weight=0.1)
    with_findings = (per_cell["findings_severity_sum"] > 0) & (safety["path_m"] > 0)
    assert with_findings.sum() >= 10
    # the index is a weighted mean: every cell moves toward its findings score (1 without
    # findings), so a cell with findings ends lower than the same cell without them
    none = apply_findings_to_safety(safety, per_cell * 0, weight=0.1)
    assert (out.loc[with_findings, "safety_index"] <
            none.loc[with_findings, "safety_index"]).all()
    assert np.allclose(out.loc[~with_findings, "safety_index"],
                       none.loc[~with_findings, "safety_index"], equal_nan=True)
    assert apply_findings_to_safety(safety, per_cell)["safety_index"].equals(
        safety["safety_index"])


def test_demo_area_summary_lists_open_findings(demo):
    from geoplan.indicators.equity import STUDY_AREA_KEY, area_summary

    data, net, cells, safety, f = demo
    grid = cells.join(safety)
    x0, y0, x1, y1 = data.area.bounds
    xm = (x0 + x1) / 2
    areas = gpd.GeoDataFrame({"code": ["west", "east"]},
                             geometry=[shapely.box(x0, y0, xm, y1), shapely.box(xm, y0, x1, y1)],
                             crs=data.crs)
    summary = area_summary(grid, areas, key="code", columns=["safety_index"])
    out = findings_area_summary(summary, f)
    n_open = int((f["status"] == "open").sum())
    total = out.loc[out["code"] == STUDY_AREA_KEY]
    assert int(total["findings_open"].iloc[0]) == n_open
    assert int(total["findings_fixed"].iloc[0]) == int((f["status"] == "fixed").sum())
    # each finding counts in every area it touches: at least all, at most all + lines
    parts = out.loc[out["code"] != STUDY_AREA_KEY, "findings_open"].sum()
    n_lines = int((f.geometry.geom_type != "Point").sum())
    assert n_open <= parts <= n_open + n_lines
    assert list(out.columns[: len(summary.columns)]) == list(summary.columns)


def test_map_layer_for_the_council_report(demo):
    *_, f = demo
    m = findings_map_layer(f, lang="da", crs="EPSG:3067")
    assert len(m) == int((f["status"] == "open").sum())
    assert set(m["colour"]) <= set(CATEGORY_COLOURS.values())
    assert m["severity"].is_monotonic_increasing  # severe ones drawn last, on top
    assert m.attrs["legend"]["mørkt sted"] == CATEGORY_COLOURS["dark_spot"]
    both = findings_map_layer(f, include_fixed=True)
    assert len(both) == len(f)
    assert both.attrs["legend"]["fixed"] == CATEGORY_COLOURS["fixed"]
    assert (both["status"].iloc[: (both["status"] == "fixed").sum()] == "fixed").all()


def test_map_layer_draws_with_matplotlib(demo):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    *_, f = demo
    m = findings_map_layer(f)
    fig, ax = plt.subplots()
    pts = m[m.geometry.geom_type == "Point"]
    ax.scatter(pts.geometry.x, pts.geometry.y, s=pts["marker_size"], c=pts["colour"])
    lines = m[m.geometry.geom_type != "Point"]
    lines.plot(ax=ax, color=lines["colour"], linewidth=lines["linewidth"])
    drawn_points, drawn_lines = ax.collections[0], ax.collections[-1]
    plt.close(fig)
    assert len(pts) and len(lines) and len(ax.collections) == 2
    assert len(drawn_points.get_offsets()) == len(pts)
    assert len(drawn_lines.get_paths()) >= len(lines)


# --------------------------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------------------------
def test_new_lamps_address_dark_spots_and_broken_lamps_within_the_radius():
    f = _findings([
        ("d1", "dark_spot", 3, "open", shapely.Point(0, 0)),
        ("b1", "broken_lamp", 2, "open", shapely.Point(100, 0)),
        ("v1", "vegetation", 2, "open", shapely.Point(0, 5)),  # lamps do not cut bushes
        ("d2", "dark_spot", 2, "fixed", shapely.Point(0, 10)),  # fixed already
        ("d3", "dark_spot", 2, "open", shapely.Point(300, 0)),  # 30 m from the nearest lamp
        ("l1", "dark_spot", 2, "open", shapely.LineString([(500, 0), (600, 0)])),
    ])
    lamps = gpd.GeoDataFrame(geometry=shapely.points([[20, 0], [110, 0], [330, 0], [550, 20]]),
                             crs=CRS)
    got = addressed_findings(f, new_lamps=lamps, radius_m=25)
    assert got["finding_id"].tolist() == ["d1", "b1", "l1"]
    assert got["distance_m"].tolist() == [20.0, 10.0, 20.0]
    assert set(got["addressed_by"]) == {"new_lamps"}
    assert got["reason"].iloc[0] == "new lamp 20 m away"
    assert addressed_findings(f, new_lamps=lamps, radius_m=35)["finding_id"].tolist() == [
        "d1", "b1", "d3", "l1"]


def test_lit_paths_address_dark_spots_points_and_most_of_a_line():
    f = _findings([
        ("d1", "dark_spot", 3, "open", shapely.Point(50, 5)),
        ("b1", "broken_lamp", 2, "open", shapely.Point(60, 5)),  # a lit path does not mend it
        ("l1", "dark_spot", 2, "open", shapely.LineString([(0, 10), (80, 10)])),  # all within 25 m
        ("l2", "dark_spot", 2, "open", shapely.LineString([(70, 10), (200, 10)])),  # 17 of 130 m
    ])
    lit = gpd.GeoDataFrame({"lit": ["yes", "no"]},
                           geometry=[shapely.LineString([(0, 0), (64, 0)]),
                                     shapely.LineString([(64, 0), (200, 0)])], crs=CRS)
    got = addressed_findings(f, lit_edges=lit, radius_m=25, lang="sv")
    assert got["finding_id"].tolist() == ["d1", "l1"]
    assert got["reason"].tolist() == ["nybelyst gångväg 5 m bort",
                                      "100 % av sträckan längs en nybelyst gångväg"]


def test_addressed_nothing_and_crs_rules():
    f = _findings([("d1", "dark_spot", 3, "open", shapely.Point(0, 0))])
    empty = addressed_findings(f)
    assert len(empty) == 0 and list(empty.columns)[:2] == ["finding_id", "category"]
    lamps_ll = gpd.GeoSeries(shapely.points([[0, 0]]), crs=CRS).to_crs(4326)
    assert len(addressed_findings(f, new_lamps=lamps_ll)) == 1  # reprojected to the findings'
    with pytest.raises(ValueError, match="metric CRS"):
        addressed_findings(f.to_crs(4326), new_lamps=lamps_ll)


def test_demo_new_lamps_at_every_dark_finding_address_them_all(demo):
    *_, f = demo
    dark = f[(f["category"].isin(["dark_spot", "broken_lamp"])) & (f["status"] == "open")]
    lamps = gpd.GeoSeries(dark.geometry.representative_point().values, crs=f.crs)
    got = addressed_findings(f, new_lamps=lamps)
    assert sorted(got["finding_id"]) == sorted(dark["finding_id"])
