"""Guards against silent wrong results and lost files: distorting CRSs, oversized grids,
outputs that are inputs. Oracles: pyproj's own scale factors, hand-counted cells, the file system."""

from __future__ import annotations

import os

import pytest
import shapely
from pyproj import CRS, Proj

from geoplan.atomic import check_not_inputs
from geoplan.crs import MAX_SCALE_ERROR, check_distortion, choose_crs, parse_metric_crs
from geoplan.errors import AreaError, CRSError, InputFileError
from geoplan.grid import MAX_GRID_CELLS, GridSpec, check_grid_size, make_grid

HELSINKI = (24.94, 60.17)
MALMO = (13.00, 55.60)


@pytest.mark.parametrize("lonlat", [HELSINKI, MALMO])
def test_web_mercator_is_refused_with_the_national_crs_named(lonlat):
    scale = Proj(CRS.from_epsg(3857)).get_factors(*lonlat).meridional_scale
    assert scale > 1.7  # the oracle: pyproj says lengths are ~1.8-2x too long there
    with pytest.raises(CRSError) as err:
        choose_crs(*lonlat, override="EPSG:3857")
    msg = str(err.value)
    national = choose_crs(*lonlat).to_epsg()
    assert f"EPSG:{national}" in msg and f"{scale:.2f} times too long" in msg


@pytest.mark.parametrize("code, lonlat", [(3067, HELSINKI), (3006, MALMO), (25833, MALMO),
                                          (32635, HELSINKI), (3035, MALMO)])
def test_metric_crs_that_measure_well_are_accepted(code, lonlat):
    f = Proj(CRS.from_epsg(code)).get_factors(*lonlat)
    assert abs(f.meridional_scale - 1) <= MAX_SCALE_ERROR
    assert choose_crs(*lonlat, override=code).to_epsg() == code


def test_a_far_away_zone_is_refused_but_parse_alone_accepts_it():
    # SWEREF99 TM's central meridian is 15 E: at 100 E lengths are off by far more than 1 %
    assert parse_metric_crs("EPSG:3006").to_epsg() == 3006
    with pytest.raises(CRSError, match="times too long"):
        check_distortion(CRS.from_epsg(3006), 100.0, 30.0)


def test_grid_size_guard_counts_cells_and_refuses_before_building():
    assert check_grid_size((0, 0, 1000, 500), 100) == 10 * 5
    assert check_grid_size((50, 50, 1050, 550), 100) == 11 * 6  # corners snap to multiples
    with pytest.raises(AreaError, match="limit of 2,000,000 cells"):
        # one stray node at (0, 0) beside Helsinki in ETRS-TM35FIN: ~386 km x 6,700 km
        make_grid(shapely.box(0, 0, 386_000, 6_672_000), "EPSG:3067", GridSpec(100))
    assert check_grid_size((0, 0, 100_000, 100_000), 100) == 1_000_000 < MAX_GRID_CELLS


def test_output_equal_to_input_is_refused_also_through_links(tmp_path):
    src = tmp_path / "walk.csv"
    src.write_text("x,y\n1,2\n")
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    hard = tmp_path / "hard.csv"
    os.link(src, hard)
    for out in (src, tmp_path / "sub" / ".." / "walk.csv", link, hard):
        with pytest.raises(InputFileError, match="never overwrites its inputs"):
            check_not_inputs([out], [src])
    check_not_inputs([tmp_path / "walk.gpkg", None], [src, None])
    assert src.read_text() == "x,y\n1,2\n"


def test_reading_the_demo_in_web_mercator_is_refused(helsinki_pbf):
    from geoplan.sources.osm import read_osm

    with pytest.raises(CRSError, match="EPSG:3067"):
        read_osm(helsinki_pbf, crs="EPSG:3857")


def test_spreadsheet_text_is_never_a_formula(tmp_path):
    import openpyxl
    import pandas as pd

    from geoplan.outputs.tables import write_xlsx
    from geoplan.runs.scenario import write_changes_xlsx

    evil = '=HYPERLINK("http://example.invalid","Klicka här")'
    changes = pd.DataFrame({
        "scenario": [evil], "area_key": ["A1"], "area_name": ["+SUM(1,2)"],
        "measure": ["residents_night_access"], "category": ["school"], "label": ["-1+1"],
        "unit": ["persons"], "before": [10.0], "after": [20.0], "change": [10.0],
        "better": ["higher"]})
    write_changes_xlsx(tmp_path / "changes.xlsx", changes, title=evil)
    write_xlsx(tmp_path / "ranking.xlsx", {"ranking": changes})
    for name in ("changes.xlsx", "ranking.xlsx"):
        wb = openpyxl.load_workbook(tmp_path / name)
        texts = [c for row in wb.active.iter_rows() for c in row
                 if isinstance(c.value, str) and c.value[:1] in "=+-"]
        assert len(texts) >= 2, name
        assert all(c.data_type == "s" for c in texts), [(c.coordinate, c.data_type) for c in texts]
