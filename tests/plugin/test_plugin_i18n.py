"""What the planner reads in the plugin is in English, Swedish or Danish, following QGIS."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.qgis

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _texts(alg) -> dict[str, str]:
    """Every text of an algorithm a planner sees, keyed by where it appears."""
    texts = {
        "displayName": alg.displayName(),
        "group": alg.group(),
        "shortHelpString": alg.shortHelpString(),
    }
    for p in alg.parameterDefinitions():
        texts[f"parameter {p.name()}"] = p.description()
        if hasattr(p, "options"):
            for i, option in enumerate(p.options()):
                texts[f"parameter {p.name()} option {i}"] = option
    for o in alg.outputDefinitions():
        texts[f"output {o.name()}"] = o.description()
    return texts


def _fresh_inspect_algorithm():
    from geoplan_qgis.algorithms.inspect import InspectAlgorithm

    alg = InspectAlgorithm().createInstance()
    alg.initAlgorithm()
    return alg


def test_catalogue_is_complete():
    from geoplan_qgis.i18n import CATALOGUE

    for english, entry in CATALOGUE.items():
        assert set(entry) == {"sv", "da"}, english
        for lang, text in entry.items():
            assert text.strip(), (english, lang)
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(english)), (
                english, lang,
            )


def test_every_text_the_plugin_translates_has_swedish_and_danish():
    """Every ``tr("…")`` in the plugin's source (read with ast, not by calling the plugin) is in
    the catalogue: no message, label or option stays English for a Swedish or Danish planner."""
    import ast
    from pathlib import Path

    from geoplan_qgis import i18n

    root = Path(i18n.__file__).parent
    english_only = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "tr"):
                continue
            text = node.args[0]
            if isinstance(text, ast.Constant) and isinstance(text.value, str) \
                    and text.value not in i18n.CATALOGUE:
                english_only.add(f"{path.name}: {text.value[:70]}")
    assert not english_only, sorted(english_only)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("sv_SE", "sv"), ("sv", "sv"), ("da_DK", "da"), ("en_GB", "en"), ("fi_FI", "en")],
)
def test_language_follows_qgis_setting(qgis_language, setting, expected):
    from geoplan_qgis.i18n import current_language

    qgis_language(setting)
    assert current_language() == expected


@pytest.mark.parametrize(
    ("setting", "display_name", "group"),
    [("sv_SE", "Granska OSM-fil", "Indata"), ("da_DK", "Undersøg OSM-fil", "Inddata")],
)
def test_every_text_of_inspect_is_translated(
    qgis_language, processing_initialized, setting, display_name, group
):
    qgis_language("en_GB")
    english = _texts(_fresh_inspect_algorithm())
    qgis_language(setting)
    translated = _texts(_fresh_inspect_algorithm())
    assert translated["displayName"] == display_name
    assert translated["group"] == group
    assert set(translated) == set(english)
    same = [k for k in english if translated[k] == english[k]]
    assert same == [], f"not translated for {setting}: {same}"


def test_missing_dependency_message_in_swedish_and_danish():
    from geoplan_qgis.deps import DepsReport, Problem, Requirement

    report = DepsReport(
        (Problem(Requirement("osmnx", "osmnx", "2.0"), "missing"),
         Problem(Requirement("pyproj", "pyproj", "3.6"), "too old", "3.4.1")),
        None, "/usr/bin/python3", "3.11.2", None,
    )
    sv = report.message("sv")
    assert "saknar dessa moduler" in sv and "osmnx (osmnx>=2.0): inte installerad" in sv
    assert "pyproj (pyproj>=3.6): version 3.4.1 är för gammal" in sv
    da = report.message("da")
    assert "mangler disse moduler" in da and "version 3.4.1 er for gammel" in da
    # the commands are the same in every language
    assert report.fix_commands("sv") == report.fix_commands("en")
    assert "'osmnx>=2.0' 'pyproj>=3.6'" in report.fix_commands("en")[0]


def _fresh(algorithm_class):
    alg = algorithm_class().createInstance()
    alg.initAlgorithm()
    return alg


def _untranslated(qgis_language, setting: str) -> list[str]:
    """Texts of every algorithm that read the same under ``setting`` as under English."""
    from geoplan_qgis.algorithms import ALGORITHMS

    same = []
    for algorithm_class in ALGORITHMS:
        qgis_language("en_GB")
        english = _texts(_fresh(algorithm_class))
        qgis_language(setting)
        translated = _texts(_fresh(algorithm_class))
        assert set(translated) == set(english), algorithm_class.__name__
        name = algorithm_class().name()
        checked = [k for k in english if k in ("displayName", "group", "shortHelpString")
                   or (k.startswith("parameter ") and " option " not in k)]
        same += [f"{name} {k}: {english[k][:60]!r}" for k in checked if translated[k] == english[k]]
    return same


@pytest.mark.parametrize("setting", ["sv_SE", "da_DK"])
def test_every_algorithm_text_is_translated(qgis_language, processing_initialized, setting):
    """Under a Swedish or Danish QGIS every algorithm's name, group, help and parameter label
    differs from the English text; the failure lists each one still in English."""
    untranslated = _untranslated(qgis_language, setting)
    assert untranslated == [], f"{len(untranslated)} untranslated for {setting}:\n" + "\n".join(
        untranslated)


def _committed_ts(lang: str) -> dict[str, str]:
    """source -> translation, read from the committed ``.ts`` with the xml library."""
    import xml.etree.ElementTree as ET

    from geoplan_qgis.i18n import qm_path

    root = ET.parse(qm_path(lang).with_suffix(".ts")).getroot()
    return {m.findtext("source"): m.findtext("translation") for m in root.iter("message")}


@pytest.mark.parametrize("lang", ["sv", "da"])
def test_ts_and_qm_hold_the_whole_catalogue(lang):
    """The committed ``.ts`` has every catalogue entry, and the ``.qm`` is what ``lrelease`` makes
    of it (checked where lrelease is installed): run scripts/make_plugin_translations.py."""
    import importlib.util
    import shutil
    from pathlib import Path

    from geoplan_qgis.i18n import CATALOGUE

    assert _committed_ts(lang) == {english: entry[lang] for english, entry in CATALOGUE.items()}
    script = Path(__file__).resolve().parents[2] / "scripts" / "make_plugin_translations.py"
    spec = importlib.util.spec_from_file_location("make_plugin_translations", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if shutil.which("lrelease") is None:
        pytest.skip("lrelease (qttools5-dev-tools) is not installed: .qm not compared")
    assert module.stale() == [], "run: python scripts/make_plugin_translations.py"


@pytest.mark.parametrize("lang", ["sv", "da"])
def test_qm_loads_through_qtranslator(qgis_app, lang):
    """A plain ``QTranslator`` loads the shipped ``.qm`` and answers every catalogue text."""
    from geoplan_qgis.i18n import CATALOGUE, qm_path
    from qgis.PyQt.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(qm_path(lang)))
    answers = {english: translator.translate(b"geoplan", english.encode("utf-8"))
               for english in CATALOGUE}
    wrong = {english: answer for english, answer in answers.items()
             if answer != CATALOGUE[english][lang]}
    assert wrong == {}
    assert translator.translate("geoplan", "Inputs") == {"sv": "Indata", "da": "Inddata"}[lang]


def test_plugin_installs_the_translator_of_the_qgis_locale(qgis_language, qgis_iface):
    """Under a Danish QGIS the plugin installs its Danish ``.qm`` in the application, so
    ``QCoreApplication.translate`` answers; unloading the plugin removes it."""
    from geoplan_qgis import classFactory
    from qgis.PyQt.QtCore import QCoreApplication

    qgis_language("da_DK")
    plug = classFactory(qgis_iface)
    try:
        assert QCoreApplication.translate("geoplan", "Run a scenario") == "Kør et scenarie"
    finally:
        plug.unload()
    assert QCoreApplication.translate("geoplan", "Run a scenario") == "Run a scenario"


def test_plugin_zip_ships_the_compiled_translations(tmp_path):
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_plugin_zip.py"
    out = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                         text=True, check=True)
    names = zipfile.ZipFile(out.stdout.strip()).namelist()
    assert {"geoplan_qgis/i18n/geoplan_sv.qm", "geoplan_qgis/i18n/geoplan_da.qm"} <= set(names)
    assert not [n for n in names if n.endswith(".ts")]
