"""The core's texts in gettext catalogues, nothing untranslated, and the language defects of
issue 17 (study-area row, changes.xlsx, table headers split mid-word, Danish letters, wording).

The oracles are independent of :mod:`geoplan.i18n`: the ``.po`` files are read with babel's
reader, the ``.mo`` files with Python's own :mod:`gettext`, spreadsheets with openpyxl and the
report's table cells with reportlab's line breaking.
"""

from __future__ import annotations

import gettext
import importlib
import io
import pkgutil
import string
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import geoplan
from geoplan.i18n import CATALOGUE, tr

ROOT = Path(geoplan.__file__).resolve().parents[1]
LOCALE = ROOT / "geoplan" / "locale"
LANGS = ("sv", "da")
#: texts that rightly read the same as in English: (key, language) -> why
SAME_AS_ENGLISH = {
    ("finding_field_status", "sv"): "Status is the Swedish word",
    ("finding_field_status", "da"): "Status is the Danish word",
    ("dd_col_tunnel", "sv"): "Tunnel is the Swedish word",
    ("dd_col_tunnel", "da"): "Tunnel is the Danish word",
    ("dd_col_scenario", "sv"): "Scenario is the Swedish word",
    ("north", "sv"): "N for north in every language",
    ("north", "da"): "N for north in every language",
    ("src_data", "sv"): "Data is the Swedish word",
    ("src_data", "da"): "Data is the Danish word",
    ("s_input", "sv"): "only placeholders and the name SHA-256",
    ("s_input", "da"): "only placeholders and the name SHA-256",
    ("s_versions", "da"): "Software is the Danish word",
    ("ctx_destinations", "da"): "destination is the Danish word",
}


def _import_all() -> None:
    for mod in pkgutil.walk_packages(geoplan.__path__, "geoplan."):
        importlib.import_module(mod.name)


def _po(lang: str):
    with (LOCALE / lang / "LC_MESSAGES" / "geoplan.po").open("rb") as f:
        return read_po(f)


def _extract_script():
    """``scripts/extract_texts.py`` as a module."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import extract_texts
    finally:
        sys.path.pop(0)
    return extract_texts


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_no_text_is_untranslated():
    """Every registered text has a Swedish and a Danish translation that differs from the
    English (unless listed in SAME_AS_ENGLISH) and keeps its {placeholders}."""
    _import_all()
    untranslated = {lang: [] for lang in LANGS}
    for key, entry in sorted(CATALOGUE.items()):
        for lang in LANGS:
            text = tr(key, lang)
            if not text or (text == entry["en"] and (key, lang) not in SAME_AS_ENGLISH):
                untranslated[lang].append(f"{key}: {entry['en']!r}")
            elif _fields(text) != _fields(entry["en"]):
                untranslated[lang].append(f"{key}: placeholders {sorted(_fields(text))}")
    assert untranslated == {lang: [] for lang in LANGS}, untranslated
    stale = [k for k in SAME_AS_ENGLISH if k[0] not in CATALOGUE]
    assert not stale, f"allow-list entries for texts that no longer exist: {stale}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalogue_entry_is_used(lang):
    """No stale entry: each msgctxt is a registered key and its msgid that key's English."""
    _import_all()
    stale = [(m.context, m.id) for m in _po(lang) if m.id
             and CATALOGUE.get(m.context, {}).get("en") != m.id]
    assert not stale, stale


@pytest.mark.parametrize("lang", LANGS)
def test_committed_mo_is_the_compiled_po_and_answers_gettext(lang):
    """The shipped ``.mo`` is what babel compiles from the ``.po``, and Python's gettext reads
    every translation from it by (msgctxt, msgid)."""
    folder = LOCALE / lang / "LC_MESSAGES"
    buf = io.BytesIO()
    catalog = _po(lang)
    write_mo(buf, catalog)
    assert (folder / "geoplan.mo").read_bytes() == buf.getvalue()
    with (folder / "geoplan.mo").open("rb") as f:
        gnu = gettext.GNUTranslations(f)
    wrong = [m.context for m in catalog if m.id and gnu.pgettext(m.context, m.id) != m.string]
    assert not wrong and len(catalog) > 300, wrong


def test_no_translation_is_left_in_the_code():
    """``scripts/extract_texts.py --check`` passes: no dict holds sv/da in the code and the
    committed catalogues are what the script writes."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "extract_texts.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_extract_script_rewrites_a_module_by_its_spans():
    """A toy module (with non-ASCII text before the dict, so byte and character offsets differ):
    sv/da leave the code, the English and everything else stay as written; a second run finds
    nothing."""
    ex = _extract_script()
    src = ('"""Grönyta, gård."""\nT = {\n    "k1": {"en": "Green", "sv": "Grön", "da": "Grøn"},\n'
           '    "k2": {\n        "en": "a "\n              "b",\n        "sv": "c", "da": "d"},\n'
           '    "k3": {"en": "done"},\n}\nOTHER = {"x": {"en": 1}}\n').encode()
    found = ex.find_texts(src)
    assert [(f.key, f.english, f.translations) for f in found] == [
        ("k1", "Green", {"sv": "Grön", "da": "Grøn"}), ("k2", "a b", {"sv": "c", "da": "d"})]
    out = ex.english_only(src, found)
    assert out.decode() == ('"""Grönyta, gård."""\nT = {\n    "k1": {"en": "Green"},\n'
                            '    "k2": {\n        "en": "a "\n              "b"},\n'
                            '    "k3": {"en": "done"},\n}\nOTHER = {"x": {"en": 1}}\n')
    assert ex.find_texts(out) == []
    po = ex.po_bytes("da", {"k1": ("Green", "Grøn")})
    assert {m.context: (m.id, m.string) for m in read_po(io.BytesIO(po)) if m.id} == {
        "k1": ("Green", "Grøn")}


# --- the language defects ------------------------------------------------------------------
def _toy_grid():
    return gpd.GeoDataFrame({"pop": [10.0, 30.0], "safety_index": [50.0, 70.0]},
                            geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
                            index=pd.Index(["a", "b"], name="cell_id"), crs=3006)


@pytest.mark.parametrize(("lang", "words"), [("sv", "Hela analysområdet"),
                                             ("da", "Hele analyseområdet"),
                                             ("en", "Whole study area")])
def test_study_area_row_in_the_language(lang, words):
    """The last row of an area summary is named in the output's language."""
    from geoplan.indicators.equity import area_summary, name_study_area

    areas = gpd.GeoDataFrame({"code": ["X"], "name": ["Fittja"]},
                             geometry=[shapely.box(0, 0, 200, 100)], crs=3006)
    s = area_summary(_toy_grid(), areas, key="code", name="name", lang=lang)
    assert s["name"].tolist() == ["Fittja", words]
    assert name_study_area(area_summary(_toy_grid(), areas, key="code", name="name"),
                           "code", "name", lang)["name"].tolist() == ["Fittja", words]


def test_changes_xlsx_in_swedish(tmp_path):
    """changes.xlsx of a Swedish run: Swedish sheet name, headers, units and better direction
    (read back with openpyxl)."""
    from geoplan.runs.scenario import write_changes_xlsx

    changes = pd.DataFrame({
        "scenario": ["Ny väg"], "area_key": ["__study_area__"], "area_name": ["Hela"],
        "measure": ["residents_night_access"], "category": ["school"], "label": ["Invånare"],
        "unit": ["persons"], "before": [10.0], "after": [20.0], "change": [10.0],
        "better": ["higher"]})
    write_changes_xlsx(tmp_path / "changes.xlsx", changes, title="Förslag", lang="sv")
    wb = openpyxl.load_workbook(tmp_path / "changes.xlsx")
    assert wb.sheetnames == ["förändringar"]
    ws = wb.active
    assert [c.value for c in ws[4]] == [
        "Område", "Mått", "Före", "Efter", "Förändring", "Enhet", "Bättre när", "Mått (kolumn)",
        "Typ av målpunkt", "Områdeskod", "Scenariots namn"]
    assert [c.value for c in ws[5]][5:9] == ["personer", "högre", "residents_night_access",
                                             "skola"]


def _broken_words(rows, width):
    """Words of the header row that reportlab's line breaking splits inside the table."""
    from geoplan.outputs import report

    table = report._table(rows, report._styles(), width)
    assert sum(table._colWidths) <= width + 1e-6
    broken = []
    for j, text in enumerate(rows[0]):
        cell = table._cellvalues[0][j]
        cell.wrap(table._colWidths[j] - 12, 10_000)  # 6 pt padding each side (reportlab)
        words = set(text.split())
        broken += [w for line in cell.blPara.lines for w in line[1] if w not in words]
    return broken


@pytest.mark.parametrize("lang", ["en", "sv", "da"])
def test_report_table_headers_are_not_split_mid_word(lang):
    """The per-area table of the PDF report (A4, 2 cm margins) breaks its headers between words
    only ("Trygghetsi/ndex" was the defect)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm

    from geoplan.outputs import report

    a = gpd.GeoDataFrame({"code": ["A", "__study_area__"],
                          **{c: [1.0, 2.0] for c, _, _ in report._AREA_COLUMNS}})
    rows = report.area_table(report.RunData(Path("."), grid=None, areas=a), lang)
    assert _broken_words(rows, A4[0] - 4 * cm) == []


def test_danish_letters_are_kept_in_column_names():
    """A Danish statistics header keeps its ø and æ (spelled out) in the column name."""
    from geoplan.sources.stats import slugify

    assert slugify("Indkomst før skat") == "indkomst_for_skat"
    assert slugify("Ældre over 65 år") == "aeldre_over_65_ar"


def test_safety_map_wording_in_swedish():
    """The Swedish method note says the safety map hatches ("streckar") uncertain cells."""
    _import_all()
    text = tr("m_confidence", "sv", known="", tag="", lamps="", assumed="")
    assert "streckar" in text and "stryker" not in text


@pytest.mark.skipif(not (ROOT / ".cache" / "wheelhouse").is_dir(),
                    reason="needs the build wheelhouse of `make setup`")
def test_wheel_ships_the_compiled_catalogues(checkout_wheel):
    """``pip wheel`` of the checkout (tests/conftest.py) holds both ``.mo`` files (package
    data)."""
    import zipfile

    wheel = checkout_wheel
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"geoplan/locale/{lang}/LC_MESSAGES/geoplan.mo" for lang in LANGS} <= set(names)


def test_swedish_run_names_the_study_area_row_in_swedish(tmp_path):
    """A Swedish run of the demo with named summary areas: the GeoPackage's ``areas`` layer
    (read back with pyogrio) names its whole-study-area row in Swedish, the others as given."""
    import pyogrio

    from geoplan.config import parse_pipeline
    from geoplan.runs.pipeline import run_pipeline
    from geoplan.sources.osm import extract_bounds

    x0, y0, x1, y1 = extract_bounds(parse_pipeline('[input]\nosm="demo"', tmp_path).osm)
    xm = (x0 + x1) / 2
    gpd.GeoDataFrame({"code": ["W", "E"], "label": ["Väster", "Öster"]},
                     geometry=[shapely.box(x0, y0, xm, y1), shapely.box(xm, y0, x1, y1)],
                     crs=4326).to_file(tmp_path / "areas.gpkg")
    cfg = parse_pipeline('[input]\nosm = "demo"\n[areas]\npath = "areas.gpkg"\n'
                         'key_column = "code"\nname_column = "label"\n[output]\nlang = "sv"\n',
                         tmp_path)
    run_pipeline(cfg, tmp_path / "o")
    areas = pyogrio.read_dataframe(tmp_path / "o" / "geoplan.gpkg", layer="areas")
    assert areas.set_index("code")["label"].to_dict() == {
        "W": "Väster", "E": "Öster", "__study_area__": "Hela analysområdet"}


def test_extract_check_names_a_dict_still_holding_translations(tmp_path):
    """After a merge brings a new three-language dict, the script's plan names it (what
    ``--check`` prints) and writes its sv/da into the catalogues, keeping what they hold."""
    ex = _extract_script()
    pkg = tmp_path / "geoplan"
    pkg.mkdir()
    (pkg / "new.py").write_text('T = {"new_k": {"en": "Lamp", "sv": "Lampa", "da": "Lampe"}}\n',
                                encoding="utf-8")
    writes, held = ex.plan(pkg)
    assert held == ["geoplan/new.py: new_k"]
    assert writes[pkg / "new.py"] == b'T = {"new_k": {"en": "Lamp"}}\n'
    po = {m.context: (m.id, m.string)
          for m in read_po(io.BytesIO(writes[ex.po_path("da")])) if m.id}
    assert po["new_k"] == ("Lamp", "Lampe")
    assert po["walkable_km"] == ("Walkable network (km)", "Gangbart net (km)")
