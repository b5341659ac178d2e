"""Context the council and scenario layouts draw with each map: the run's water (over the cells,
under everything else) and, on a scenario's *after* and *change* maps, the proposal's edits on
top with their legend entries. The layers are the run's own (``water``, ``edits_lines``,
``edits_points``, ``edits_areas`` in ``geoplan.gpkg``); water keeps the style stored beside it,
the edits are styled by the core (:func:`geoplan.outputs.styles.edits_qml`) in the layout's
language, whatever language the run was made in.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProject, QgsVectorLayer

from geoplan.i18n import tr as core_tr
from geoplan.outputs.styles import EDIT_LAYERS, edits_qml
from geoplan.runs import folder as rf

__all__ = ["context_for_layout", "layer_stack", "place_edits_legend"]

#: legend words of the edits layers (core texts of geoplan.outputs.styles)
_EDIT_WORDS = {"edits_lines": ("edit_new_path", "edit_lit_path"), "edits_points": ("edit_lamp",),
               "edits_areas": ("edit_densify",)}


def _styled(gpkg: Path, name: str, display: str, qml: str = "") -> QgsVectorLayer | None:
    """The layer ``name`` with ``qml`` (the layout's language), else the style geoplan stored
    in the GeoPackage (in the run's language)."""
    from qgis.core import QgsMapLayerStyle

    layer = QgsVectorLayer(f"{gpkg}|layername={name}", display, "ogr")
    if not layer.isValid():
        return None
    if qml:
        QgsMapLayerStyle(qml).writeToLayer(layer)
    else:
        layer.loadDefaultStyle()
    return layer


def context_for_layout(run_dir, project: QgsProject, lang: str) -> dict:
    """The run's water and edits layers that exist, styled, added to ``project`` (hidden from
    its layer tree, like the layout's other layers); ``"lang"``: the language."""
    folder = rf.RunFolder(run_dir)
    present = set(folder.layers())
    out: dict = {}
    if "water" in present:
        out["water"] = _styled(folder.gpkg, "water", core_tr("ctx_water", lang))
    for geometry, name in EDIT_LAYERS.items():
        if name in present:  # the legend's words in the layout's language, not the run's
            words = " / ".join(core_tr(k, lang) for k in _EDIT_WORDS[name])
            out[name] = _styled(folder.gpkg, name, f"{core_tr('edit_legend', lang)}: {words}",
                                edits_qml(geometry, lang=lang))
    out = {k: v for k, v in out.items() if v is not None}
    for layer in out.values():
        project.addMapLayer(layer, False)
    return {**out, "lang": lang}


def layer_stack(main: QgsVectorLayer, context: dict, *, edits: bool) -> list:
    """A map item's layers, top first: the edits (when ``edits``), then water over a layer of
    polygons (the cells) or under one of lines (the network), then ``main``."""
    from qgis.core import QgsWkbTypes

    top = [context[n] for n in ("edits_points", "edits_lines", "edits_areas")
           if edits and n in context]
    water = [context["water"]] if "water" in context else []
    if main.geometryType() == QgsWkbTypes.GeometryType.PolygonGeometry:
        return [*top, *water, main]
    return [*top, main, *water]


def place_edits_legend(layout, items: dict, x: float, y: float):
    """One legend of the proposal's edits (what the *after* and *change* maps draw on top) at
    ``(x, y)`` mm, titled "Proposal"; None when the run has no edits."""
    from qgis.core import (
        QgsLayoutItemLegend,
        QgsLayoutPoint,
        QgsLegendRenderer,
        QgsLegendStyle,
    )

    context = items.get("context", {})
    edits = [context[n] for n in ("edits_lines", "edits_points", "edits_areas") if n in context]
    if not edits or len(items.get("maps", [])) < 2:
        return None
    legend = QgsLayoutItemLegend(layout)
    legend.setId("edits_legend")
    legend.setTitle(core_tr("edit_legend", context.get("lang", "en")))
    legend.setLinkedMap(items["maps"][1])
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.clear()
    for layer in edits:
        node = root.addLayer(layer)
        QgsLegendRenderer.setNodeLegendStyle(node, QgsLegendStyle.Style.Hidden)
    legend.setLegendFilterByMapEnabled(True)  # only the kinds of edit the scenario has
    layout.addLayoutItem(legend)
    legend.attemptMove(QgsLayoutPoint(x, y))
    legend.adjustBoxSize()
    items["edits_legend"] = legend
    return legend
