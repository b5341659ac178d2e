"""Scenarios stored as GeoPackages: what the CLI and the QGIS scenario panel read and write.

One layer per kind of edit (a layer may be missing when the scenario has no edit of that kind);
every layer is in the same CRS (a layer in another CRS is reprojected when read). Written with
:func:`geoplan.outputs.gpkg.write_gpkg`, so the layers open styled in QGIS and carry the
OpenStreetMap attribution.

``scenario`` (table, one row)
    ``name``, ``description``, ``connect_within_m`` (a new path's end joins an edge within this
    many metres; default 15).
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
    ``persons_per_dwelling`` (2.1) and ``persons_per_m2`` (1/42).
``new_green`` (Polygon)
    ``name``, ``kind`` (e.g. ``park``), ``public`` (1/0).
``new_destinations`` (Point)
    ``name``, ``category`` (school, preschool, grocery, transit_stop, healthcare, library,
    meeting_place, sports, playground).

Bad rows are refused with the layer, the row number and what to fix (unknown category, a
densification without a number, an empty geometry, a layer without CRS …); coordinates in
degrees labelled as metres are caught when the scenario is applied (it then lies outside the
study area).

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
from ..types import Densify, Lighting, NewDestination, NewGreen, NewPath, Scenario

__all__ = ["SCENARIO_LAYERS", "read_scenario", "write_scenario"]

#: Layer names of a scenario GeoPackage, in the order edits are read.
SCENARIO_LAYERS = ("scenario", "new_paths", "new_lamps", "lit_paths", "densify", "new_green",
                   "new_destinations")


def _opt(row, key, default=None):
    v = row.get(key, default) if hasattr(row, "get") else default
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return default
    return v


def _single(geom, kind: str):
    """A one-part Multi geometry (QGIS often draws those) as its single part."""
    if geom is not None and geom.geom_type == f"Multi{kind}":
        parts = shapely.get_parts(geom)
        if len(parts) == 1:
            return parts[0]
        raise ConfigError(f"a {kind} is drawn with {len(parts)} parts: draw one per row")
    return geom


def _rows(path: Path, gdfs: dict, layer: str, make):
    out = []
    df = gdfs.get(layer)
    if df is None:
        return out
    for i, row in enumerate(df.to_dict("records")):
        try:
            out.append(make(row))
        except GeoplanError as exc:
            raise ConfigError(f"{path.name}, layer {layer!r}, row {i + 1}: {exc}") from None
    return out


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
    if not path.is_file():
        raise InputFileError(f"scenario file {path} does not exist: create it with "
                             "geoplan.scenario.io.write_scenario or the QGIS scenario panel")
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # noqa: BLE001 - any GDAL failure means "not a GeoPackage"
        raise InputFileError(f"{path} is not a readable GeoPackage ({exc})") from None
    known = [n for n in names if n in SCENARIO_LAYERS]
    if not known:
        raise InputFileError(f"{path} has none of the scenario layers {list(SCENARIO_LAYERS)} "
                             f"(it has {names})")
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
    meta = {}
    if "scenario" in names:
        t = pyogrio.read_dataframe(path, layer="scenario")
        if len(t):
            meta = t.iloc[0].to_dict()
    edits: list = []
    edits += _rows(path, gdfs, "new_paths", lambda r: NewPath(
        _single(r.get("geometry"), "LineString"), lit=str(_opt(r, "lit", "yes")).strip().lower(),
        kind=str(_opt(r, "kind", "footway")), crossing=str(_opt(r, "crossing", "") or ""),
        name=str(_opt(r, "name", ""))))
    groups: dict[int, dict] = {}
    for name, field_ in (("new_lamps", "lamps"), ("lit_paths", "ids")):
        df = gdfs.get(name)
        if df is None:
            continue
        for i, r in enumerate(df.to_dict("records")):
            g = groups.setdefault(int(_opt(r, "edit", 0)), {"lamps": [], "osm": [], "edge": []})
            if field_ == "lamps":
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
    for k in sorted(groups):
        g = groups[k]
        try:
            edits.append(Lighting(lamps=tuple(g["lamps"]), osm_ids=tuple(g["osm"]),
                                  edge_ids=tuple(g["edge"])))
        except GeoplanError as exc:
            raise ConfigError(f"{path.name}, lighting edit {k}: {exc}") from None
    edits += _rows(path, gdfs, "densify", lambda r: Densify(
        _single(r.get("geometry"), "Polygon") if r.get("geometry") is not None else None,
        dwellings=_opt(r, "dwellings"), residents=_opt(r, "residents"),
        floor_area_m2=_opt(r, "floor_area_m2"),
        persons_per_dwelling=float(_opt(r, "persons_per_dwelling", 2.1)),
        persons_per_m2=float(_opt(r, "persons_per_m2", 1.0 / 42.0)),
        name=str(_opt(r, "name", ""))))
    edits += _rows(path, gdfs, "new_green", lambda r: NewGreen(
        r.get("geometry"), public=bool(int(_opt(r, "public", 1))),
        kind=str(_opt(r, "kind", "park")), name=str(_opt(r, "name", ""))))
    edits += _rows(path, gdfs, "new_destinations", lambda r: NewDestination(
        _single(r.get("geometry"), "Point"), str(_opt(r, "category", "")).strip(),
        name=str(_opt(r, "name", ""))))
    name = str(_opt(meta, "name", "") or path.stem)
    return Scenario(name, tuple(edits), description=str(_opt(meta, "description", "")),
                    crs=crs if crs is not None else None,
                    connect_within_m=float(_opt(meta, "connect_within_m", 15.0)))


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
