"""The report step: maps (PNG + vector PDF), the multi-page PDF, tables, and provenance.

One small run (the demo extract on a 250 m grid, ``formats = ["gpkg", "report"]``) is shared by
the tests of this module. The PDF is read back with GDAL's PDF driver (page count, rendering of
a map page) and, when ``pypdf`` is installed, its text is extracted independently; the text
laid out on each page is also recorded while the PDF is built (``ReportResult.page_texts``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoplan.config import parse_pipeline
from geoplan.outputs.maps import (
    HEADLINE_MAPS,
    figure_texts,
    graduated_classes,
    load_run,
    map_figure,
)
from geoplan.outputs.report import pipeline_from_provenance, write_report
from geoplan.runs.pipeline import run_pipeline

PIPELINE = """
[input]
osm = "demo"
[grid]
cell_size_m = 250
[output]
title = "Rapporttest — Helsingfors"
lang = "sv"
formats = ["gpkg", "report"]
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report_run")
    run_pipeline(parse_pipeline(PIPELINE, out), out)
    return out


def _gdal_pages(pdf: Path) -> int:
    from osgeo import gdal

    ds = gdal.Open(str(pdf))
    assert ds is not None, f"GDAL cannot open {pdf}"
    names = [k for k in (ds.GetMetadata("SUBDATASETS") or {}) if k.endswith("_NAME")]
    return len(names) or 1


def _gdal_render(pdf: Path, page: int) -> np.ndarray:
    from osgeo import gdal

    gdal.SetConfigOption("GDAL_PDF_DPI", "40")
    try:
        ds = gdal.Open(f"PDF:{page}:{pdf}")
        return ds.ReadAsArray()
    finally:
        gdal.SetConfigOption("GDAL_PDF_DPI", None)


def _not_blank(rgb: np.ndarray, min_colours: int = 12) -> None:
    """Many distinct colours and far from all white."""
    px = rgb.reshape(-1, rgb.shape[-1])[:, :3].astype(np.uint32)
    colours = np.unique(px[:, 0] << 16 | px[:, 1] << 8 | px[:, 2])
    assert len(colours) >= min_colours, len(colours)
    white = np.all(px >= 250, axis=1).mean()
    assert white < 0.9, white


# ---------------------------------------------------------------------------------------------
def test_pipeline_report_step_writes_every_file(run_dir):
    rep = run_dir / "report"
    assert (rep / "report.pdf").stat().st_size > 10_000
    assert (rep / "tables.xlsx").is_file() and (rep / "grid.csv").is_file()
    for spec in HEADLINE_MAPS:
        assert (rep / "maps" / f"{spec.key}.png").is_file(), spec.key
        assert (rep / "maps" / f"{spec.key}.pdf").is_file(), spec.key
    # no scenario layers in this run: no before/after maps, no stray temporary files
    assert not list((rep / "maps").glob("*_change.*"))
    assert not [p for p in rep.rglob("*") if p.name.startswith(".")]
    prov = json.loads((run_dir / "provenance.json").read_text(encoding="utf-8"))
    assert "report" in prov["files"] and prov["pipeline"]["output"]["formats"] == ["gpkg",
                                                                                  "report"]


def test_pdf_pages_and_text(run_dir, tmp_path):
    out = tmp_path / "run"  # a copy: the module's run stays as the pipeline wrote it
    shutil.copytree(run_dir, out, ignore=shutil.ignore_patterns("report"))
    result = write_report(out, dpi=72)  # the pipeline's language: sv
    assert result.pdf == out / "report" / "report.pdf"
    # title, key numbers, 6 maps, method, sources
    assert result.pages == _gdal_pages(result.pdf) == 10
    text = result.page_texts
    assert "Rapporttest — Helsingfors" in text[0]
    assert "Nyckeltal" in text[1]
    # numbers written for Swedish: space between thousands, decimal comma, "%" after a space
    assert "0,5 ha" in text[1] and "\u00a0%" in text[1]
    assert any(f"Karta {i}." in t for i, t in enumerate(text[2:8], start=1) for _ in [0])
    assert "Metod" in text[8] and "35\u00a0%" in text[8]  # the lit weight, as run
    assert "provenance.json" in text[8] and "provenance.json" in text[9]
    assert all("© OpenStreetMap-bidragsgivare" in t for t in text)
    assert "SHA-256" in text[9]


def test_pdf_text_extracted_independently(run_dir):
    pypdf = pytest.importorskip("pypdf", reason="pypdf not installed: PDF text read back "
                                                 "only through the recorded page texts")
    reader = pypdf.PdfReader(run_dir / "report" / "report.pdf")
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) == 10
    assert "Nyckeltal" in pages[1] and "OpenStreetMap" in pages[-1]


def test_report_in_each_language(run_dir, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(run_dir, out, ignore=shutil.ignore_patterns("report"))
    en = write_report(out, lang="en", dpi=50).page_texts[1]
    da = write_report(out, lang="da", dpi=50).page_texts[1]
    assert "Key numbers" in en and "Nøgletal" in da
    assert "at least 0.5 ha" in en and "mindst 0,5 ha" in da
    assert "residents (" in en and "beboere (" in da


def test_map_pngs_are_drawn_and_map_pdfs_are_vector(run_dir):
    from PIL import Image

    for png in sorted((run_dir / "report" / "maps").glob("*.png")):
        _not_blank(np.asarray(Image.open(png).convert("RGB")))
        pdf = png.with_suffix(".pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and b"/Subtype /Image" not in pdf, png.name


def test_map_page_of_the_pdf_is_not_blank(run_dir):
    _not_blank(np.moveaxis(_gdal_render(run_dir / "report" / "report.pdf", 4), 0, -1))


@pytest.mark.parametrize("lang, legend, attribution", [
    ("sv", "Invånare per ruta", "© OpenStreetMap-bidragsgivare"),
    ("da", "Beboere pr. celle", "© OpenStreetMap-bidragydere"),
    ("en", "Residents per cell", "© OpenStreetMap contributors"),
])
def test_every_map_has_legend_scale_north_and_attribution(run_dir, lang, legend, attribution):
    from matplotlib_scalebar.scalebar import ScaleBar

    run = load_run(run_dir)
    for spec in HEADLINE_MAPS:
        fig = map_figure(run, spec, lang=lang)
        texts = figure_texts(fig)
        joined = "\n".join(texts)
        assert attribution in joined, spec.key
        assert "N" in texts, spec.key  # north arrow
        assert any(isinstance(a, ScaleBar) for a in fig.axes[0].artists), spec.key
        assert "Rapporttest — Helsingfors" in joined and "2" in joined  # study title and date
        ax = fig.axes[0]
        assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) >= 3
        if spec.key == "pop":
            assert legend in joined


def test_map_classes_match_the_qgis_style_in_the_geopackage(run_dir):
    run = load_run(run_dir)
    con = sqlite3.connect(run_dir / "geoplan.gpkg")
    qml = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'grid'").fetchone()
    con.close()
    root = ET.fromstring(qml[0].split("\n", 1)[1])
    qgis_labels = [r.get("label") for r in root.iter("range")]
    breaks = [float(root.find(".//range").get("lower"))] + [float(r.get("upper"))
                                                            for r in root.iter("range")]
    ours = graduated_classes("safety_index", breaks, lang=run.lang)
    assert [c.label for c in ours] == qgis_labels
    fig = map_figure(run, HEADLINE_MAPS[1], lang=run.lang)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:len(qgis_labels)] == qgis_labels


def test_tables_xlsx_and_csv(run_dir):
    import openpyxl

    grid = pd.read_csv(run_dir / "report" / "grid.csv", encoding="utf-8-sig")
    wb = openpyxl.load_workbook(run_dir / "report" / "tables.xlsx")
    # summaries only: the grid (a municipality has tens of thousands of cells) is in grid.csv
    assert wb.sheetnames == ["indikatorer", "datakvalitet", "metodparametrar"]
    described = {r[0]: r[1:] for r in wb["indikatorer"].iter_rows(min_row=2, values_only=True)}
    assert described["dist_grocery_m"][:3] == ("Gångavstånd till närmaste livsmedelsbutik", "m",
                                               "lägre")
    assert set(grid.columns) - set(described) == {"cell_id", "pop_source"}
    assert len(grid) == len(load_run(run_dir).grid) and grid.columns[0] == "cell_id"
    params = {(r[0], r[1]): r[2] for r in wb["metodparametrar"].iter_rows(min_row=2,
                                                                          values_only=True)}
    assert params[("safety", "weights.lit")] == 0.35


def test_provenance_reproduces_the_run(run_dir, tmp_path):
    import pyogrio

    prov = json.loads((run_dir / "provenance.json").read_text(encoding="utf-8"))
    cfg = pipeline_from_provenance(prov, formats=["gpkg"])
    assert cfg.grid.cell_size_m == 250 and cfg.title == "Rapporttest — Helsingfors"
    run_pipeline(cfg, tmp_path / "again")
    a = pyogrio.read_dataframe(run_dir / "geoplan.gpkg", layer="grid")
    b = pyogrio.read_dataframe(tmp_path / "again" / "geoplan.gpkg", layer="grid")
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert a.geometry.geom_equals(b.geometry).all()


# ---------------------------------------------------------------------------------------------
def _add_scenario(run_dir: Path, out: Path) -> None:
    """A synthetic scenario: a new lit path raises safety and green access in a few cells."""
    import geopandas as gpd
    import pyogrio
    import shapely

    shutil.copytree(run_dir, out, ignore=shutil.ignore_patterns("report"))
    grid = pyogrio.read_dataframe(out / "geoplan.gpkg", layer="grid")
    rng = np.random.default_rng(1)
    changed = rng.random(len(grid)) < 0.3
    ch = gpd.GeoDataFrame({"cell_id": grid["cell_id"]}, geometry=grid.geometry, crs=grid.crs)
    for col, delta in (("pop", 0.0), ("safety_index", 12.0), ("dist_grocery_m", -150.0)):
        before = grid[col].astype(float)
        after = before + np.where(changed, delta, 0.0)
        ch[f"{col}_before"], ch[f"{col}_after"], ch[f"{col}_change"] = before, after, \
            after - before
    before = grid["green_scb_300m"].astype(int)
    after = np.where(changed, 1, before)
    ch["green_scb_300m_before"], ch["green_scb_300m_after"] = before, after
    ch["green_scb_300m_change"] = after - before
    pyogrio.write_dataframe(ch, out / "geoplan.gpkg", layer="grid_change")
    xmin, ymin, xmax, ymax = grid.total_bounds
    areas = gpd.GeoDataFrame({
        "code": ["Norr", "__study_area__"],
        "pop_before": [4000.0, 9000.0], "pop_after": [4100.0, 9100.0],
        "pop_change": [100.0, 100.0],
        "green_scb_300m_pop_share_before": [0.40, 0.55],
        "green_scb_300m_pop_share_after": [0.52, 0.61],
        "green_scb_300m_pop_share_change": [0.12, 0.06],
    }, geometry=[shapely.box(xmin, (ymin + ymax) / 2, xmax, ymax),
                 shapely.box(xmin, ymin, xmax, ymax)], crs=grid.crs)
    pyogrio.write_dataframe(areas, out / "geoplan.gpkg", layer="areas_change")
    (out / "changes.csv").write_text("code,pop_change\nNorr,100\n", encoding="utf-8")


def test_scenario_before_after_and_change_maps(run_dir, tmp_path):
    out = tmp_path / "scenario"
    _add_scenario(run_dir, out)
    run = load_run(out)
    assert run.is_scenario
    result = write_report(out, lang="en", dpi=50)
    stems = {p.stem for p in (result.folder / "maps").glob("*.png")}
    for key in ("pop", "safety_index", "dist_grocery_m", "green_scb_300m"):
        assert {f"{key}_before", f"{key}_after", f"{key}_change"} <= stems, key
    assert "loses_school_at_night_change" not in stems  # not in the synthetic grid_change
    # before and after share one set of classes; the change map is diverging with "no change"
    spec = HEADLINE_MAPS[1]
    from geoplan.outputs.gpkg import class_breaks

    pooled = pd.concat([run.grid_change["safety_index_before"],
                        run.grid_change["safety_index_after"]])
    breaks = class_breaks(pooled.dropna(), n_classes=5)
    legends = {v: [t.get_text() for t in map_figure(run, spec, lang="en", variant=v,
                                                    breaks=breaks if v != "change" else None)
                   .axes[0].get_legend().get_texts()]
               for v in ("before", "after", "change")}
    n = len(breaks) - 1
    assert legends["before"][:n] == legends["after"][:n]
    assert any(t.startswith("no change") for t in legends["change"])
    # the change map is red and blue, not the sequential ramp
    classes = graduated_classes("safety_index_change", [-20, -10, -0.5, 0.5, 10, 20],
                                ramp="diverging")
    assert classes[0].colour.startswith("#b") and classes[-1].colour.startswith("#2")
    text = "\n".join(result.page_texts)
    assert "What the proposal changes" in text
    assert "Norr" in text and "40% → 52% (+12 p.p.)" in text
    assert "9,000 → 9,100 (+100)" in text  # the whole study area
    assert result.pages == _gdal_pages(result.pdf)
    assert (result.folder / "areas_change.csv").is_file()


def test_missing_run_is_a_clear_error(tmp_path):
    import click
    from click.testing import CliRunner

    from geoplan.cli.report import register
    from geoplan.errors import InputFileError

    with pytest.raises(InputFileError, match="no geoplan.gpkg"):
        write_report(tmp_path)
    group = click.Group("geoplan")
    register(group)
    r = CliRunner().invoke(group, ["report", str(tmp_path)])
    assert isinstance(r.exception, InputFileError)


def test_cli_report_command(run_dir, tmp_path):
    import click
    from click.testing import CliRunner

    from geoplan.cli.report import register

    out = tmp_path / "run"
    shutil.copytree(run_dir, out, ignore=shutil.ignore_patterns("report"))
    group = click.Group("geoplan")
    register(group)
    r = CliRunner().invoke(group, ["report", str(out), "--lang", "da", "--dpi", "50"])
    assert r.exit_code == 0, r.output
    assert "report.pdf (10 pages)" in r.output and "OpenStreetMap" in r.output


# ---------------------------------------------------------------------------------------------
# safety-walk findings
@pytest.fixture(scope="module")
def findings_dir(run_dir, tmp_path_factory) -> Path:
    """The shared run with the demo safety walk's findings added as the run writes them."""
    import pyogrio

    from geoplan.sources.findings import read_findings

    out = tmp_path_factory.mktemp("findings_run") / "run"
    shutil.copytree(run_dir, out, ignore=shutil.ignore_patterns("report"))
    src = out.parent / "demo_findings.gpkg"  # a copy: reading in place may add side files
    shutil.copy(Path(__file__).parents[2] / "data" / "demo_findings.gpkg", src)
    crs = pyogrio.read_info(out / "geoplan.gpkg", layer="grid")["crs"]
    f = read_findings(src).to_crs(crs)
    cols = ["finding_id", "category", "severity", "date", "status", "note", "photo", "walk",
            "geometry"]
    points = f.geometry.geom_type == "Point"
    pyogrio.write_dataframe(f.loc[points, cols], out / "geoplan.gpkg", layer="findings")
    pyogrio.write_dataframe(f.loc[~points, cols], out / "geoplan.gpkg", layer="findings_lines")
    out.joinpath("page_texts.json").write_text(json.dumps(list(write_report(
        out, dpi=60).page_texts)), encoding="utf-8")  # the pipeline's language: sv
    return out


def test_findings_map_is_drawn_with_the_category_legend(findings_dir):
    from matplotlib_scalebar.scalebar import ScaleBar
    from PIL import Image

    from geoplan.indicators.findings import findings_map_layer
    from geoplan.outputs.maps import FINDINGS_MAP
    from geoplan.sources.findings import category_labels

    png = findings_dir / "report" / "maps" / "findings.png"
    assert png.is_file() and png.with_suffix(".pdf").is_file()
    _not_blank(np.asarray(Image.open(png).convert("RGB")))
    run = load_run(findings_dir)
    fig = map_figure(run, FINDINGS_MAP, lang="sv")
    legend = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_legend().get_texts()]
    expected = list(findings_map_layer(run.findings, lang="sv", include_fixed=True)
                    .attrs["legend"])
    open_cats = run.findings.loc[run.findings["status"] == "open", "category"].unique()
    assert legend[:len(expected)] == expected
    assert {category_labels("sv")[c] for c in open_cats} <= set(expected)
    assert "åtgärdad" in expected  # fixed findings: grey
    joined = "\n".join(figure_texts(fig))
    assert "Synpunkter från trygghetsvandringar" in joined  # title
    assert "© OpenStreetMap-bidragsgivare" in joined
    assert "synpunkter från trygghetsvandringar" in joined  # the safety walk as a source
    assert "gångnät" in legend and "allmän grönyta" in legend  # the context layers
    assert "N" in figure_texts(fig)
    assert any(isinstance(a, ScaleBar) for a in fig.axes[0].artists)


def test_findings_sentence_and_map_page_in_the_pdf(findings_dir):
    run = load_run(findings_dir)
    f = run.findings
    n_open = int((f["status"] == "open").sum())
    n_dark = int(((f["status"] == "open") & f["category"].isin(["dark_spot", "broken_lamp"]))
                 .sum())
    sentence = (f"{n_open} öppna synpunkter från trygghetsvandringar, varav {n_dark} mörka "
                "platser eller trasiga lampor.")
    rep = findings_dir / "report"
    texts = [t.replace("\n", " ") for t in json.loads(
        (findings_dir / "page_texts.json").read_text(encoding="utf-8"))]
    assert sentence in texts[1]  # key numbers
    page = next(i for i, t in enumerate(texts) if "Karta 7. Synpunkter från trygghetsvandringar"
                in t)
    assert sentence in texts[page]  # also under the map
    assert len(texts) == _gdal_pages(rep / "report.pdf") == 11  # one map page more
    _not_blank(np.moveaxis(_gdal_render(rep / "report.pdf", page + 1), 0, -1))


def test_findings_input_is_named_as_a_source(findings_dir):
    from dataclasses import replace

    from geoplan.outputs.maps import FINDINGS_MAP, source_line
    from geoplan.outputs.report import source_notes

    run = load_run(findings_dir)
    prov = dict(run.provenance)
    prov["inputs"] = {**prov["inputs"], "safety_walk": {"path": "/x/walk.gpkg",
                                                        "sha256": "ab" * 32}}
    run = replace(run, provenance=prov)
    assert "Synpunkter från trygghetsvandringar: walk.gpkg (SHA-256 abab" in "\n".join(
        source_notes(run, "sv"))
    line = source_line(run, "da", FINDINGS_MAP)
    assert "© OpenStreetMap-bidragydere" in line and "tryghedsvandringer (walk.gpkg)" in line


def test_findings_sheet_in_tables_xlsx(findings_dir):
    import openpyxl

    run = load_run(findings_dir)
    wb = openpyxl.load_workbook(findings_dir / "report" / "tables.xlsx")
    assert wb.sheetnames == ["indikatorer", "synpunkter trygghetsvandringar",
                             "datakvalitet", "metodparametrar"]
    rows = list(wb["synpunkter trygghetsvandringar"].iter_rows(values_only=True))
    head = rows[0]
    assert head[:4] == ("finding_id", "category", "kategori (text)", "severity")
    assert len(rows) - 1 == len(run.findings)
    assert sorted(r[0] for r in rows[1:]) == sorted(run.findings["finding_id"])
    assert rows[1][4] == "open" and "linje" in {r[head.index("ritad som")] for r in rows[1:]}


def test_no_findings_map_without_findings(run_dir, tmp_path):
    from geoplan.errors import InputFileError
    from geoplan.outputs.maps import FINDINGS_MAP, REPORT_MAPS, write_maps
    from geoplan.outputs.report import key_number_map

    assert not (run_dir / "report" / "maps" / "findings.png").exists()
    run = load_run(run_dir)
    assert run.findings is None
    assert "findings" not in key_number_map(run, "sv")
    assert [m.key for m in write_maps(run, tmp_path, specs=REPORT_MAPS, dpi=20)] == [
        s.key for s in HEADLINE_MAPS]
    with pytest.raises(InputFileError, match="no safety-walk findings"):
        map_figure(run, FINDINGS_MAP)


def test_scenario_change_table_shows_open_findings(run_dir, tmp_path):
    from geoplan.outputs.report import change_sentences, change_table_rows
    from geoplan.outputs.tables import change_table

    out = tmp_path / "scenario"
    _add_scenario(run_dir, out)
    # as geoplan scenario run writes it (geoplan.runs.scenario._findings_change_rows)
    pd.DataFrame([{"scenario": "s", "area_key": "__study_area__", "area_name": "",
                   "measure": "open_findings", "category": "", "label": "Open findings",
                   "unit": "findings", "before": 26.0, "after": 23.0, "change": -3.0,
                   "better": "lower"}]).to_csv(out / "changes.csv", index=False)
    run = load_run(out)
    rows = change_table_rows(run, "sv")
    col = rows[0].index("Öppna synpunkter (trygghetsvandring)")
    assert [r[col] for r in rows[1:]] == ["—", "26 → 23 (-3)"]
    assert "Öppna synpunkter (trygghetsvandring): 26 före, 23 efter (-3)." in change_sentences(
        run, "sv")
    table = change_table(run.areas_change, run.changes)
    assert table["open_findings_change"].tolist()[-1] == -3.0
