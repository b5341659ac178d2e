"""Load the bad-input corpus (``cases.toml``) and prepare a case's inputs in a folder.

Used by ``test_bad_inputs.py`` (CLI) and ``tests/plugin/test_plugin_bad_inputs.py`` (QGIS).
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared" / "data"
CATEGORIES = ("osm", "area", "crs", "lamps", "scb", "stats", "pipeline", "output", "findings",
              "scenario")
#: what the output folder holds before a case runs: "the previous result"
PREVIOUS = {"geoplan.gpkg": b"previous geopackage bytes", "provenance.json": b'{"run": 1}\n',
            "data_quality_sv.txt": "Föregående körning\n".encode()}

_spec = importlib.util.spec_from_file_location("bad_inputs_builders", HERE / "builders.py")
builders = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = builders
_spec.loader.exec_module(builders)
Ctx = builders.Ctx


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    expect: tuple[str, ...]
    args: tuple[str, ...] = ()
    api: str | None = None
    make: str | None = None
    files: dict = field(default_factory=dict)
    click: bool = False
    xfail: str | None = None
    qgis: dict | None = None
    subprocess: bool = False
    qgis_note: str | None = None
    qgis_expect: tuple[str, ...] | None = None  # when QGIS words it (or catches it) itself


def load_cases() -> list[Case]:
    raw = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
    cases = []
    for c in raw:
        c = dict(c)
        c["args"] = tuple(c.get("args", ()))
        c["expect"] = tuple(c["expect"])
        if "qgis_expect" in c:
            c["qgis_expect"] = tuple(c["qgis_expect"])
        cases.append(Case(**c))
    return cases


def _helsinki() -> Path:
    from geoplan.datasets import demo_extract

    return demo_extract()


def make_ctx(tmp: Path) -> Ctx:
    inputs, out = tmp / "inputs", tmp / "out"
    inputs.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in PREVIOUS.items():
        (out / name).write_bytes(data)
    return Ctx(tmp=inputs, out=out, files=FILES, helsinki=_helsinki(),
               scb=SHARED / "scb-deso-2022", deso=SHARED / "stockholm-deso" / "deso_stockholm.geojson",
               hsy=SHARED / "helsinki" / "helsinki_population_grid_2020.gpkg")


def fill(text: str, ctx: Ctx) -> str:
    for k, v in ctx.placeholders().items():
        text = text.replace("{" + k + "}", v)
    return text


def prepare(case: Case, tmp: Path) -> tuple[Ctx, list[str]]:
    """Build the case's inputs under ``tmp``; return the context and the filled command line."""
    ctx = make_ctx(tmp)
    if case.make:
        getattr(builders, case.make)(ctx)
    for name, text in case.files.items():
        (ctx.tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (ctx.tmp / name).write_text(fill(text, ctx).lstrip("\n"), encoding="utf-8")
    return ctx, [fill(a, ctx) for a in case.args]


def qgis_params(case: Case, ctx: Ctx) -> dict:
    return {k: fill(v, ctx) for k, v in (case.qgis or {}).items()}


def snapshot(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``folder`` (folders as 'dir')."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out
