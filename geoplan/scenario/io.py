"""Scenarios stored as GeoPackages: what the CLI and the QGIS scenario panel read and write.

One layer per kind of edit (a layer may be missing when the scenario has no edit of that kind);
every layer is in the same CRS (a layer in another CRS is reprojected when read). Written with
:func:`geoplan.outputs.gpkg.write_gpkg`, so the layers open styled in QGIS and carry the
OpenStreetMap attribution.

``scenario`` (table, one row)
    ``name``, ``description``, ``connect_within_m`` (a new path's end joins an edge within this
    many metres; default :data:`geoplan.types.CONNECT_WITHIN_M`, 15).
``new_paths`` (LineString)
    ``name``, ``lit`` (``yes``/``no``), ``kind`` (highway value, e.g. ``footway``, ``path``),
    ``crossing`` (empty = at grade: junctions where it crosses paths; ``bridge``/``tunnel``:
    no junctions).
``new_lamps`` (Point)
    ``edit`` (lamps with the same number form one lighting edit).
``lit_paths`` (table)
    ``edit``, ``osm_id`` (OSM way id) or ``edge_id`` (0-based position in the baseline
    ``network`` layer, i.e. its ``fid`` − 1): paths lit as a whole.
``densify`` (Polygon)
    ``name`` and exactly one of ``dwellings``, ``residents``, ``floor_area_m2``; optional
    ``persons_per_dwelling`` (:data:`geoplan.types.PERSONS_PER_DWELLING`, 2.1) and
    ``persons_per_m2`` (:data:`geoplan.types.PERSONS_PER_M2`, 1/42).
``new_green`` (Polygon)
    ``name``, ``kind`` (e.g. ``park``), ``public`` (1/0).
``new_destinations`` (Point)
    ``name``, ``category`` (school, preschool, grocery, transit_stop, healthcare, library,
    meeting_place, sports, playground).

Bad rows are refused with the layer, the row number and what to fix (unknown category, a
densification without a number, an empty geometry, a layer without CRS …); coordinates in
degrees labelled as metres are caught when the scenario is applied (it then lies outside the
study area). Empty values take the defaults of :data:`EDIT_FIELDS` (the QGIS scenario panel
makes its layers from the same table and reads them with :func:`edit_from_record`).

Example
-------
>>> import tempfile, pathlib, shapely
>>> from geoplan.types import Scenario, NewPath, Densify
>>> s = Scenario("demo", (NewPath(shapely.LineString([(0, 0), (80, 0)]), lit=True),
...                       Densify(shapely.box(0, 0, 50, 50), dwellings=300)), crs="EPSG:3067")
>>> p = pathlib.Path(tempfile.mkdtemp()) / "s.gpkg"
>>> write_scenario(s, p)
>>> r = read_scenario(p)
>>> r.name, [type(e).__name__ for e in r.edits], r.edits[1].dwellings
('demo', ['NewPath', 'Densify'], 300.0)
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import ConfigError, CRSError, GeoplanError, InputFileError
from ..types import (
    CONNECT_WITHIN_M,
    PERSONS_PER_DWELLING,
    PERSONS_PER_M2,
    Densify,
    Lighting,
    NewDestination,
    NewGreen,
    NewPath,
    Scenario,
)

__all__ = ["EDIT_FIELDS", "EDIT_GEOMETRIES", "SCENARIO_LAYERS", "edit_from_record",
           "read_scenario", "write_scenario"]

#: Layer names of a scenario GeoPackage, in the order edits are read.
SCENARIO_LAYERS = ("scenario", "new_paths", "new_lamps", "lit_paths", "densify", "new_green",
                   "new_destinations")

#: Geometry type of each layer of drawn edits.
EDIT_GEOMETRIES: dict[str, str] = {"new_paths": "LineString", "new_lamps": "Point",
                                   "densify": "Polygon", "new_green": "Polygon",
                                   "new_destinations": "Point"}

#: Fields of each layer of drawn edits, in order: (name, kind, default). ``kind`` is ``"text"``,
#: ``"real"`` or ``"integer"``; ``default`` is what an empty value means (None: no default).
EDIT_FIELDS: dict[str, tuple[tuple[str, str, object], ...]] = {
    "new_paths": (("name", "text", ""), ("lit", "text", "yes"), ("kind", "text", "footway"),
                  ("crossing", "text", "")),
    "new_lamps": (("edit", "integer", 0),),
    "densify": (("name", "text", ""), ("dwellings", "real", None), ("residents", "real", None),
                ("floor_area_m2", "real", None),
                ("persons_per_dwelling", "real", PERSONS_PER_DWELLING),
                ("persons_per_m2", "real", PERSONS_PER_M2)),
    "new_green": (("name", "text", ""), ("public", "integer", 1), ("kind", "text", "park")),
    "new_destinations": (("name", "text", ""), ("category", "text", None)),
}

_YES = ("yes", "true", "1", "ja", "y")
_NO = ("no", "false", "0", "nej", "n")


def _opt(row, key, default=None):
    """The value of ``key``; ``default`` when missing, NULL, NaN or blank text."""
    v = row.get(key, default) if hasattr(row, "get") else default
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return default
    if isinstance(v, str) and not v.strip():
        return default
    return v


def _number(v):
    """A number from a field (``"2,5"`` with a decimal comma too); other text is left for the
    edit's own check to name."""
    if isinstance(v, str):
        try:
            return float(v.strip().replace(",", "."))
        except ValueError:
            return v
    return v


def _yes_no(v):
    """yes/no (also true/false, 1/0, ja/nej) as a bool; anything else is left for the edit's
    own check to name."""
    if isinstance(v, str):
        low = v.strip().lower()
        return True if low in _YES else False if low in _NO else low
    return v


def _single(geom, kind: str):
    """A one-part Multi geometry (QGIS often draws those) as its single part."""
    if geom is not None and geom.geom_type == f"Multi{kind}":
        parts = shapely.get_parts(geom)
        if len(parts) == 1:
            return parts[0]
        raise ConfigError(f"a {kind} is drawn with {len(parts)} parts: draw one per row")
    return geom


def _field(record, layer: str, name: str):
    default = next(d for n, _, d in EDIT_FIELDS[layer] if n == name)
    return _opt(record, name, default)


def edit_from_record(layer: str, record) -> NewPath | Densify | NewGreen | NewDestination:
    """One drawn edit from the attributes of a feature of ``layer`` and its ``"geometry"``.

    What :func:`read_scenario` and the QGIS scenario panel both call, so a scenario drawn in QGIS
    and one read from a GeoPackage are the same. Empty values take the defaults of
    :data:`EDIT_FIELDS`. (``new_lamps`` are grouped into :class:`~geoplan.types.Lighting` edits
    by their ``edit`` number; see :func:`read_scenario`.)

    Examples
    --------
    >>> import shapely
    >>> d = edit_from_record("densify", {"geometry": shapely.box(0, 0, 50, 50),
    ...                                  "dwellings": "120", "persons_per_dwelling": "2,5"})
    >>> d.residents_added(), d.persons_per_m2 == PERSONS_PER_M2
    (300.0, True)
    """
    if layer not in EDIT_FIELDS or layer == "new_lamps":
        raise ConfigError(f"{layer!r} is not a layer of drawn edits: use one of "
                          f"{[k for k in EDIT_FIELDS if k != 'new_lamps']}")
    f = {n: _field(record, layer, n) for n, _, _ in EDIT_FIELDS[layer]}
    geom = record.get("geometry")
    name = str(f.get("name") or "")
    if layer == "new_paths":
        return NewPath(_single(geom, "LineString"), lit=_yes_no(f["lit"]), kind=str(f["kind"]),
                       crossing=str(f["crossing"]), name=name)
    if layer == "densify":
        return Densify(_single(geom, "Polygon") if geom is not None else None,
                       dwellings=_number(f["dwellings"]), residents=_number(f["residents"]),
                       floor_area_m2=_number(f["floor_area_m2"]),
                       persons_per_dwelling=float(_number(f["persons_per_dwelling"])),
                       persons_per_m2=float(_number(f["persons_per_m2"])), name=name)
    if layer == "new_green":
        return NewGreen(geom, public=bool(_yes_no(f["public"])), kind=str(f["kind"]), name=name)
    return NewDestination(_single(geom, "Point"), str(f["category"] or "").strip(), name=name)


def _rows(path: Path, gdfs: dict, layer: str):
    out = []
    df = gdfs.get(layer)
    if df is None:
        return out
    for i, row in enumerate(df.to_dict("records")):
        try:
            out.append(edit_from_record(layer, row))
        except GeoplanError as exc:
            raise ConfigError(f"{path.name}, layer {layer!r}, row {i + 1}: {exc}") from None
    return out


def _lighting_edits(path: Path, gdfs: dict) -> list[Lighting]:
    """Lamps and lit path ids grouped by their ``edit`` number, one Lighting edit per group."""
    groups: dict[int, dict] = {}
    for name in ("new_lamps", "lit_paths"):
        df = gdfs.get(name)
        for i, r in enumerate(df.to_dict("records") if df is not None else ()):
            g = groups.setdefault(int(_opt(r, "edit", 0)), {"lamps": [], "osm": [], "edge": []})
            if name == "new_lamps":
                try:
                    g["lamps"].append(_single(r.get("geometry"), "Point"))
                except GeoplanError as exc:
                    raise ConfigError(f"{path.name}, layer {name!r}, row {i + 1}: {exc}") from None
                continue
            osm, edge = _opt(r, "osm_id"), _opt(r, "edge_id")
            if (osm is None) == (edge is None):
                raise ConfigError(f"{path.name}, layer 'lit_paths', row {i + 1}: give either "
                                  "osm_id or edge_id")
            (g["osm"] if osm is not None else g["edge"]).append(osm if osm is not None else edge)
    edits = []
    for k in sorted(groups):
        g = groups[k]
        try:
            edits.append(Lighting(lamps=tuple(g["lamps"]), osm_ids=tuple(g["osm"]),
                                  edge_ids=tuple(g["edge"])))
        except GeoplanError as exc:
            raise ConfigError(f"{path.name}, lighting edit {k}: {exc}") from None
    return edits


def _layer_names(path: Path) -> list[str]:
    import pyogrio

    if not path.is_file():
        raise InputFileError(f"scenario file {path} does not exist: create it with "
                             "geoplan.scenario.io.write_scenario or the QGIS scenario panel")
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # noqa: BLE001 - any GDAL failure means "not a GeoPackage"
        raise InputFileError(f"{path} is not a readable GeoPackage ({exc})") from None
    if not any(n in SCENARIO_LAYERS for n in names):
        raise InputFileError(f"{path} has none of the scenario layers {list(SCENARIO_LAYERS)} "
                             f"(it has {names})")
    return names


def _read_edit_layers(path: Path, names: list[str]):
    """The non-empty edit layers, all in the CRS of the first one; and that CRS."""
    import pyogrio

    gdfs, crs = {}, None
    for name in SCENARIO_LAYERS[1:]:
        if name not in names:
            continue
        df = pyogrio.read_dataframe(path, layer=name)
        if len(df) == 0:
            continue
        if isinstance(df, gpd.GeoDataFrame) and "geometry" in df:
            if df.crs is None:
                raise CRSError(f"{path.name}, layer {name!r} has no CRS: set the layer's CRS in "
                               "QGIS (e.g. EPSG:3006) and save it again")
            if crs is None:
                crs = df.crs
            elif df.crs != crs:
                df = df.to_crs(crs)
        gdfs[name] = df
    return gdfs, crs


def read_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario GeoPackage (see the module doc for its layers and columns).

    Raises
    ------
    InputFileError
        The file is missing or not a GeoPackage with scenario layers.
    ConfigError
        A row is wrong: the message names the layer, the row and what to fix.
    """
    import pyogrio

    path = Path(path)
    names = _layer_names(path)
    gdfs, crs = _read_edit_layers(path, names)
    meta = {}
    if "scenario" in names:
        t = pyogrio.read_dataframe(path, layer="scenario")
        if len(t):
            meta = t.iloc[0].to_dict()
    edits = [*_rows(path, gdfs, "new_paths"), *_lighting_edits(path, gdfs),
             *_rows(path, gdfs, "densify"), *_rows(path, gdfs, "new_green"),
             *_rows(path, gdfs, "new_destinations")]
    name = str(_opt(meta, "name", "") or path.stem)
    return Scenario(name, tuple(edits), description=str(_opt(meta, "description", "")),
                    crs=crs if crs is not None else None,
                    connect_within_m=float(_opt(meta, "connect_within_m", CONNECT_WITHIN_M)))


def _gdf(rows: list[dict], geoms: list, crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=list(geoms), crs=crs)


def write_scenario(scenario: Scenario, path: str | os.PathLike, *, lang: str = "en") -> None:
    """Write ``scenario`` as a GeoPackage (atomically; see the module doc for the layers).

    Layers without edits are left out; :func:`read_scenario` reads a missing layer as empty.
    """
    from ..outputs.gpkg import write_gpkg

    crs = scenario.crs
    layers: dict[str, pd.DataFrame] = {"scenario": pd.DataFrame({
        "name": [scenario.name], "description": [scenario.description],
        "connect_within_m": [float(scenario.connect_within_m)]})}
    paths = scenario.of_type(NewPath)
    if paths:
        layers["new_paths"] = _gdf(
            [{"name": p.name, "lit": "yes" if p.lit else "no", "kind": p.kind,
              "crossing": p.crossing} for p in paths], [p.geometry for p in paths], crs)
    lamps, ids = [], []
    for k, e in enumerate(scenario.of_type(Lighting)):
        lamps += [(k, p) for p in e.lamps]
        ids += [{"edit": k, "osm_id": i, "edge_id": None} for i in e.osm_ids]
        ids += [{"edit": k, "osm_id": None, "edge_id": i} for i in e.edge_ids]
    if lamps:
        layers["new_lamps"] = _gdf([{"edit": k} for k, _ in lamps], [p for _, p in lamps], crs)
    if ids:
        t = pd.DataFrame(ids)
        layers["lit_paths"] = t.astype({"edit": "int64", "osm_id": "Int64", "edge_id": "Int64"})
    dens = scenario.of_type(Densify)
    if dens:
        layers["densify"] = _gdf(
            [{"name": d.name, "dwellings": d.dwellings, "residents": d.residents,
              "floor_area_m2": d.floor_area_m2, "persons_per_dwelling": d.persons_per_dwelling,
              "persons_per_m2": d.persons_per_m2} for d in dens],
            [d.polygon for d in dens], crs).astype(
                {"dwellings": float, "residents": float, "floor_area_m2": float})
    green = scenario.of_type(NewGreen)
    if green:
        layers["new_green"] = _gdf([{"name": g.name, "kind": g.kind, "public": g.public}
                                    for g in green], [g.polygon for g in green], crs)
    dest = scenario.of_type(NewDestination)
    if dest:
        layers["new_destinations"] = _gdf([{"name": d.name, "category": d.category}
                                           for d in dest], [d.point for d in dest], crs)
    if crs is None and len(layers) > 1:
        raise CRSError("the scenario has no CRS: set Scenario(crs=...)")
    meta = {"scenario": scenario.name, "edits": int(len(scenario.edits)),
            "n_by_kind": {k: int(np.sum([type(e).__name__ == k for e in scenario.edits]))
                          for k in ("NewPath", "Lighting", "Densify", "NewGreen",
                                    "NewDestination")}}
    write_gpkg(path, layers, metadata=meta, lang=lang)
