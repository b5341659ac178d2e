"""Nothing untranslated in the plugin's Qt translations (issue 17 item 5), read from the
committed ``.ts`` files with the xml library and from the source with ast (not through the
plugin's own catalogue or ``tr``)."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "qgis_plugin" / "geoplan_qgis"
LANGS = ("sv", "da")
#: messages that rightly read the same as in English: (source, language) -> why
SAME_AS_ENGLISH = {
    ("Scenario", "sv"): "Scenario is the Swedish word",
    ("tunnel", "sv"): "tunnel is the Swedish word",
    ("tunnel", "da"): "tunnel is the Danish word",
    ("geoplan: {scenario}", "sv"): "a name and a placeholder",
    ("geoplan: {scenario}", "da"): "a name and a placeholder",
    ("{what}: {error}", "sv"): "placeholders only",
    ("{what}: {error}", "da"): "placeholders only",
}


def _messages(lang: str) -> dict[str, ET.Element]:
    root = ET.parse(PLUGIN / "i18n" / f"geoplan_{lang}.ts").getroot()
    return {m.findtext("source"): m.find("translation") for m in root.iter("message")}


def _tr_literals() -> dict[str, str]:
    """Every string literal passed to ``tr(…)``/``self.tr(…)`` in the plugin: text -> where."""
    found = {}
    for path in sorted(PLUGIN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            arg = node.args[0]
            if name == "tr" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_every_ts_message_is_translated(lang):
    """No ``<message>`` of the ``.ts`` is unfinished, empty or left in English (unless listed
    in SAME_AS_ENGLISH)."""
    untranslated = [src for src, t in _messages(lang).items()
                    if t is None or t.get("type") in ("unfinished", "obsolete")
                    or not (t.text or "").strip()
                    or (t.text == src and (src, lang) not in SAME_AS_ENGLISH)]
    assert untranslated == [], f"{lang}: {untranslated}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_tr_string_of_the_plugin_is_in_the_ts(lang):
    """Each ``tr("…")`` text of the plugin's source has a message in the ``.ts``."""
    messages = _messages(lang)
    missing = {text: where for text, where in _tr_literals().items() if text not in messages}
    assert missing == {}, f"{lang}: {missing}"


def test_whole_study_area_default_follows_qgis_language(qgis_language, processing_initialized):
    """The area summary's default name of the whole-grid row is in QGIS's language."""
    from geoplan_qgis.algorithms.areas import AreaSummaryAlgorithm

    for setting, words in (("sv_SE", "Hela analysområdet"), ("da_DK", "Hele analyseområdet"),
                           ("en_GB", "Whole study area")):
        qgis_language(setting)
        alg = AreaSummaryAlgorithm().createInstance()
        alg.initAlgorithm()
        assert alg.parameterDefinition("LABEL").defaultValue() == words, setting
