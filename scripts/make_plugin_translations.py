"""Write the QGIS plugin's Qt translation sources and compile them.

The catalogue in ``qgis_plugin/geoplan_qgis/i18n.py`` (with the help texts of
``help_texts.py``) stays the one source of the plugin's Swedish and Danish texts: a test checks
there that every ``tr("…")`` has both languages with the same ``{placeholders}``, which a ``.ts``
file edited by hand would not get. This script writes ``qgis_plugin/geoplan_qgis/i18n/
geoplan_sv.ts`` and ``geoplan_da.ts`` from it (context ``geoplan``) and, where ``lrelease`` is
installed (Debian: qttools5-dev-tools), compiles them to the ``.qm`` files the plugin loads with
``QTranslator``. The ``.qm`` files are committed, so building the plugin zip needs no Qt tools;
tests/plugin/test_plugin_i18n.py fails when they are older than the catalogue.

Usage: python scripts/make_plugin_translations.py [--check]
(``--check`` writes nothing and exits 1 when a committed file differs from what it would write.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N_DIR = ROOT / "qgis_plugin" / "geoplan_qgis" / "i18n"
LOCALES = {"sv": "sv_SE", "da": "da_DK"}
CONTEXT = "geoplan"


def catalogue() -> dict[str, dict[str, str]]:
    """The plugin's catalogue (English text -> {language: translation}), without QGIS."""
    sys.path.insert(0, str(ROOT / "qgis_plugin"))
    try:
        from geoplan_qgis.i18n import CATALOGUE
    finally:
        sys.path.pop(0)
    return CATALOGUE


def ts_text(entries: dict[str, dict[str, str]], lang: str) -> str:
    """The ``.ts`` XML of one language: one ``<message>`` per catalogue entry, sorted."""
    root = ET.Element("TS", version="2.1", language=LOCALES[lang], sourcelanguage="en_GB")
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = CONTEXT
    for english in sorted(entries):
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = english
        ET.SubElement(message, "translation").text = entries[english][lang]
    ET.indent(root)
    return "<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE TS>\n" + ET.tostring(
        root, encoding="unicode") + "\n"


def compile_qm(ts: Path, qm: Path) -> bool:
    """``lrelease ts -qm qm``; False when lrelease is not installed."""
    lrelease = shutil.which("lrelease")
    if lrelease is None:
        return False
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
    return True


def write(out_dir: Path) -> list[Path]:
    """Write ``geoplan_<lang>.ts`` (and ``.qm`` when lrelease exists) into ``out_dir``."""
    entries = catalogue()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in LOCALES:
        ts = out_dir / f"geoplan_{lang}.ts"
        ts.write_text(ts_text(entries, lang), encoding="utf-8")
        written.append(ts)
        qm = ts.with_suffix(".qm")
        if compile_qm(ts, qm):
            written.append(qm)
    return written


def stale() -> list[str]:
    """Files in the plugin's i18n folder that differ from freshly generated ones."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = write(Path(tmp))
        return [f.name for f in fresh
                if not (I18N_DIR / f.name).is_file()
                or (I18N_DIR / f.name).read_bytes() != f.read_bytes()]


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        differ = stale()
        print("out of date: " + ", ".join(differ) if differ else "up to date")
        sys.exit(1 if differ else 0)
    for path in write(I18N_DIR):
        print(path.relative_to(ROOT))
