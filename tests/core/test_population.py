"""Population per cell: statistics (dasymetric), population grids, buildings-only estimate."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from geoplan.errors import ConfigError, GeoplanError, InputFileError
from geoplan.grid import GridSpec, make_grid
from geoplan.population import (
    PERSONS_PER_M2,
    ResidentialRule,
    cell_population,
    population_from_buildings,
    population_from_grid,
    population_from_stats,
    residential_floor_area,
)
from geoplan.sources.stats import combine_area_tables, read_scb_xlsx

HSY_TOTAL = 71_724


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def botkyrka(shared_data):
    deso = gpd.read_file(shared_data / "stockholm-deso" / "deso_stockholm.geojson")
    return deso[deso["kommun"] == "0127"].to_crs(3006).reset_index(drop=True)


@pytest.fixture(scope="module")
def table(shared_data):
    scb = shared_data / "scb-deso-2022"
    return combine_area_tables(
        read_scb_xlsx(scb / "population_2023.xlsx"), read_scb_xlsx(scb / "net_income_2022.xlsx")
    )


@pytest.fixture(scope="module")
def botkyrka_cells(botkyrka):
    return make_grid(botkyrka.union_all(), "EPSG:3006", GridSpec(100))


def synthetic_buildings(areas, *, per_area=150, seed=0, skip=()):
    """Square buildings (16 x 16 m) at random points in each area, mixed uses."""
    rng = np.random.default_rng(seed)
    keep = areas[~areas["id"].isin(skip)]
    pts = keep.sample_points(size=per_area, rng=rng).explode(index_parts=False)
    x, y = shapely.get_x(pts.values), shapely.get_y(pts.values)
    n = len(x)
    use = rng.choice(["residential", "mixed", "non_residential", "unknown"], n,
                     p=[0.6, 0.1, 0.1, 0.2])
    levels = rng.integers(1, 9, n).astype(float)
    return gpd.GeoDataFrame(
        {"use": use, "levels": levels, "footprint_m2": 256.0, "floor_area_m2": 256.0 * levels},
        geometry=shapely.box(x - 8, y - 8, x + 8, y + 8), crs=areas.crs,
    )


# -- statistics --------------------------------------------------------------------------------


def test_botkyrka_dasymetric_conserves_and_keeps_rates_in_range(botkyrka, botkyrka_cells, table):
    no_homes = botkyrka["id"].iloc[0]  # an area with no residential floor area: area weighting
    buildings = synthetic_buildings(botkyrka, skip=(no_homes,))
    out = population_from_stats(botkyrka_cells, botkyrka, table, buildings=buildings)

    src = table.loc[botkyrka["id"]]
    assert out.index.equals(botkyrka_cells.index)
    assert (out["pop_source"] == "statistics").all()
    assert out["pop"].sum() == pytest.approx(src["population"].sum(), rel=1e-3)
    assert out["persons_20plus"].sum() == pytest.approx(src["persons_20plus"].sum(), rel=1e-3)
    for col in ("net_income_median_ksek", "net_income_mean_ksek"):
        vals = out[col].dropna()
        assert len(vals) > 100
        assert vals.min() >= src[col].min() - 1e-9 and vals.max() <= src[col].max() + 1e-9

    rep = out.attrs["pop_report"]
    assert rep.pop_source == "statistics" and rep.areas_inside == len(botkyrka)
    assert len(rep.partial_areas) == 0
    assert rep.area_weighted == (no_homes,)
    assert rep.allocated_total == pytest.approx(rep.source_total, rel=1e-9)
    # dasymetric: cells without buildings get nobody (outside the area-weighted DeSO)
    fallback = botkyrka.loc[botkyrka["id"] == no_homes].union_all()
    has_bldg = botkyrka_cells.index.isin(
        gpd.sjoin(botkyrka_cells, buildings[["geometry"]], predicate="intersects").index)
    away = ~botkyrka_cells.intersects(fallback).to_numpy() & ~has_bldg
    assert (out.loc[away, "pop"] == 0).all()


def test_area_weighting_without_buildings(botkyrka, botkyrka_cells, table):
    out = population_from_stats(botkyrka_cells, botkyrka, table)
    total = table.loc[botkyrka["id"], "population"].sum()
    assert out["pop"].sum() == pytest.approx(total, rel=1e-3)
    rep = out.attrs["pop_report"]
    assert rep.area_weighted == ()  # not reported when no buildings were given
    # area weighting: a cell fully inside one DeSO gets pop * cell area / DeSO area
    d = botkyrka.iloc[10]
    cid = botkyrka_cells.index[botkyrka_cells.within(d.geometry)][0]
    expected = table.loc[d["id"], "population"] * 100 * 100 / d.geometry.area
    assert out.loc[cid, "pop"] == pytest.approx(expected, rel=1e-9)


def test_area_partly_outside_allocates_the_share_inside(botkyrka, table):
    # study area: the northern half of Botkyrka's bounding box
    minx, miny, maxx, maxy = botkyrka.total_bounds
    half = box(minx, (miny + maxy) / 2, maxx, maxy)
    cells = make_grid(half.intersection(botkyrka.union_all()), "EPSG:3006", GridSpec(250))
    out = population_from_stats(cells, botkyrka, table, study_area=half)
    rep = out.attrs["pop_report"]
    assert len(rep.partial_areas) > 0
    part = rep.partial_areas.set_index("code")
    assert ((part["share_inside"] > 0) & (part["share_inside"] < 1)).all()
    pops = table["population"]
    inside_ids = [i for i, g in zip(botkyrka["id"], botkyrka.geometry, strict=True)
                  if half.contains(g)]
    expected = pops.loc[inside_ids].sum() + (pops.loc[part.index] * part["share_inside"]).sum()
    assert out["pop"].sum() == pytest.approx(expected, rel=1e-6)
    assert rep.source_total - rep.allocated_total == pytest.approx(
        part["pop_not_allocated"].sum(), rel=1e-6)


def test_hand_derivable_toy():
    """Two areas side by side, 200 x 100 m each, four 100 m cells; buildings drawn as #.

    ::

        +----A: 300 p----+----B: 100 p----+
        | cell 0  | c 1  | cell 2 | c 3   |
        | #res    | #res | (none) | (none)|     A: residential 100 m² in cell 0,
        | 100 m²  |300m² |        |       |        300 m² in cell 1 -> 75 / 225
        +---------+------+--------+-------+     B: no floor area -> by area 50 / 50
    """
    cells = make_grid(box(0, 0, 400, 100), "EPSG:3006")
    areas = gpd.GeoDataFrame({"id": ["A", "B"]},
                             geometry=[box(0, 0, 200, 100), box(200, 0, 400, 100)], crs=3006)
    table = pd.DataFrame({"population": [300.0, 100.0], "income_median": [200.0, 400.0]},
                         index=["A", "B"])
    bld = gpd.GeoDataFrame(
        {"use": ["residential", "residential", "non_residential"],
         "floor_area_m2": [100.0, 300.0, 5000.0]},
        geometry=[box(10, 10, 20, 20), box(110, 10, 120, 20), box(210, 10, 260, 60)], crs=3006,
    )
    out = population_from_stats(cells, areas, table, buildings=bld)
    assert out["pop"].tolist() == pytest.approx([75.0, 225.0, 50.0, 50.0])
    assert out["income_median"].tolist() == pytest.approx([200.0, 200.0, 400.0, 400.0])
    # a cell shared by both areas gets the population-weighted mean rate
    cells2 = make_grid(box(100, 0, 300, 100), "EPSG:3006")
    out2 = population_from_stats(cells2, areas, table)  # by area: A 150 p/cell, B 50 p/cell
    row = out2.loc["100mN0E1"]  # x 100..200: only A;  E2 (200..300): only B
    assert row["income_median"] == pytest.approx(200.0)
    cells3 = make_grid(box(150, 0, 250, 100), "EPSG:3006", GridSpec(50))
    out3 = population_from_stats(cells3, areas, table)
    assert out3["income_median"].tolist() == pytest.approx([200.0, 400.0, 200.0, 400.0])
    big = make_grid(box(0, 0, 400, 100), "EPSG:3006", GridSpec(1000))
    out4 = population_from_stats(big, areas, table)
    assert out4["pop"].iloc[0] == pytest.approx(400.0)
    assert out4["income_median"].iloc[0] == pytest.approx((300 * 200 + 100 * 400) / 400)


def test_negative_population_is_refused(botkyrka, botkyrka_cells, table):
    bad = table.copy()
    bad.attrs = dict(table.attrs)
    bad.loc[botkyrka["id"].iloc[3], "population"] = -5
    with pytest.raises(GeoplanError, match="negative.*" + botkyrka["id"].iloc[3]):
        population_from_stats(botkyrka_cells, botkyrka, bad)


def test_table_without_population_column(botkyrka, botkyrka_cells, shared_data):
    inc = read_scb_xlsx(shared_data / "scb-deso-2022" / "net_income_2022.xlsx")
    with pytest.raises(ConfigError, match="no population column.*combine_area_tables"):
        population_from_stats(botkyrka_cells, botkyrka, inc)
    with pytest.raises(ConfigError, match="pop_column 'nope'"):
        population_from_stats(botkyrka_cells, botkyrka, inc, pop_column="nope")
    out = population_from_stats(botkyrka_cells, botkyrka, inc, pop_column="persons_20plus")
    assert out["pop"].sum() == pytest.approx(inc.loc[botkyrka["id"], "persons_20plus"].sum(),
                                             rel=1e-3)


def test_wrong_area_key(botkyrka, botkyrka_cells, table):
    with pytest.raises(GeoplanError, match="no area code in the table matches"):
        population_from_stats(botkyrka_cells, botkyrka, table, area_key="kommun")


def test_duplicate_polygon_codes(botkyrka, botkyrka_cells, table):
    dup = pd.concat([botkyrka, botkyrka.iloc[:1]])
    with pytest.raises(GeoplanError, match="duplicate codes.*Dissolve"):
        population_from_stats(botkyrka_cells, dup, table)


# -- population grids ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hsy_path(shared_data):
    return shared_data / "helsinki" / "helsinki_population_grid_2020.gpkg"


@pytest.fixture(scope="module")
def hsy_cells(hsy_path):
    src = gpd.read_file(hsy_path).to_crs(3067)
    return make_grid(src.union_all(), "EPSG:3067", GridSpec(100))


def test_hsy_grid_onto_100m_conserves_total(hsy_path, hsy_cells):
    out = population_from_grid(hsy_cells, hsy_path)
    assert (out["pop_source"] == "grid").all()
    assert out["pop"].sum() == pytest.approx(HSY_TOTAL, rel=1e-9)
    rep = out.attrs["pop_report"]
    assert rep.source_total == HSY_TOTAL and len(rep.partial_areas) == 0
    # a 100 m cell gets at most a 250 m cell's population x its area share (+ neighbours)
    assert out["pop"].max() <= gpd.read_file(hsy_path)["population"].max()


def test_hsy_grid_through_buildings(hsy_path, hsy_cells):
    src = gpd.read_file(hsy_path).to_crs(3067).rename(columns={"id": "cell"})
    src["id"] = src["cell"].astype(str)
    bld = synthetic_buildings(src, per_area=20, seed=1)
    out = population_from_grid(hsy_cells, src, buildings=bld)
    assert out["pop"].sum() == pytest.approx(HSY_TOTAL, rel=1e-9)
    assert (out["pop"] == 0).sum() > (population_from_grid(hsy_cells, src)["pop"] == 0).sum()


def test_geotiff_population_grid(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    # 4 x 3 pixels of 250 m, not aligned to the 100 m grid; nodata (-1) in one pixel
    data = np.array([[10, 20, 30, 40], [0, -1, 5, 5], [1, 2, 3, 4]], dtype="float32")
    x0, y0 = 385_030.0, 6_672_010.0
    path = tmp_path / "pop.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=3, count=1, dtype="float32",
                       crs="EPSG:3067", transform=from_origin(x0, y0, 250, 250),
                       nodata=-1) as dst:
        dst.write(data, 1)
    cells = make_grid(box(x0 - 300, y0 - 1000, x0 + 1300, y0 + 300), "EPSG:3067")
    out = population_from_grid(cells, path)
    assert out["pop"].sum() == pytest.approx(120.0)
    assert out.attrs["pop_report"].source_total == pytest.approx(120.0)
    # the cell holding the middle of pixel (0, 0) gets a share of its 10 persons by area:
    # cell 385000..385100 x 6671900..6672000 overlaps the pixel on 70 m x 100 m
    assert out.loc["100mN66719E3850", "pop"] == pytest.approx(10 * 70 * 100 / 250**2)
    # a study area cutting the raster: only the share inside is allocated, and reported
    part = make_grid(box(x0, y0 - 250, x0 + 125, y0), "EPSG:3067")
    out2 = population_from_grid(part, path, study_area=box(x0, y0 - 250, x0 + 125, y0))
    assert out2["pop"].sum() == pytest.approx(5.0)
    assert len(out2.attrs["pop_report"].partial_areas) >= 1


def test_negative_grid_values(hsy_path, hsy_cells):
    src = gpd.read_file(hsy_path)
    src.loc[0, "population"] = -9999
    with pytest.raises(GeoplanError, match="negative population"):
        population_from_grid(hsy_cells, src)


def test_grid_bad_inputs(hsy_path, hsy_cells, tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        population_from_grid(hsy_cells, tmp_path / "none.gpkg")
    with pytest.raises(ConfigError, match="no column 'pop'.*'population'"):
        population_from_grid(hsy_cells, hsy_path, value_column="pop")


# -- buildings alone -----------------------------------------------------------------------


def test_residential_rule_unknown_and_mixed():
    geoms = [box(0, 0, 10, 10)] * 4 + [box(0, 0, 5, 5)]  # the last: 25 m² footprint (a shed)
    b = gpd.GeoDataFrame({"use": ["residential", "mixed", "non_residential", "unknown",
                                  "unknown"],
                          "floor_area_m2": [200.0, 200.0, 200.0, 200.0, 25.0]},
                         geometry=geoms, crs=3006)
    assert residential_floor_area(b).tolist() == [200.0, 100.0, 0.0, 100.0, 0.0]
    rule = ResidentialRule(mixed_use_share=0.8, unknown_use_share=0.0,
                           min_unknown_footprint_m2=0)
    assert residential_floor_area(b, rule).tolist() == [200.0, 160.0, 0.0, 0.0, 0.0]
    with pytest.raises(ConfigError, match="unknown_use_share"):
        ResidentialRule(unknown_use_share=1.5)
    with pytest.raises(ConfigError, match="'use' values \\['shop'\\]"):
        residential_floor_area(b.assign(use="shop"))
    with pytest.raises(ConfigError, match="floor_area_m2"):
        residential_floor_area(b.drop(columns="floor_area_m2"))


def test_buildings_estimate_by_hand():
    cells = make_grid(box(0, 0, 200, 100), "EPSG:3006")
    b = gpd.GeoDataFrame(
        {"use": ["residential", "unknown", "non_residential"],
         "floor_area_m2": [840.0, 840.0, 10_000.0]},
        geometry=[box(10, 10, 30, 30), box(110, 10, 150, 50), box(50, 50, 90, 90)], crs=3006,
    )
    out = population_from_buildings(cells, b)
    assert (out["pop_source"] == "buildings_estimate").all()
    # 840 m² / 42 m² per person = 20; unknown counts half: 10
    assert out["pop"].tolist() == pytest.approx([20.0, 10.0])
    assert PERSONS_PER_M2 == pytest.approx(1 / 42)
    out2 = population_from_buildings(cells, b, persons_per_m2=1 / 35)
    assert out2["pop"].tolist() == pytest.approx([24.0, 12.0])
    with pytest.raises(ConfigError, match="persons_per_m2"):
        population_from_buildings(cells, b, persons_per_m2=0)


def test_buildings_in_wgs84_are_reprojected(botkyrka, botkyrka_cells):
    bld = synthetic_buildings(botkyrka, per_area=10)
    a = population_from_buildings(botkyrka_cells, bld)
    b = population_from_buildings(botkyrka_cells, bld.to_crs(4326))
    assert b["pop"].sum() == pytest.approx(a["pop"].sum(), rel=1e-6)


def test_cell_population_picks_the_best_source(botkyrka, botkyrka_cells, table):
    bld = synthetic_buildings(botkyrka, per_area=10)
    assert cell_population(botkyrka_cells, areas=botkyrka, table=table,
                           buildings=bld)["pop_source"].iloc[0] == "statistics"
    assert cell_population(botkyrka_cells, buildings=bld)["pop_source"].iloc[0] == (
        "buildings_estimate")
    with pytest.raises(ConfigError, match="both areas= .* and table="):
        cell_population(botkyrka_cells, areas=botkyrka)
    with pytest.raises(ConfigError, match="no population source"):
        cell_population(botkyrka_cells)


def test_cells_must_come_from_make_grid(botkyrka, table):
    with pytest.raises(ConfigError, match="make_grid"):
        population_from_stats(botkyrka, botkyrka, table)


def test_areas_elsewhere_are_an_error(botkyrka, table, hsy_cells):
    with pytest.raises(GeoplanError, match="do not overlap the grid cells.*CRS"):
        population_from_stats(hsy_cells, botkyrka, table)


def test_missing_population_is_noted(botkyrka, botkyrka_cells, table):
    t = table.copy()
    t.attrs = dict(table.attrs)
    t.loc[botkyrka["id"].iloc[0], "population"] = np.nan
    out = population_from_stats(botkyrka_cells, botkyrka, t)
    assert any("1 areas have no value for 'population'" in n for n in out.attrs["pop_report"].notes)
    expected = t.loc[botkyrka["id"], "population"].sum()  # NaN skipped
    assert out["pop"].sum() == pytest.approx(expected, rel=1e-3)
