"""Grid cells: alignment, ids, clipping shares and input errors (hand-derivable cases)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from geoplan.errors import AreaError, ConfigError, CRSError, GeoplanError
from geoplan.grid import GridSpec, cell_ids, make_grid, parse_cell_id


@pytest.mark.parametrize("size", [50, 100, 250, 1000])
def test_gridspec_allows_the_four_sizes(size):
    assert GridSpec(size).cell_size_m == size


@pytest.mark.parametrize("size", [0, 10, 200, 500, -100, "100", True])
def test_gridspec_rejects_other_sizes_and_names_the_allowed(size):
    with pytest.raises(ConfigError, match="50, 100, 250, 1000"):
        GridSpec(size)


def test_gridspec_is_frozen_and_names_the_layer():
    spec = GridSpec()
    assert spec.cell_size_m == 100 and spec.label == "100m" and spec.layer_name == "grid_100m"
    assert GridSpec(1000).label == "1km"
    with pytest.raises(AttributeError):
        spec.cell_size_m = 250  # type: ignore[misc]


def test_toy_grid_by_hand():
    """Area 120..330 x 40..180 m, 100 m cells.

    ::

        N1 |E1: 80x80 |E2: 100x80 |E3: 30x80 |    y 100..180
        N0 |E1: 80x60 |E2: 100x60 |E3: 30x60 |    y  40..100
             x 120..200  200..300    300..330
    """
    g = make_grid(box(120, 40, 330, 180), "EPSG:3006", GridSpec(100))
    assert g.index.name == "cell_id"
    assert list(g.index) == [
        "100mN0E1", "100mN0E2", "100mN0E3", "100mN1E1", "100mN1E2", "100mN1E3",
    ]
    np.testing.assert_allclose(
        g["area_m2"].to_numpy(), [80 * 60, 100 * 60, 30 * 60, 80 * 80, 100 * 80, 30 * 80]
    )
    np.testing.assert_allclose(g["area_share"], g["area_m2"] / 100**2)
    assert g["area_m2"].sum() == pytest.approx(210 * 140)
    # cells keep their full square geometry
    np.testing.assert_allclose(g.area, 100 * 100)
    assert g.geometry.iloc[0].equals(box(100, 0, 200, 100))
    assert g.crs.to_epsg() == 3006 and g.attrs["cell_size_m"] == 100


def test_cells_touching_only_the_boundary_are_left_out():
    g = make_grid(box(0, 0, 200, 100), "EPSG:3006")  # exactly two cells, neighbours only touch
    assert list(g.index) == ["100mN0E0", "100mN0E1"]
    np.testing.assert_allclose(g["area_share"], 1.0)


@pytest.mark.parametrize("size", [50, 100, 250, 1000])
def test_corners_are_multiples_of_the_size_and_ids_parse_back(size):
    area = shapely.buffer(shapely.Point(674_321.7, 6_580_123.4), 1_800.0)
    g = make_grid(area, "EPSG:3006", GridSpec(size))
    minx, miny, maxx, maxy = shapely.bounds(g.geometry.values).T
    assert np.all(minx % size == 0) and np.all(miny % size == 0)
    np.testing.assert_allclose(maxx - minx, size)
    np.testing.assert_allclose(maxy - miny, size)
    assert g.index.is_unique
    for cid, x, y in zip(g.index[:50], minx[:50], miny[:50], strict=True):
        assert parse_cell_id(cid) == (size, int(x), int(y))
    # the grid covers the whole area
    assert g.geometry.union_all().contains(area)
    assert g["area_m2"].sum() == pytest.approx(area.area, rel=1e-9)


def test_id_convention_examples():
    # 100 m and 1 km: coordinates divided by the cell size
    assert cell_ids([315_000], [6_631_000], 100).tolist() == ["100mN66310E3150"]
    assert cell_ids([315_000], [6_631_000], 1000).tolist() == ["1kmN6631E315"]
    # 50 m and 250 m: divided by 10 (INSPIRE: 10**number of trailing zeros of the size)
    assert cell_ids([315_050], [6_631_000], 50).tolist() == ["50mN663100E31505"]
    assert cell_ids([315_250], [6_650_250], 250).tolist() == ["250mN665025E31525"]
    assert parse_cell_id("250mN665025E31525") == (250, 315_250, 6_650_250)
    with pytest.raises(ConfigError, match="not a geoplan cell id"):
        parse_cell_id("E3150N66310")


def test_multipolygon_and_holes():
    ring = Polygon(box(0, 0, 300, 300).exterior, [box(100, 100, 200, 200).exterior.coords])
    g = make_grid(shapely.MultiPolygon([ring, box(1000, 0, 1100, 100)]), "EPSG:3006")
    assert "100mN1E1" not in g.index  # the hole
    assert "100mN0E10" in g.index and len(g) == 9


def test_many_cells_fast():
    import time

    t = time.perf_counter()
    g = make_grid(shapely.buffer(shapely.Point(500_000, 6_500_000), 9_000), "EPSG:3006")
    assert len(g) > 20_000
    assert time.perf_counter() - t < 5


def test_empty_area():
    with pytest.raises(AreaError, match="empty"):
        make_grid(Polygon(), "EPSG:3006")


def test_geographic_crs_is_refused():
    with pytest.raises(CRSError, match="geographic CRS"):
        make_grid(box(17.9, 59.2, 18.0, 59.3), "EPSG:4326")


def test_missing_crs():
    with pytest.raises(CRSError, match="no CRS"):
        make_grid(box(0, 0, 100, 100), None)


def test_invalid_polygon_names_the_fix():
    bowtie = Polygon([(0, 0), (200, 200), (200, 0), (0, 200)])
    with pytest.raises(AreaError, match="make_valid") as exc:
        make_grid(bowtie, "EPSG:3006")
    assert "Fix geometries" in str(exc.value) and "Self-intersection" in str(exc.value)


def test_line_is_not_an_area():
    with pytest.raises(AreaError, match="polygon"):
        make_grid(shapely.LineString([(0, 0), (100, 100)]), "EPSG:3006")


def test_degrees_labelled_as_metres():
    with pytest.raises(GeoplanError, match="look like degrees"):
        make_grid(box(17.9, 59.2, 18.0, 59.3), "EPSG:3006")


def test_geodataframe_area(shared_data):
    import geopandas as gpd

    deso = gpd.read_file(shared_data / "stockholm-deso" / "deso_stockholm.geojson")
    bot = deso[deso["kommun"] == "0127"].to_crs(3006)
    g = make_grid(bot, spec=GridSpec(1000))
    assert g.crs.to_epsg() == 3006
    assert all(c.startswith("1kmN") for c in g.index)
    assert g["area_m2"].sum() == pytest.approx(bot.union_all().area, rel=1e-9)
