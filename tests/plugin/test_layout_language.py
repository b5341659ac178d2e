"""The council and scenario layouts are in ONE language, the layout's (issue 17): built in sv
and da from an ENGLISH run, no label, legend entry or table cell of the layout holds an
English-only word, the areas table is headed by the data dictionary's labels and names its
areas, and the scale bar writes numbers as the language does.

Oracles: hand-written Swedish/Danish words (from the translators' catalogues), a list of
English-only words, and :func:`geoplan.outputs.dictionary.column_words` for the headers.
Runs real headless QGIS (pytest-qgis) on real run folders of the embedded Helsinki extract."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[2]
#: words a Swedish or Danish planner must not find in their layout (whole words)
ENGLISH_ONLY = ("Date", "Data sources", "baseline", "Headline", "Whole study area", "lit",
                "not lit", "lighting unknown", "new path", "path lit", "new lamp", "new homes",
                "Residents", "persons", "ratio", "Area", "Measure", "Before", "After", "Change")
#: (first header, whole study area, residents, persons, lit, new path) in each language
WORDS = {"sv": ("Område", "Hela analysområdet", "Invånare", "personer", "belyst", "ny gångväg"),
         "da": ("Område", "Hele analyseområdet", "Indbyggere", "personer", "belyst", "ny sti")}


@pytest.fixture(scope="module")
def english_runs(tmp_path_factory, processing_initialized) -> tuple[Path, Path]:
    """An English demo run (250 m cells) over two named halves, and the demo scenario on it."""
    from geoplan.config import parse_pipeline
    from geoplan.runs.pipeline import run_pipeline
    from geoplan.runs.scenario import run_scenario
    from geoplan.scenario.io import read_scenario

    tmp = tmp_path_factory.mktemp("layout_language")
    halves = gpd.GeoDataFrame({"id": ["W", "E"], "area": ["Västra", "Østre"]}, crs=4326,
                              geometry=[shapely.box(24.935, 60.164, 24.944, 60.179),
                                        shapely.box(24.944, 60.164, 24.953, 60.179)])
    halves.to_file(tmp / "halves.gpkg")
    text = ('[input]\nosm = "demo"\nbbox = [24.935, 60.164, 24.953, 60.179]\n[grid]\n'
            'cell_size_m = 250\n[output]\nlang = "en"\n[areas]\npath = "halves.gpkg"\n'
            'key_column = "id"\nname_column = "area"\n')
    run_pipeline(parse_pipeline(text, tmp), tmp / "run")
    run_scenario(tmp / "run", read_scenario(ROOT / "data" / "demo_scenario.gpkg"), tmp / "scen")
    return tmp / "run", tmp / "scen"


def _texts(layout) -> list[str]:
    """Every text a reader sees: labels, legend titles and entries, table headers and cells."""
    from qgis.core import (
        QgsLayoutFrame,
        QgsLayoutItemLabel,
        QgsLayoutItemLegend,
        QgsLayoutItemManualTable,
    )
    from qgis.PyQt.QtCore import Qt

    out = []
    for item in layout.items():
        if isinstance(item, QgsLayoutItemLabel):
            out.append(item.currentText())
        elif isinstance(item, QgsLayoutItemLegend):
            out.append(item.title())
            model = item.model()
            for node in model.rootGroup().findLayers():
                out += [str(n.data(Qt.ItemDataRole.DisplayRole))
                        for n in model.layerLegendNodes(node)]
        elif isinstance(item, QgsLayoutFrame) and isinstance(item.multiFrame(),
                                                             QgsLayoutItemManualTable):
            table = item.multiFrame()
            out += [c.heading() for c in table.headers()]
            out += [str(c.content()) for row in table.tableContents() for c in row]
    return out


def _english(texts: list[str]) -> list[str]:
    return [f"{w!r} in {t!r}" for t in texts for w in ENGLISH_ONLY
            if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", t)]


@pytest.mark.parametrize("lang", ["sv", "da"])
def test_layouts_of_an_english_run_have_no_english_word(english_runs, lang):
    from geoplan_qgis.layout import build_council_layout
    from qgis.core import QgsProject

    project = QgsProject()
    texts = []
    for folder in english_runs:
        texts += _texts(build_council_layout(folder, project=project, lang=lang).layout)
    first, whole, residents, persons, lit, new_path = WORDS[lang]
    assert _english(texts) == []
    for word in (whole, residents, persons, lit, new_path):  # the layouts say it in lang
        assert word in texts, word
    project.layoutManager().clear()


@pytest.mark.parametrize("lang", ["sv", "da"])
def test_areas_table_is_headed_by_the_dictionary_and_names_the_areas(english_runs, lang):
    from geoplan_qgis.layout import build_council_layout
    from qgis.core import QgsProject

    from geoplan.outputs.dictionary import column_words
    from geoplan.outputs.maps import load_run

    run = load_run(english_runs[0])
    council = build_council_layout(english_runs[0], project=QgsProject(), lang=lang)
    headers, body = council.table
    columns = ["pop", "safety_index", "dist_grocery_m", "lit_share", "green_scb_300m_pop_share"]
    assert headers == [WORDS[lang][0], *(column_words(c, lang, run.access)["label"]
                                         for c in columns)]
    assert sorted(r[0] for r in body) == sorted(["Västra", "Østre", WORDS[lang][1]])


@pytest.mark.parametrize(("lang", "pct"), [("sv", "\u00a0%"), ("da", "\u00a0%"), ("en", "%")])
def test_areas_table_writes_shares_in_per_cent_and_distances_to_10_m(english_runs, lang, pct):
    """A council reads "80 %", not "0,80", and "350 m", not "347,21": the areas table writes
    each area's lit share and residents' share near green space in per cent and the distance
    to a grocery rounded to 10 m with its unit, from the values of the run's areas layer."""
    import pyogrio
    from geoplan_qgis.layout import build_council_layout
    from qgis.core import QgsProject

    from geoplan.runs import folder as rf

    council = build_council_layout(english_runs[0], project=QgsProject(), lang=lang)
    headers, body = council.table
    gpkg = rf.RunFolder(english_runs[0]).gpkg
    areas = pyogrio.read_dataframe(gpkg, layer=rf.AREAS, read_geometry=False)
    assert len(body) == len(areas)
    shares = {"lit_share", "green_scb_300m_pop_share"}
    for row, (_, area) in zip(body, areas.iterrows(), strict=True):
        cells = dict(zip(["name", "pop", "safety_index", "dist_grocery_m", *sorted(shares,
                     key=["lit_share", "green_scb_300m_pop_share"].index)], row, strict=True))
        for col in shares:  # e.g. 0.8049 -> "80 %"
            assert cells[col] == f"{round(100 * area[col])}{pct}", (col, cells[col])
        d = area["dist_grocery_m"]  # e.g. 347.2 -> "350 m" (all demo distances are < 1,000 m)
        assert d < 1000
        want = round(d, -1) if d >= 100 else round(d)
        assert cells["dist_grocery_m"] == f"{int(want)} m", cells["dist_grocery_m"]


@pytest.mark.parametrize(("lang", "thousand"), [("sv", r"1\s000"), ("da", r"1\.000"),
                                                ("en", r"1,000")])
def test_scale_bar_numbers_are_written_as_the_language_writes_them(english_runs, lang,
                                                                    thousand):
    from geoplan_qgis.layout import build_council_layout
    from qgis.core import QgsNumericFormatContext, QgsProject

    council = build_council_layout(english_runs[0], project=QgsProject(), lang=lang)
    number = council.items["scalebar"].numericFormat()
    text = number.formatDouble(1000.0, QgsNumericFormatContext())
    assert re.fullmatch(thousand, text), text


def _source_layer(layer) -> str:
    return layer.source().rsplit("layername=", 1)[-1].split("|")[0]


def test_layout_maps_draw_buildings_area_outlines_and_street_names_as_the_report(english_runs):
    """Each map of the council layout draws, like the report's maps, the run's buildings (all
    of them, under the outlines), the outlines of its two areas named by their name column
    (not the study area's own row) and the names of the five longest named streets (oracle:
    the network's lengths summed per first name with pandas)."""
    import pyogrio
    from geoplan_qgis.layout import build_council_layout
    from qgis.core import QgsLayoutItemMap, QgsProject

    from geoplan.runs import folder as rf

    run = english_runs[0]
    gpkg = rf.RunFolder(run).gpkg
    council = build_council_layout(run, project=QgsProject(), lang="sv")
    maps = [i for i in council.layout.items() if isinstance(i, QgsLayoutItemMap)]
    net = pyogrio.read_dataframe(gpkg, layer=rf.NETWORK)
    first = net["name"].astype("string").str.split(";").str[0].str.strip()
    lengths = net.geometry.length.groupby(first[first.notna() & (first != "")]).sum()
    top5 = set(lengths.sort_values(ascending=False).index[:5])
    for m in maps:
        by_source = {_source_layer(lyr): lyr for lyr in m.layers()}
        order = [_source_layer(lyr) for lyr in m.layers()]
        buildings, areas = by_source[rf.BUILDINGS], by_source[rf.AREAS]
        assert buildings.featureCount() == pyogrio.read_info(gpkg, layer=rf.BUILDINGS)[
            "features"]
        assert sorted(f["area"] for f in areas.getFeatures()) == ["Västra", "Østre"]
        assert areas.labelsEnabled() and areas.labeling().settings().fieldName == "area"
        assert order.index(rf.AREAS) < order.index(rf.BUILDINGS)  # outlines over buildings
        streets = [lyr for lyr in m.layers() if lyr.name() == "gatunamn"]
        assert len(streets) == 1 and streets[0].labelsEnabled()
        named = {str(f["name"]).split(";")[0].strip() for f in streets[0].getFeatures()}
        assert named == top5
