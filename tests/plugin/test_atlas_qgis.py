"""The council layout in QGIS (issue 17, items 2 and 3): an atlas driven by the run's areas
layer, exported with QGIS's native atlas export (N areas -> N pages, each titled with its area's
name, read back with pypdf), and map titles, legends and the areas table worded from the
indicator catalogue in sv/da/en, never with raw column names.

Runs real headless QGIS (pytest-qgis) on real run folders of the embedded Helsinki extract."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pypdf
import pytest
import shapely
from click.testing import CliRunner
from qgis.core import QgsLayoutItemLegend, QgsProject

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[2]
#: three strips across the demo's study area, south to north (WGS 84); the names hold å/ö
STRIPS = {"Södra": (60.164, 60.169), "Mellersta": (60.169, 60.174), "Norra Å": (60.174, 60.179)}


@pytest.fixture(scope="module")
def strip_run(tmp_path_factory, processing_initialized) -> Path:
    """The demo (250 m cells) summarised by three named strips."""
    from geoplan.config import parse_pipeline
    from geoplan.runs.pipeline import run_pipeline

    tmp = tmp_path_factory.mktemp("atlas_qgis")
    gpd.GeoDataFrame({"code": ["S", "M", "N"], "name": list(STRIPS)}, crs=4326, geometry=[
        shapely.box(24.935, lo, 24.953, hi) for lo, hi in STRIPS.values()]).to_file(
        tmp / "strips.gpkg")
    cfg = parse_pipeline('[input]\nosm = "demo"\nbbox = [24.935, 60.164, 24.953, 60.179]\n'
                         '[grid]\ncell_size_m = 250\n[areas]\npath = "strips.gpkg"\n'
                         'key_column = "code"\nname_column = "name"\n', tmp)
    run_pipeline(cfg, tmp / "out")
    return tmp / "out"


@pytest.fixture(scope="module")
def scenario_run(strip_run) -> Path:
    """The demo scenario (data/demo_scenario.gpkg) on the strip run's saved baseline."""
    from geoplan.cli.main import cli

    out = strip_run.parent / "scenario"
    res = CliRunner().invoke(cli, ["scenario", "run", str(strip_run),
                                   str(ROOT / "data" / "demo_scenario.gpkg"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _pages(pdf: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(pdf).pages]


def test_atlas_has_one_page_per_area_titled_with_its_name(strip_run, tmp_path):
    from geoplan_qgis.layout import build_area_atlas, export_atlas

    project = QgsProject()
    atlas = build_area_atlas(strip_run, project=project, lang="sv")
    assert atlas.layout.atlas().coverageLayer() is atlas.areas
    assert atlas.items["maps"][0].atlasDriven()
    pages = _pages(export_atlas(atlas, tmp_path / "atlas.pdf", dpi=60))
    assert len(pages) == len(STRIPS)  # the study area's own row is no page
    for text, name in zip(pages, STRIPS, strict=True):
        assert text.startswith(name), text[:60]  # the title is the atlas feature's name
        assert "Hela analysområdet" in text and "OpenStreetMap-bidragsgivare" in text
    project.layoutManager().clear()
    project.clear()


def test_council_algorithm_exports_the_atlas(module_plugin_atlas, strip_run, tmp_path):
    import processing

    res = processing.run("geoplan:council_layout", {
        "RUN": str(strip_run), "DPI": 50, "LANG": 1, "PDF": str(tmp_path / "c.pdf"),
        "PNG": str(tmp_path / "c.png"), "ATLAS": str(tmp_path / "atlas.pdf")})
    assert res["ATLAS"] == str(tmp_path / "atlas.pdf")
    pages = _pages(tmp_path / "atlas.pdf")
    assert [p.split(" ")[0] for p in pages] == ["Södra", "Mellersta", "Norra"]
    assert "Residents" in pages[0] and "the whole study area" in pages[0]


@pytest.fixture(scope="module")
def module_plugin_atlas(processing_initialized):
    from geoplan_qgis import classFactory

    plug = classFactory(None)
    plug.initProcessing()
    yield plug
    plug.unload()


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_layout_titles_come_from_the_catalogue(strip_run, scenario_run, lang):
    """Every map title of the baseline and scenario layouts is its column's catalogue label
    (under the run's distances); no title, legend title or table heading holds a raw column
    name or an underscore."""
    from geoplan_qgis.layout import _map_title, build_council_layout

    from geoplan.columns import HEADLINE, describe
    from geoplan.outputs.maps import load_run

    run = load_run(strip_run)
    for column in HEADLINE:  # every headline indicator has a readable title
        label = describe(column, run.access).label(lang)
        assert _map_title(run, column, lang) == label and "_" not in label, column
    project = QgsProject()
    checked = []
    for folder, indicator in ((strip_run, None), (scenario_run, "night_dist_grocery_m")):
        council = build_council_layout(folder, project=project, lang=lang, indicator=indicator)
        titles = [t.text() for t in council.items["map_titles"]]
        legends = [i.title() for i in council.layout.items() if isinstance(i, QgsLayoutItemLegend)]
        columns = ["safety_index", "dist_grocery_m"] if indicator is None else [indicator] * 3
        for title, column in zip(titles, columns, strict=False):
            assert title.split(" — ")[0] == describe(column, run.access).label(lang)
        table = council.table[0] if council.table else []
        for text in (*titles, *legends, *table):
            assert "_" not in text and not any(c in text for c in HEADLINE if "_" in c), text
        checked += titles
    assert len(checked) == 6  # three baseline maps, before/after/change
    project.layoutManager().clear()
    project.clear()
