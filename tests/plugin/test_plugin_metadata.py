"""The plugin zip passes plugins.qgis.org's upload rules (the checks of QGIS-Django's
``plugins/validator.py``, offline: the URLs' form, not whether they answer) and carries the
project's licence.

The project's public addresses are not decided yet: metadata.txt holds them, with ``PLACEHOLDER``
in the host part, in that one place; this test checks that they are there and well formed."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ("name", "description", "version", "qgisMinimumVersion", "author", "email", "about",
            "tracker", "repository")
MAX_BYTES = 25_000_000


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_plugin_zip.py"), str(out)],
                          capture_output=True, text=True, check=True)
    return Path(proc.stdout.strip())


def _metadata(z: zipfile.ZipFile, package: str) -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.optionxform = str  # the repository reads keys case-sensitively
    parser.read_string(z.read(f"{package}/metadata.txt").decode("utf-8"))
    assert parser.has_section("general")
    return {k: v.strip() for k, v in parser.items("general")}


def test_zip_follows_the_repository_rules(plugin_zip):
    assert plugin_zip.stat().st_size <= MAX_BYTES
    z = zipfile.ZipFile(plugin_zip)
    assert z.testzip() is None
    names = z.namelist()
    for n in names:
        assert ".." not in n and not n.startswith("/") and ".pyc" not in n, n
        assert not {"__MACOSX", ".git", "__pycache__"} & set(n.split("/")), n
    assert len({n.split("/")[0] for n in names}) == 1
    package = names[0].split("/")[0]
    assert re.match(r"^[A-Za-z][A-Za-z0-9-_]+$", package)
    assert package.isidentifier()  # QGIS imports it
    assert f"{package}/__init__.py" in names and f"{package}/metadata.txt" in names
    # licence: GPL-2.0-or-later, the repository's own text in the zip
    assert f"{package}/LICENSE" in names
    licence = z.read(f"{package}/LICENSE").decode("utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 2, June 1991" in licence
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")

    meta = _metadata(z, package)
    for key in REQUIRED:
        assert meta.get(key), f"metadata.txt lacks {key}"
    assert meta["license"] == "GPL-2.0-or-later"
    assert re.match(r"^[A-Za-z0-9\-_.]+$", meta["version"])
    assert re.match(r"^\d+\.\d+(\.\d+)?$", meta["qgisMinimumVersion"])
    assert re.match(r"^\d+\.\d+(\.\d+)?$", meta["qgisMaximumVersion"])
    assert "/" not in meta["author"]
    assert re.match(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", meta["email"]), meta["email"]
    forbidden = {"tracker": "http://bugs", "repository": "http://repo", "homepage": "http://homepage"}
    for key, default in forbidden.items():
        url = urlparse(meta[key])
        assert meta[key] != default and url.scheme == "https" and url.netloc, (key, meta[key])
    assert meta["tracker"].startswith(meta["repository"])
    for flag in ("experimental", "deprecated"):
        assert meta[flag].lower() in ("true", "false"), flag
    assert meta["changelog"].strip().startswith(meta["version"])
    assert meta["icon"] and f"{package}/{meta['icon']}" in names
    assert meta["hasProcessingProvider"] == "yes"
    assert meta.get("supportsQt6", "").lower() == "true"  # QGIS 4 (qgisMaximumVersion 4.99)
    # the languages the plugin speaks are stated (its texts are built in, no .qm files)
    assert "English, Swedish (sv) and Danish (da)" in meta["about"]


def test_placeholders_in_one_place_only():
    """Until the project has public addresses, they exist in metadata.txt and nowhere else."""
    hits = []
    for path in [ROOT / "pyproject.toml", ROOT / "README.md",
                 *sorted((ROOT / "qgis_plugin").rglob("*.py"))]:
        if "PLACEHOLDER" in path.read_text(encoding="utf-8"):
            hits.append(path.name)
    assert hits == []
