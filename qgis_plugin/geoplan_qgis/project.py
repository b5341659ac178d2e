"""A QGIS project (``project.qgz``) of a run folder: every layer of its GeoPackage styled (the
styles geoplan stored beside them), the council layout (a baseline run) or the scenario layout
(a scenario run), the run's CRS, its title and language in the project's metadata.

The plugin writes it after a run; analysts without the plugin run ``geoplan project OUT`` (the
core's CLI starts ``python -m geoplan_qgis.project OUT`` with a Python that imports ``qgis``).
Paths in the project are relative, so the folder can be moved or zipped as a whole.

Example (with QGIS)::

    from geoplan_qgis.project import write_project
    write_project("out/demo")          # -> out/demo/project.qgz
"""

from __future__ import annotations

import sys
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProject,
    QgsVectorLayer,
)

from geoplan.i18n import tr as core_tr
from geoplan.runs import folder as rf

from .i18n import current_language

__all__ = ["PROJECT_FILE", "WritesProject", "project_layers", "write_project"]

#: the project's file name in the run folder
PROJECT_FILE = "project.qgz"

#: layers in the project's layer tree, top first (those the run has); tables stay out
_ORDER = ("edits_points", "edits_lines", "edits_areas", "findings", "findings_lines",
          "findings_addressed", "places", "destinations", "network", "areas", "areas_change",
          "grid_change", "grid", "green", "buildings", "water")
#: core text keys of the layer names shown in the layer tree (others show their own name)
_NAMES = {"grid": "lg_grid", "grid_change": "lg_grid_change", "areas": "lg_areas",
          "areas_change": "lg_areas_change", "network": "lg_network",
          "destinations": "lg_destinations", "green": "lg_green", "buildings": "lg_buildings",
          "water": "ctx_water", "places": "lg_places", "findings": "lg_findings",
          "findings_lines": "lg_findings_lines", "findings_addressed": "lg_findings_addressed",
          "edits_lines": "edit_new_path", "edits_points": "edit_lamp",
          "edits_areas": "edit_densify"}


def _layer_name(name: str, lang: str) -> str:
    key = _NAMES.get(name)
    text = core_tr(key, lang) if key else name
    if name.startswith("edits_"):
        text = f"{core_tr('edit_legend', lang)}: {text}"
    return text[:1].upper() + text[1:]


def project_layers(run_dir, lang: str = "en") -> list[QgsVectorLayer]:
    """The run's spatial layers in layer-tree order (top first), each with its stored style."""
    folder = rf.RunFolder(run_dir).check()
    present = set(folder.layers())
    out = []
    for name in _ORDER:
        if name not in present:
            continue
        layer = QgsVectorLayer(f"{folder.gpkg}|layername={name}", _layer_name(name, lang), "ogr")
        if not layer.isValid():
            continue
        layer.loadDefaultStyle()  # the style geoplan stored in the GeoPackage
        out.append(layer)
    return out


def _metadata(project: QgsProject, title: str, lang: str) -> None:
    md = project.metadata()
    md.setTitle(title)
    md.setLanguage(lang)
    md.setAuthor("geoplan")
    md.setAbstract(core_tr("project_abstract", lang))
    project.setMetadata(md)
    project.setTitle(title)


def write_project(run_dir, *, lang: str | None = None, path=None) -> Path:
    """Write ``project.qgz`` into the run folder ``run_dir`` (or to ``path``).

    Parameters
    ----------
    run_dir
        A folder ``geoplan run``/``geoplan demo``/``geoplan scenario run`` wrote.
    lang
        Language of the layer names, legends and layout (default: QGIS's).
    path
        Where to write (default ``run_dir/project.qgz``).

    Returns
    -------
    Path
        The project file.
    """
    from .layout import build_council_layout

    run_dir = Path(run_dir)
    lang = lang or current_language()
    layers = project_layers(run_dir, lang)
    project = QgsProject()
    project.setFilePathStorage(_relative())
    crs = layers[0].crs() if layers else QgsCoordinateReferenceSystem()
    project.setCrs(crs)
    root = project.layerTreeRoot()
    for layer in layers:
        project.addMapLayer(layer, False)
        root.addLayer(layer)
    council = build_council_layout(run_dir, project=project, lang=lang)
    _metadata(project, council.title, lang)
    target = Path(path) if path is not None else run_dir / PROJECT_FILE
    tmp = target.with_name(f".{target.stem}.tmp.qgz")
    if not project.write(str(tmp)):
        raise OSError(f"QGIS could not write {target}: {project.error()}")
    tmp.replace(target)
    return target


class WritesProject:
    """Mixin of the algorithms that write a run folder: after the run (``postProcessAlgorithm``,
    on QGIS's main thread, where layouts may be built) ``project.qgz`` is written into the
    folder set as ``project_folder``; a project that cannot be written is reported, and the
    run's outputs stand."""

    project_folder = None

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802 - QGIS API
        if self.project_folder is not None:
            try:
                path = write_project(self.project_folder)
            except Exception as exc:  # noqa: BLE001 - the run is done; only the project is not
                feedback.reportError(f"project.qgz: {exc}", False)
            else:
                feedback.pushInfo(f"written: {path}")
        return {}


def _relative():
    from qgis.core import Qgis

    return Qgis.FilePathType.Relative


def main(argv: list[str] | None = None) -> int:
    """``python -m geoplan_qgis.project OUT [--lang sv|da|en]`` (what ``geoplan project`` runs)."""
    import argparse

    from qgis.core import QgsApplication

    parser = argparse.ArgumentParser(prog="geoplan project")
    parser.add_argument("out")
    parser.add_argument("--lang", choices=("sv", "da", "en"), default=None)
    args = parser.parse_args(argv)
    from geoplan.errors import GeoplanError

    app = QgsApplication([], False)
    app.initQgis()
    try:
        print(f"written: {write_project(args.out, lang=args.lang or 'en')}")
    except GeoplanError as exc:
        print(f"geoplan project: {exc}", file=sys.stderr)
        return 2
    finally:
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
