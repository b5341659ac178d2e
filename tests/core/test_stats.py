"""Area statistics: real SCB Statistikdatabasen exports, CSV tables, joins and bad inputs.

Values hard-checked below were read with openpyxl from the files themselves, e.g.
``population_2023.xlsx`` row 239: ``(None, '0127C1280', 1652)`` and ``net_income_2022.xlsx``
row 242: ``('0127C1280', 233.4, 267.5, 1196)``.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geoplan.errors import ConfigError, GeoplanError, InputFileError
from geoplan.sources.stats import (
    COUNT,
    RATE,
    column_kinds,
    combine_area_tables,
    join_area_table,
    read_area_csv,
    read_area_table,
    read_scb_xlsx,
    slugify,
)

N_DESO = 5984


@pytest.fixture(scope="module")
def scb(shared_data):
    return shared_data / "scb-deso-2022"


@pytest.fixture(scope="module")
def population(scb):
    return read_scb_xlsx(scb / "population_2023.xlsx")


@pytest.fixture(scope="module")
def income(scb):
    return read_scb_xlsx(scb / "net_income_2022.xlsx")


def _edit_copy(src, tmp_path, edit, name=None):
    """Copy an SCB file, apply ``edit(ws)`` with openpyxl, return the new path."""
    dst = tmp_path / (name or src.name)
    shutil.copy(src, dst)
    wb = openpyxl.load_workbook(dst)
    edit(wb.worksheets[0])
    wb.save(dst)
    return dst


def test_population_2023(population, scb):
    t = population
    assert t.shape == (N_DESO, 1)
    assert list(t.columns) == ["population"]
    assert t.index.name == "area_code" and t.index.is_unique
    assert t.index.str.fullmatch(r"\d{4}[ABC]\d{4}").all()
    assert t.loc["0114A0010", "population"] == 898  # first data row (row 4)
    assert t.loc["0127C1280", "population"] == 1652  # row 239
    assert t.loc["2584C1130", "population"] == 1396  # last data row (row 5987)
    assert t.dtypes.iloc[0] == np.float64
    assert t.attrs["kinds"] == {"population": COUNT}
    assert t.attrs["population_column"] == "population"
    assert t.attrs["year"] == 2023 and t.attrs["table_id"] == "000005FC"
    # total cross-checked against a plain openpyxl pass over the file
    wb = openpyxl.load_workbook(scb / "population_2023.xlsx", read_only=True)
    try:  # a read-only workbook keeps its file open until closed (a ResourceWarning later)
        total = sum(r[2] for r in wb.worksheets[0].iter_rows(min_row=4, values_only=True)
                    if isinstance(r[1], str) and len(r[1]) == 9)
    finally:
        wb.close()
    assert t["population"].sum() == total


def test_net_income_2022(income):
    t = income
    assert t.shape == (N_DESO, 3)
    assert list(t.columns) == ["net_income_median_ksek", "net_income_mean_ksek", "persons_20plus"]
    assert t.loc["0114A0010"].tolist() == [320.0, 581.2, 652.0]  # row 7
    assert t.loc["0127C1280"].tolist() == [233.4, 267.5, 1196.0]  # row 242
    assert t.loc["0180C3420"].tolist() == [375.3, 478.1, 1098.0]  # row 706
    assert t.attrs["kinds"] == {
        "net_income_median_ksek": RATE, "net_income_mean_ksek": RATE, "persons_20plus": COUNT,
    }
    assert t.attrs["weights"]["net_income_median_ksek"] == "persons_20plus"
    assert t.attrs["labels"]["net_income_median_ksek"].startswith("Medianvärde, tkr")
    assert t.attrs["year"] == 2022


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("dwellings_by_tenure_2022.xlsx", 4),
        ("economic_standard_2022.xlsx", 3),
        ("education_25_64_2022.xlsx", 5),
        ("households_by_type_2022.xlsx", 5),
        ("labour_market_status_16_64_2022.xlsx", 5),
        ("persons_by_house_type_2022.xlsx", 6),
        ("population_by_age_2022.xlsx", 6),
        ("population_by_background_2022.xlsx", 3),
        ("population_by_birth_region_2022.xlsx", 4),
    ],
)
def test_every_shared_scb_table_reads(scb, name, columns):
    t = read_scb_xlsx(scb / name)
    assert t.shape == (N_DESO, columns)
    assert all(c == slugify(c) and not c[0].isdigit() for c in t.columns)
    assert not t.isna().all().any()
    assert set(t.attrs["kinds"].values()) <= {COUNT, RATE}


def test_economic_standard_is_a_rate_table(scb):
    t = read_scb_xlsx(scb / "economic_standard_2022.xlsx")
    assert t.attrs["kinds"]["low_econ_standard_pct"] == RATE
    assert t.loc["0114A0010"].tolist() == [7.0, 15.0, 843.0]


def test_missing_values_and_zero_marks(scb, tmp_path):
    def edit(ws):
        ws["B7"] = ".."  # median of 0114A0010
        ws["C8"] = "-"  # mean of 0114C1010: SCB's 'magnitude zero'
        ws["D9"] = "1 234"

    t = read_scb_xlsx(_edit_copy(scb / "net_income_2022.xlsx", tmp_path, edit))
    assert math.isnan(t.loc["0114A0010", "net_income_median_ksek"])
    assert t.loc["0114C1010", "net_income_mean_ksek"] == 0.0
    assert t.iloc[2]["persons_20plus"] == 1234.0
    assert t.shape == (N_DESO, 3)


def test_junk_value_is_named(scb, tmp_path):
    path = _edit_copy(scb / "net_income_2022.xlsx", tmp_path, lambda ws: ws.cell(7, 2, "n/a"))
    with pytest.raises(InputFileError, match=r"row 7 \(0114A0010\).*'n/a'"):
        read_scb_xlsx(path)


def test_code_with_name_after_it(scb, tmp_path):
    path = _edit_copy(scb / "population_2023.xlsx", tmp_path,
                      lambda ws: ws.cell(4, 2, "0114A0010 Upplands Väsby"))
    t = read_scb_xlsx(path)
    assert t.loc["0114A0010", "population"] == 898 and len(t) == N_DESO


def test_extra_blank_and_title_rows_are_tolerated(income, scb, tmp_path):
    def edit(ws):
        ws.insert_rows(1, amount=2)
        ws["A1"] = "Exported by a colleague"

    t = read_scb_xlsx(_edit_copy(scb / "net_income_2022.xlsx", tmp_path, edit))
    pd.testing.assert_frame_equal(t, income)


def test_extra_header_row_with_numbers_is_refused(scb, tmp_path):
    def edit(ws):
        ws.insert_rows(7)
        for col, v in enumerate(["Riket", 300, 400, 8_000_000], start=1):
            ws.cell(7, col, v)

    with pytest.raises(InputFileError, match="row 7.*holds numbers.*without an area code"):
        read_scb_xlsx(_edit_copy(scb / "net_income_2022.xlsx", tmp_path, edit))


def test_missing_header_rows(scb, tmp_path):
    path = _edit_copy(scb / "net_income_2022.xlsx", tmp_path, lambda ws: ws.delete_rows(3, 4))
    with pytest.raises(InputFileError, match="no header row"):
        read_scb_xlsx(path)


def test_missing_content_header_row(scb, tmp_path):
    # without the row naming median/mean/count the columns cannot be told apart
    path = _edit_copy(scb / "net_income_2022.xlsx", tmp_path, lambda ws: ws.delete_rows(3))
    with pytest.raises(InputFileError, match="header row is missing"):
        read_scb_xlsx(path)


def test_duplicate_codes(scb, tmp_path):
    path = _edit_copy(scb / "net_income_2022.xlsx", tmp_path,
                      lambda ws: ws.cell(8, 1, "0114A0010"))
    with pytest.raises(InputFileError, match="duplicate area code.*0114A0010"):
        read_scb_xlsx(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_scb_xlsx(tmp_path / "nope.xlsx")
    with pytest.raises(InputFileError, match="not found"):
        read_area_table(tmp_path / "nope.csv", key="deso")


def test_not_an_xlsx(tmp_path):
    p = tmp_path / "fake.xlsx"
    p.write_text("hello")
    with pytest.raises(InputFileError, match="not a readable .xlsx"):
        read_scb_xlsx(p)


def test_no_codes(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["kommun", "pop"])
    wb.active.append(["Botkyrka", 95000])
    p = tmp_path / "k.xlsx"
    wb.save(p)
    with pytest.raises(InputFileError, match="no area codes.*code_pattern"):
        read_scb_xlsx(p)


def test_kinds_override(scb):
    t = read_scb_xlsx(scb / "net_income_2022.xlsx", kinds={"persons_20plus": RATE})
    assert t.attrs["kinds"]["persons_20plus"] == RATE
    with pytest.raises(ConfigError, match="does not have"):
        read_scb_xlsx(scb / "net_income_2022.xlsx", kinds={"nope": RATE})
    with pytest.raises(ConfigError, match="'count' or 'rate'"):
        column_kinds(t, {"persons_20plus": "mean"})


# -- CSV ---------------------------------------------------------------------------------------


def test_csv_semicolon_decimal_comma(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(
        "DeSO;Namn;Folkmängd;Andel 65+ procent\n0127C1280;Fittja;1 652;12,5\n"
        "0127C1290;Alby;..;9\n", encoding="cp1252",
    )
    t = read_area_csv(p, "DeSO")
    assert list(t.columns) == ["folkmangd", "andel_65_plus_procent"]  # names column dropped
    assert t.loc["0127C1280"].tolist() == [1652.0, 12.5]
    assert math.isnan(t.loc["0127C1290", "folkmangd"])
    assert t.attrs["kinds"] == {"folkmangd": COUNT, "andel_65_plus_procent": RATE}
    t2 = read_area_table(p, key="deso", kinds={"andel_65_plus_procent": COUNT})
    assert t2.attrs["kinds"]["andel_65_plus_procent"] == COUNT


def test_csv_unknown_key(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("code,pop\nA,1\n")
    with pytest.raises(InputFileError, match="no key column 'deso'.*'code'"):
        read_area_csv(p, "deso")
    with pytest.raises(ConfigError, match="needs key="):
        read_area_table(p)


def test_csv_duplicate_keys(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("code,pop\nA,1\nB,2\nA,3\n")
    with pytest.raises(InputFileError, match="duplicate.*'A'"):
        read_area_csv(p, "code")


def test_unknown_file_kind(tmp_path):
    with pytest.raises(InputFileError, match=r"\.xlsx export or a \.csv"):
        read_area_table(tmp_path / "t.ods")


# -- combining and joining -----------------------------------------------------------------


def test_combine_keeps_metadata(population, income):
    t = combine_area_tables(population, income)
    assert t.shape == (N_DESO, 4)
    assert t.attrs["population_column"] == "population"
    assert t.attrs["kinds"]["net_income_median_ksek"] == RATE
    assert t.attrs["weights"]["net_income_median_ksek"] == "persons_20plus"
    assert t.loc["0127C1280", "population"] == 1652


def test_join_to_deso_polygons(population, shared_data):
    import geopandas as gpd

    deso = gpd.read_file(shared_data / "stockholm-deso" / "deso_stockholm.geojson")
    out, rep = join_area_table(deso, population)
    assert len(out) == len(deso) == 1287
    assert rep.matched == 1287 and rep.polygons_only == ()
    assert len(rep.table_only) == N_DESO - 1287  # the rest of Sweden
    assert out.set_index("id").loc["0127C1280", "population"] == 1652
    assert "1287 areas matched" in rep.summary()

    # a polygon whose code is not in the table is reported and gets NaN
    d2 = deso.copy()
    d2.loc[0, "id"] = "0180C9999"
    out2, rep2 = join_area_table(d2, population)
    assert rep2.polygons_only == ("0180C9999",)
    assert math.isnan(out2.loc[0, "population"])


def test_join_wrong_key_column(population, shared_data):
    import geopandas as gpd

    deso = gpd.read_file(shared_data / "stockholm-deso" / "deso_stockholm.geojson")
    with pytest.raises(ConfigError, match="no column 'deso'.*'id', 'kommun'"):
        join_area_table(deso, population, area_key="deso")
    with pytest.raises(GeoplanError, match="no area code in the table matches.*'kommun'"):
        join_area_table(deso, population, area_key="kommun")
