"""Write safety-walk findings: a GeoPackage with the QGIS/QField forms, or an empty template.

The findings are read and checked by :mod:`geoplan.sources.findings`; the form (widgets,
aliases, defaults, constraints) is :func:`geoplan.outputs.styles.findings_form_qml`.

Example
-------
>>> import tempfile, pathlib, pyogrio
>>> out = findings_template(pathlib.Path(tempfile.mkdtemp()) / "walk.gpkg", lang="da")
>>> sorted(str(n) for n, _ in pyogrio.list_layers(out))[:2]
['findings', 'findings_lines']
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from ..errors import CRSError
from ..sources.findings import FINDINGS_LAYERS, FORM_FIELDS
from .gpkg import write_gpkg
from .styles import findings_form_qml

__all__ = ["findings_template", "write_findings"]


def _layer_frame(findings: gpd.GeoDataFrame | None, kind: str, crs) -> gpd.GeoDataFrame:
    cols = ["finding_id", *FORM_FIELDS]
    if findings is None or len(findings) == 0:
        return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in cols},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    types = findings.geometry.geom_type
    take = types == "Point" if kind == "Point" else types.isin(["LineString", "MultiLineString"])
    sub = findings.loc[take, [*cols, findings.geometry.name]].copy()
    sub["severity"] = sub["severity"].astype("int32")
    return gpd.GeoDataFrame(sub.reset_index(drop=True), crs=findings.crs)


def _placeholder(kind: str, crs) -> gpd.GeoDataFrame:
    """One dummy feature so the layer gets its geometry and field types (deleted afterwards)."""
    c = CRS.from_user_input(crs)
    aou = c.area_of_use
    lon, lat = ((aou.west + aou.east) / 2, (aou.south + aou.north) / 2) if aou else (0.0, 0.0)
    x, y = Transformer.from_crs(4326, c, always_xy=True).transform(float(lon), float(lat))
    geom = shapely.Point(x, y) if kind == "Point" else shapely.LineString([(x, y), (x + 1e-3,
                                                                                    y)])
    return gpd.GeoDataFrame({"finding_id": [""], "category": ["other"],
                             "severity": np.array([1], dtype="int32"), "date": ["2000-01-01"],
                             "note": [""], "photo": [""], "status": ["open"], "walk": [""]},
                            geometry=[geom], crs=c)


def write_findings(path, findings: gpd.GeoDataFrame | None, *, lang: str = "en", crs=None,
                   metadata: Mapping | None = None) -> Path:
    """Write findings into a GeoPackage with the QGIS forms: points in ``findings``, lines in
    ``findings_lines`` (both layers always exist, so QGIS/QField can add either).

    Parameters
    ----------
    path
        Target ``.gpkg`` (replaced).
    findings
        Normalised findings (:func:`geoplan.sources.findings.read_findings`), or None for an empty template.
    lang
        Language of the form's labels.
    crs
        CRS of the layers (default the findings' CRS, else EPSG:4326).
    metadata
        Extra facts stored with the file (e.g. that it is example data).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    if findings is not None and crs is not None:
        findings = findings.to_crs(crs)
    crs = crs or (findings.crs if findings is not None else None) or "EPSG:4326"
    crs = CRS.from_user_input(crs)
    layers, empty = {}, []
    for name, kind in FINDINGS_LAYERS.items():
        frame = _layer_frame(findings, kind, crs)
        if len(frame) == 0:
            frame = _placeholder(kind, crs)
            empty.append(name)
        layers[name] = frame
    styles = {name: findings_form_qml("point" if kind == "Point" else "line", lang=lang)
              for name, kind in FINDINGS_LAYERS.items()}
    meta = {"attribution": "safety-walk findings (trygghetsvandring / tryghedsvandring); "
                           "no OpenStreetMap data", "licence": "set by the walk's organiser",
            "geoplan_kind": "safety_walk_findings", "findings_schema": "geoplan findings 1",
            "lang": lang, **dict(metadata or {})}
    path = Path(path)
    write_gpkg(path, layers, styles=styles, metadata=meta, lang=lang)
    if empty:
        _empty_layers(path, empty)
    return path


def _empty_layers(path: Path, names: list[str]) -> None:
    con = sqlite3.connect(path)
    try:
        with con:
            for name in names:
                con.execute(f'DELETE FROM "{name}"')
                con.execute("UPDATE gpkg_contents SET min_x = NULL, min_y = NULL, max_x = NULL, "
                            "max_y = NULL WHERE table_name = ?", (name,))
                if con.execute("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'"
                               ).fetchone():
                    con.execute("DELETE FROM sqlite_sequence WHERE name = ?", (name,))
    finally:
        con.close()


def findings_template(path, *, lang: str = "en", crs="EPSG:4326") -> Path:
    """Write an empty findings GeoPackage ready for QGIS or QField (forms in ``layer_styles``).

    Two layers, ``findings`` (points) and ``findings_lines`` (lines), with the fields of the
    schema and the form of :func:`geoplan.outputs.styles.findings_form_qml` in ``lang``.

    Parameters
    ----------
    path
        The ``.gpkg`` to write (replaced).
    lang
        ``"en"``, ``"sv"`` or ``"da"``: labels of the form.
    crs
        CRS of the layers: EPSG:4326 (works anywhere), or the national grid, e.g. EPSG:3006
        (SWEREF99 TM) or EPSG:25832 (Denmark).

    Examples
    --------
    >>> import tempfile, pathlib, pyogrio
    >>> out = findings_template(pathlib.Path(tempfile.mkdtemp()) / "walk.gpkg", lang="sv")
    >>> [(str(n), str(g)) for n, g in pyogrio.list_layers(out)][:2]
    [('findings', 'Point'), ('findings_lines', 'LineString')]
    """
    try:
        c = CRS.from_user_input(crs)
    except Exception as exc:
        raise CRSError(f"unknown CRS {crs!r}: give an EPSG code such as 'EPSG:3006'") from exc
    return write_findings(path, None, lang=lang, crs=c)
