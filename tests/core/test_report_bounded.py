"""The report of a municipality-sized grid stays bounded: ``tables.xlsx`` holds the summaries
(the grid goes to ``grid.csv``), and a map of many cells is an image inside its PDF, not one
vector path per cell. Checked with openpyxl, pandas and the PDF's own object dictionaries."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.outputs.maps import HEADLINE_MAPS, RunData, write_maps
from geoplan.outputs.tables import write_tables

N_SIDE = 80  # 6,400 cells of 100 m


def _big_grid() -> gpd.GeoDataFrame:
    i, j = np.divmod(np.arange(N_SIDE * N_SIDE), N_SIDE)
    rng = np.random.default_rng(0)
    return gpd.GeoDataFrame(
        {"cell_id": [f"100mN{a}E{b}" for a, b in zip(i, j, strict=True)],
         "pop": rng.integers(0, 80, len(i)).astype(float),
         "dist_grocery_m": rng.uniform(0, 2000, len(i))},
        geometry=shapely.box(j * 100.0, i * 100.0, j * 100.0 + 100, i * 100.0 + 100),
        crs="EPSG:3006")


def test_xlsx_holds_summaries_and_the_csv_every_cell(tmp_path):
    import openpyxl

    grid = _big_grid()
    files = write_tables(RunData(Path("."), grid=grid), tmp_path, lang="sv")
    assert {f.name for f in files} == {"tables.xlsx", "grid.csv"}
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx", read_only=True)
    assert "rutnät" not in wb.sheetnames
    assert max(ws.max_row for ws in wb.worksheets) < 100
    csv = pd.read_csv(tmp_path / "grid.csv", encoding="utf-8-sig")
    assert csv["cell_id"].tolist() == grid["cell_id"].tolist()
    assert np.allclose(csv["pop"], grid["pop"])


def test_pdf_map_of_many_cells_is_an_image(tmp_path):
    files = write_maps(RunData(Path("."), grid=_big_grid()), tmp_path, specs=HEADLINE_MAPS[:1],
                       dpi=100)
    pdf = files[0].pdf.read_bytes()
    assert re.search(rb"/Subtype\s*/Image", pdf)
