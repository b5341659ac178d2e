"""Context the council and scenario layouts draw with each map, as the report's maps do
(:mod:`geoplan.outputs.maps`): building footprints as a faint grey texture and the run's water
over the cells, the outlines and names of the run's ``[areas]``, the names of the longest
streets and, on a scenario's *after* and *change* maps, the proposal's edits on top with their
legend entries. The layers are the run's own (``buildings``, ``water``, ``areas``,
``edits_lines``, ``edits_points``, ``edits_areas`` in ``geoplan.gpkg``; the street names a
memory layer of :func:`geoplan.outputs.maps.main_streets`); water keeps the style stored beside
it, buildings, areas and names take the report's colours, the edits are styled by the core
(:func:`geoplan.outputs.styles.edits_qml`) in the layout's language, whatever language the run
was made in.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProject, QgsVectorLayer

from geoplan.columns import STUDY_AREA_KEY
from geoplan.i18n import tr as core_tr
from geoplan.outputs import maps as core_maps
from geoplan.outputs.styles import EDIT_LAYERS, _qcolor, edits_qml
from geoplan.runs import folder as rf

__all__ = ["context_for_layout", "label_features", "layer_stack", "place_edits_legend",
           "text_format"]

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


def text_format(size_pt: float, colour: str = "#000000", *, bold: bool = False,
                italic: bool = False, halo_mm: float = 0.0):
    """A layout or label text format: ``size_pt`` points in ``colour``, with a white halo of
    ``halo_mm`` (names on a map, as the report writes them)."""
    from qgis.core import QgsTextBufferSettings, QgsTextFormat
    from qgis.PyQt.QtGui import QColor, QFont

    font = QFont()
    font.setPointSizeF(size_pt)
    font.setBold(bold)
    font.setItalic(italic)
    text = QgsTextFormat()
    text.setFont(font)
    text.setSize(size_pt)
    text.setColor(QColor(colour))
    if halo_mm > 0:
        buffer = QgsTextBufferSettings()
        buffer.setEnabled(True)
        buffer.setSize(halo_mm)
        buffer.setColor(QColor("#ffffff"))
        text.setBuffer(buffer)
    return text


def label_features(layer: QgsVectorLayer, field: str, text_format, placement, *,
                   expression: bool = False, merge_lines: bool = False) -> None:
    """Label ``layer``'s features with ``field`` (a QGIS expression when ``expression``;
    connected lines of one label named once when ``merge_lines``)."""
    from qgis.core import QgsPalLayerSettings, QgsVectorLayerSimpleLabeling

    settings = QgsPalLayerSettings()
    settings.fieldName = field
    settings.isExpression = expression
    settings.placement = placement
    settings.setFormat(text_format)
    if merge_lines:
        lines = settings.lineSettings()
        lines.setMergeLines(True)
        settings.setLineSettings(lines)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def _buildings(gpkg: Path, lang: str) -> QgsVectorLayer | None:
    """The run's buildings as a faint grey texture (no outline), as the report draws them."""
    from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer

    layer = QgsVectorLayer(f"{gpkg}|layername={rf.BUILDINGS}", core_tr("ctx_buildings", lang),
                           "ogr")
    if not layer.isValid() or layer.featureCount() == 0:
        return None
    colour, opacity = core_maps.BUILDING_FILL
    fill = QgsFillSymbol.createSimple({"color": _qcolor(colour, round(opacity * 255)),
                                       "outline_style": "no"})
    layer.setRenderer(QgsSingleSymbolRenderer(fill))
    return layer


def _areas(run, gpkg: Path, lang: str) -> QgsVectorLayer | None:
    """The outlines of the run's ``[areas]`` (not the study area's own row) with their names."""
    from qgis.core import QgsFillSymbol, QgsPalLayerSettings, QgsSingleSymbolRenderer

    sa = getattr(run.config, "summary_areas", None)
    layer = QgsVectorLayer(f"{gpkg}|layername={rf.AREAS}", core_tr("ctx_areas", lang), "ogr")
    if sa is None or not layer.isValid():
        return None
    fields = layer.fields().names()
    if sa.key_column in fields:
        layer.setSubsetString(f"\"{sa.key_column}\" <> '{STUDY_AREA_KEY}'")
    outline = QgsFillSymbol.createSimple({
        "color": "0,0,0,0", "outline_color": _qcolor(core_maps.AREA_EDGE),
        "outline_width": "0.4", "outline_width_unit": "MM"})
    layer.setRenderer(QgsSingleSymbolRenderer(outline))
    name = next((c for c in (sa.name_column, sa.key_column) if c and c in fields), None)
    if name is not None:
        label_features(layer, name,
                       text_format(7.5, core_maps.AREA_EDGE, bold=True, halo_mm=0.8),
                       QgsPalLayerSettings.Placement.OverPoint)
    return layer


def _quoted(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _street_names(run, gpkg: Path, lang: str) -> QgsVectorLayer | None:
    """The names of the longest streets (:func:`geoplan.outputs.maps.main_streets`) along
    their lines: the run's network, only those streets, lines not drawn, connected pieces
    named once (kept in the project file, unlike a memory layer)."""
    from qgis.core import QgsLineSymbol, QgsPalLayerSettings, QgsSingleSymbolRenderer

    net = run.network
    streets = {name for name, _ in core_maps.main_streets(net)} if net is not None else set()
    if not streets:
        return None
    first = net["name"].astype("string").str.split(";").str[0].str.strip()
    raw = sorted(set(net["name"][first.isin(streets).fillna(False)].astype(str)))
    layer = QgsVectorLayer(f"{gpkg}|layername={rf.NETWORK}", core_tr("ctx_street_names", lang),
                           "ogr")
    if not layer.isValid():
        return None
    layer.setSubsetString(f"\"name\" IN ({', '.join(map(_quoted, raw))})")
    layer.setRenderer(QgsSingleSymbolRenderer(QgsLineSymbol.createSimple({"line_style": "no"})))
    label_features(layer, "trim(array_first(string_to_array(\"name\", ';')))",
                   text_format(6.5, "#252525", italic=True, halo_mm=0.8),
                   QgsPalLayerSettings.Placement.Curved, expression=True, merge_lines=True)
    return layer


def context_for_layout(run, project: QgsProject, lang: str) -> dict:
    """The run's context layers that exist (buildings, water, areas, street names, edits),
    styled, added to ``project`` (hidden from its layer tree, like the layout's other
    layers); ``"lang"``: the language. ``run``: the run folder read back
    (:func:`geoplan.outputs.maps.load_run`)."""
    folder = rf.RunFolder(run.out_dir)
    present = set(folder.layers())
    out: dict = {"buildings": _buildings(folder.gpkg, lang) if rf.BUILDINGS in present
                 else None}
    if "water" in present:
        out["water"] = _styled(folder.gpkg, "water", core_tr("ctx_water", lang))
    out["areas"] = _areas(run, folder.gpkg, lang) if rf.AREAS in present else None
    out["streets"] = _street_names(run, folder.gpkg, lang)
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
    """A map item's layers, top first: the edits (when ``edits``), the street and area names
    and outlines, then water and buildings over a layer of polygons (the cells) or under one
    of lines (the network), then ``main``."""
    from qgis.core import QgsWkbTypes

    top = [context[n] for n in ("edits_points", "edits_lines", "edits_areas")
           if edits and n in context]
    top += [context[n] for n in ("streets", "areas") if n in context]
    under = [context[n] for n in ("water", "buildings") if n in context]
    if main.geometryType() == QgsWkbTypes.GeometryType.PolygonGeometry:
        return [*top, *under, main]
    return [*top, main, *under]


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
