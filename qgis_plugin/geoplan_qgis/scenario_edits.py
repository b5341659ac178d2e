"""Scenario edits drawn in QGIS <-> the core's scenario value objects (:mod:`geoplan.types`).

One scratch (memory) layer per kind of edit, named and shaped like the layers of a scenario
GeoPackage: layer names, geometry types, fields and defaults all come from the core
(:data:`geoplan.scenario.io.EDIT_GEOMETRIES`, :data:`geoplan.scenario.io.EDIT_FIELDS`), and a
drawn feature becomes an edit through the core's :func:`geoplan.scenario.io.edit_from_record`:

================  ========  =====================================================================
kind (= layer)    geometry  fields (default)
================  ========  =====================================================================
new_paths         lines     name, lit (yes), kind (footway), crossing ('' / bridge / tunnel)
new_lamps         points    edit (0: lamps with the same number form one lighting edit)
densify           polygons  name, one of dwellings / residents / floor_area_m2,
                            persons_per_dwelling, persons_per_m2 (the core's defaults)
new_green         polygons  name, public (1), kind (park)
new_destinations  points    name, category (school, grocery …)
================  ========  =====================================================================

:func:`make_edit_layer` makes such a layer (dropdowns for lit, crossing, category; defaults
filled in); :func:`scenario_from_sources` turns any layers of these kinds (scratch layers, or
Processing inputs with "selected features only") into one :class:`geoplan.types.Scenario`, every
geometry reprojected to the baseline's CRS. The checks are the core's (its messages say how to
fix an edit); the message names the layer and feature at fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDefaultValue,
    QgsEditorWidgetSetup,
    QgsField,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
)

from .adapters import field_type
from .i18n import tr

__all__ = ["EDIT_KINDS", "EditKind", "make_edit_layer", "scenario_from_sources"]


@dataclass(frozen=True)
class EditKind:
    """One kind of scenario edit: its layer's geometry, fields and defaults."""

    key: str
    title: str
    geometry: str  # "LineString", "Point", "Polygon"
    fields: tuple[tuple[str, str, object], ...]  # (name, kind: "s"/"f"/"i", default)


def _categories() -> tuple[str, ...]:
    try:
        from geoplan.sources.osm_tags import CATEGORIES

        return tuple(CATEGORIES)
    except ImportError:
        return ()


_TITLES = {"new_paths": "New paths", "new_lamps": "New street lamps",
           "densify": "Densification (new homes)", "new_green": "New green spaces",
           "new_destinations": "New destinations"}
_KINDS = {"text": "s", "real": "f", "integer": "i"}
#: What a newly drawn feature starts with where it differs from the core's default for an empty
#: value: the floor-area rate stays empty (the core's rate applies), a destination starts as a
#: grocery (a category must be chosen).
_FORM_DEFAULTS = {("densify", "persons_per_m2"): None, ("new_destinations", "category"): "grocery"}


def _edit_kinds() -> dict[str, EditKind]:
    from geoplan.scenario.io import EDIT_FIELDS, EDIT_GEOMETRIES

    return {key: EditKind(key, _TITLES[key], EDIT_GEOMETRIES[key], tuple(
        (name, _KINDS[kind], _FORM_DEFAULTS.get((key, name), default))
        for name, kind, default in EDIT_FIELDS[key])) for key in _TITLES}


EDIT_KINDS: dict[str, EditKind] = _edit_kinds()


def make_edit_layer(kind: str, crs: QgsCoordinateReferenceSystem, name: str | None = None
                    ) -> QgsVectorLayer:
    """A scratch (memory) layer for one kind of edit, with the schema's fields, defaults and
    dropdowns, ready to draw on."""
    spec = EDIT_KINDS[kind]
    layer = QgsVectorLayer(f"{spec.geometry}?crs={crs.authid() or 'EPSG:4326'}",
                           name or tr(spec.title), "memory")
    if not crs.authid():
        layer.setCrs(crs)
    kinds = {"s": "U", "f": "f", "i": "i"}
    layer.dataProvider().addAttributes([QgsField(n, field_type(kinds[k])) for n, k, _ in
                                        spec.fields])
    layer.updateFields()
    for i, (fname, _k, default) in enumerate(spec.fields):
        if default is not None:
            layer.setDefaultValueDefinition(i, QgsDefaultValue(repr(default) if isinstance(
                default, str) else str(default)))
        options = _choices(fname)
        if options:
            layer.setEditorWidgetSetup(i, QgsEditorWidgetSetup(
                "ValueMap", {"map": [{label: value} for label, value in options]}))
    layer.setCustomProperty("geoplan/edit_kind", kind)
    _style_edit_layer(layer)
    return layer


#: what the planner draws must stand out from every analysis layer (magenta, thick, on top)
EDIT_COLOUR = "#d6008f"


def _style_edit_layer(layer: QgsVectorLayer) -> None:
    from qgis.core import QgsFillSymbol, QgsLineSymbol, QgsMarkerSymbol, QgsSingleSymbolRenderer

    geometry = layer.geometryType()
    kind = getattr(geometry, "name", str(geometry))
    if "Line" in kind:
        symbol = QgsLineSymbol.createSimple({"color": EDIT_COLOUR, "width": "1.6",
                                             "capstyle": "round"})
    elif "Point" in kind:
        symbol = QgsMarkerSymbol.createSimple({"name": "star", "color": EDIT_COLOUR,
                                               "outline_color": "white", "size": "4.5"})
    else:
        symbol = QgsFillSymbol.createSimple({"color": "214,0,143,70", "outline_color": EDIT_COLOUR,
                                             "outline_width": "0.9"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))


def _choices(fname: str) -> list[tuple[str, str]]:
    if fname == "lit":
        return [(tr("yes"), "yes"), (tr("no"), "no")]
    if fname == "crossing":
        return [(tr("at grade"), ""), (tr("bridge"), "bridge"), (tr("tunnel"), "tunnel")]
    if fname == "category":
        return [(c, c) for c in _categories()]
    if fname == "public":
        return [(tr("yes"), "1"), (tr("no"), "0")]
    return []


# --- layers -> Scenario ---------------------------------------------------------------------------
def _record(feature) -> dict:
    """The attributes of a feature as plain values (QGIS NULL -> None)."""
    out = {}
    for name, v in zip(feature.fields().names(), feature.attributes(), strict=True):
        out[name] = None if v is None or (hasattr(v, "isNull") and v.isNull()) else v
    return out


def _parts(geom: QgsGeometry) -> list:
    """The shapely parts of a QGIS geometry (multi-lines/points split into single parts)."""
    import shapely

    if QgsWkbTypes.isCurvedType(geom.wkbType()):
        geom = QgsGeometry(geom)
        geom.convertToStraightSegment()
    shp = shapely.from_wkb(bytes(geom.asWkb()))
    shp = shapely.force_2d(shp)
    if shp.geom_type in ("MultiLineString", "MultiPoint"):
        return list(shp.geoms)
    return [shp]


def _lamp_group(record: dict) -> int:
    v = record.get("edit")
    if isinstance(v, str):
        v = v.strip().replace(",", ".") or None
    return int(float(v)) if v is not None else 0


def scenario_from_sources(name: str, sources: dict, crs: QgsCoordinateReferenceSystem, *,
                          description: str = "", transform_context=None, connect_within_m=None):
    """One :class:`geoplan.types.Scenario` from feature sources keyed by edit kind.

    ``sources`` maps the kinds of :data:`EDIT_KINDS` to anything with ``getFeatures()`` and
    ``sourceCrs()`` (a layer or a Processing feature source); geometries are reprojected to
    ``crs`` (the baseline's metric CRS). Lamps with the same ``edit`` number form one
    ``Lighting`` edit.
    """
    from geoplan.errors import ConfigError
    from geoplan.scenario.io import edit_from_record
    from geoplan.types import Lighting, Scenario

    from .adapters import crs_to_core, read_features

    context = transform_context or QgsProject.instance().transformContext()
    edits, lamps = [], {}
    for kind in EDIT_KINDS:
        source = sources.get(kind)
        if source is None:
            continue
        src_crs = source.sourceCrs() if hasattr(source, "sourceCrs") else source.crs()
        transform = None
        if src_crs.isValid() and src_crs != crs:
            transform = QgsCoordinateTransform(src_crs, crs, context)
        for feature in read_features(source):
            geom = feature.geometry()
            if geom is None or geom.isNull() or geom.isEmpty():
                continue
            geom = QgsGeometry(geom)
            if transform is not None:
                geom.transform(transform)
            record = _record(feature)
            for part in _parts(geom):
                if kind == "new_lamps":
                    lamps.setdefault(_lamp_group(record), []).append(part)
                    continue
                try:
                    edits.append(edit_from_record(kind, {**record, "geometry": part}))
                except ConfigError as err:
                    raise ConfigError(tr("{layer}, feature {fid}: {error}").format(
                        layer=tr(EDIT_KINDS[kind].title), fid=feature.id(), error=err)) from err
    for group in sorted(lamps):
        edits.append(Lighting(lamps=tuple(lamps[group])))
    kwargs = {}
    if connect_within_m is not None:
        kwargs["connect_within_m"] = float(connect_within_m)
    return Scenario(name=name or tr("Scenario"), edits=tuple(edits), description=description,
                    crs=crs_to_core(crs), **kwargs)
