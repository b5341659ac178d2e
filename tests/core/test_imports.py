"""Import hygiene: `import geoplan` stays light (no QGIS, Qt or osmnx, checked in a fresh
interpreter), and the import graph of ``geoplan/`` (parsed with :mod:`ast`) has no cycle and runs
down the layers only."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path


def test_import_does_not_pull_qgis_qt_or_osmnx():
    code = (
        "import sys, json, geoplan; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    forbidden = {"qgis", "PyQt5", "PyQt6", "sip", "osmnx", "networkx", "matplotlib"}
    assert not loaded & forbidden, loaded & forbidden


def test_public_api_resolves():
    import geoplan

    for name in geoplan.__all__:
        assert getattr(geoplan, name) is not None, name


# --------------------------------------------------------------------------------------------
# the import graph of geoplan/: no cycle, and every import runs down the layers
# --------------------------------------------------------------------------------------------
GEOPLAN = Path(__file__).resolve().parents[2] / "geoplan"

#: The layers of geoplan, lowest first. A module may import modules of its own layer or of a
#: lower one, never of a higher one. Read from the code (what each module imports), not wished:
#:
#: * ``sources.osm_tags`` (the OSM tag tables, pure data) sits with the basics: ``types`` takes
#:   its default destination categories from it.
#: * the file writers (GeoPackage, QML styles, GeoTIFF, the findings template) need only the
#:   basics and the sources' tables, and the flows above write through them.
#: * ``config`` reads the grid and population settings' types, so it sits above them; only
#:   the flows, the council outputs and the CLI read it.
#: * ``runs.folder`` is the one reader/writer of a run folder; the council outputs (maps, report,
#:   tables) read a run folder through it, and the flows (``scenario``, ``runs.pipeline``,
#:   ``runs.scenario``, ``runs.many``) call the council outputs at the end of a run, so the
#:   flows sit above them.
#: * the package root ``geoplan/__init__.py`` is the public facade (lazy re-exports); it is in
#:   no layer, and modules may import only ``__version__`` from it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("basics", ("errors", "types", "progress", "crs", "i18n", "atomic", "columns", "datasets",
                "_memo", "sources.osm_tags")),
    ("sources", ("sources",)),
    ("file writers", ("outputs.gpkg", "outputs.styles", "outputs.raster", "outputs.findings")),
    ("network and grid", ("network", "routing", "origins", "grid", "population", "inspect")),
    ("indicators", ("indicators",)),
    ("study", ("study",)),
    ("config", ("config",)),
    ("run folder", ("runs.folder",)),
    ("council outputs", ("outputs",)),
    ("flows", ("scenario", "runs")),
    ("cli", ("cli",)),
)


def _modules() -> dict[str, Path]:
    mods = {}
    for p in GEOPLAN.rglob("*.py"):
        parts = p.relative_to(GEOPLAN.parent).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return mods


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[tuple[str, str]]:
    """(imported geoplan module, what is taken from it) of every import in the module, lazy
    imports inside functions included."""
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {(a.name, "") for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.add((sub, "") if sub in mods else (base, a.name))
    return {(m, what) for m, what in found if m in mods and m != name}


def _graph() -> dict[str, set[tuple[str, str]]]:
    mods = _modules()
    return {name: _imports(name, path, mods) for name, path in mods.items()}


def _layer(module: str) -> int | None:
    """Index in LAYERS of a module: the most specific prefix that names it."""
    rel = module.removeprefix("geoplan.")
    best, best_len = None, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (rel == prefix or rel.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = i, len(prefix)
    return best


def test_every_module_has_a_layer():
    unplaced = sorted(m for m in _modules() if m != "geoplan" and _layer(m) is None)
    assert not unplaced, f"put these modules into LAYERS: {unplaced}"


def test_imports_run_down_the_layers():
    upward = []
    for name, imported in _graph().items():
        for target, what in imported:
            if target == "geoplan":
                if what != "__version__":
                    upward.append(f"{name} takes {what} from the package root")
                continue
            if name == "geoplan":
                continue
            if _layer(target) > _layer(name):
                upward.append(f"{name} ({LAYERS[_layer(name)][0]}) imports {target} "
                              f"({LAYERS[_layer(target)][0]})")
    assert not upward, "\n".join(sorted(upward))


def test_sources_import_no_outputs_runs_or_cli():
    bad = sorted(f"{name} -> {target}" for name, imported in _graph().items()
                 if name.startswith("geoplan.sources.")
                 for target, _ in imported
                 if target.split(".")[1:2] in (["outputs"], ["runs"], ["cli"]))
    assert not bad, bad


def test_no_import_cycle():
    graph = {n: {t for t, _ in imported} for n, imported in _graph().items()}
    graph.pop("geoplan")  # the facade: lazy re-exports, only __version__ is imported from it
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "\n".join(cycles)


def test_cli_sub_commands_do_not_import_cli_main():
    graph = _graph()
    bad = sorted(n for n in graph if n.startswith("geoplan.cli.") and n != "geoplan.cli.main"
                 and any(t == "geoplan.cli.main" for t, _ in graph[n]))
    assert not bad, bad
