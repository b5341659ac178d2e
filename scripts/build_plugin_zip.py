"""Build dist/geoplan_qgis-<version>.zip for QGIS's "Plugins > Install from ZIP".

The zip holds the folder ``geoplan_qgis/`` at its top level (what QGIS expects), without caches,
with the repository's LICENSE (GPL-2.0-or-later) inside it, as plugins.qgis.org requires. The
translations go in compiled (``i18n/*.qm``, see scripts/make_plugin_translations.py); their
``.ts`` sources stay in the repository.
Needs only the standard library (no set-up): ``python3 scripts/build_plugin_zip.py``.
Usage: python scripts/build_plugin_zip.py [OUT_DIR]
"""

from __future__ import annotations

import configparser
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "qgis_plugin" / "geoplan_qgis"


def build(out_dir: Path) -> Path:
    meta = configparser.ConfigParser()
    meta.read(PLUGIN / "metadata.txt", encoding="utf-8")
    version = meta["general"]["version"]
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"geoplan_qgis-{version}.zip"
    tmp = target.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(PLUGIN.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo", ".ts"):
                z.write(p, p.relative_to(PLUGIN.parent).as_posix())
        z.write(ROOT / "LICENSE", f"{PLUGIN.name}/LICENSE")
    tmp.replace(target)
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"))
