"""GeoPackages that open styled in QGIS, with OpenStreetMap attribution that survives.

:func:`write_gpkg` writes several layers into **one** GeoPackage atomically (a temporary file beside
the target, renamed into place only when everything succeeded, so a previous file survives a
failed write). Besides the layers it writes, following QGIS's own conventions:

``layer_styles``
    one default QGIS style (QML) per styled layer, in exactly the table QGIS creates with
    *Save style > In database* (``QgsVectorLayer.saveStyleToDatabase``), so QGIS applies the style
    when the layer is opened. The ``description`` of each row carries the attribution.
``gpkg_metadata`` / ``gpkg_metadata_reference``
    per layer, a QGIS layer-metadata document (QMD, ``md_standard_uri='http://mrcc.com/qgis.dtd'``,
    as QGIS writes it with *Save metadata to datasource*): QGIS shows its *rights*
    ("© OpenStreetMap contributors") and licence in the layer's metadata. (No GDAL dataset
    metadata: GDAL 3.12 would write a ``.aux.xml`` sidecar beside the file each time it opens it.)
``geoplan_metadata``
    a plain attribute table ``(fid, key, value)`` with the same dict and the attribution, readable
    from any GIS or ``sqlite3``.

Column conversions (GeoPackage has no list, dict or boolean-as-number types):

* list / tuple / set / array values are joined with ``";"`` (as ``osmid`` already is), dict values
  become JSON text;
* boolean columns are written as **integers 0/1** (nullable booleans keep missing values as NULL):
  QGIS 3.40 and spreadsheets then sum, average and classify them like any number (a mean is a
  share);
* a named index (e.g. ``cell_id`` of a grid) becomes an ordinary column.
* missing text is NULL: empty text and the spellings ``str()`` gives missing values
  (:data:`MISSING_TEXT`: ``"nan"``, ``"None"``, ...) are written as NULL, never as text.

The styles themselves (QML text, written without QGIS) are made in :mod:`geoplan.outputs.styles`;
its public names are re-exported here for existing callers.

Examples
--------
>>> import tempfile, pathlib, geopandas as gpd, shapely
>>> from geoplan.outputs.styles import class_breaks, graduated_fill_qml
>>> squares = [shapely.box(i * 100, 0, i * 100 + 100, 100) for i in range(3)]
>>> cells = gpd.GeoDataFrame({"pop": [3, 12, 40]}, geometry=squares, crs="EPSG:3006")
>>> breaks = class_breaks(cells["pop"], n_classes=2, method="equal")
>>> breaks
[0.0, 20.0, 40.0]
>>> out = pathlib.Path(tempfile.mkdtemp()) / "demo.gpkg"
>>> write_gpkg(out, {"grid_100m": cells},
...            styles={"grid_100m": graduated_fill_qml("pop", breaks, unit="")})
>>> import pyogrio
>>> pyogrio.list_layers(out)[:, 0].tolist()
['grid_100m', 'geoplan_metadata', 'layer_styles']
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_path, fsync_file
from ..errors import ConfigError, CRSError
from ..i18n import tr as _i18n_tr
from .styles import (  # the style writers, re-exported for callers of geoplan.outputs.gpkg
    ATTRIBUTION,
    LICENCE,
    QML_DOCTYPE,
    QML_VERSION,
    TEXTS,
    class_breaks,
    default_style,
    destination_point_qml,
    diverging_breaks,
    graduated_fill_qml,
    green_fill_qml,
    lit_line_qml,
)

__all__ = [
    "ATTRIBUTION",
    "LICENCE",
    "MISSING_TEXT",
    "TEXTS",
    "class_breaks",
    "default_style",
    "destination_point_qml",
    "diverging_breaks",
    "graduated_fill_qml",
    "green_fill_qml",
    "lit_line_qml",
    "write_gpkg",
]

#: GeoPackage/QGIS table names a geoplan layer may not use.
_RESERVED = ("layer_styles", "geoplan_metadata", "qgis_projects")
_QGIS_DTD = "http://mrcc.com/qgis.dtd"

# Exactly the table QGIS 3.40 creates (QgsVectorLayer.saveStyleToDatabase on a GeoPackage layer;
# verified by reading sqlite_master of a file QGIS styled).
_LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
# the geoplan_metadata table as GDAL creates it for a DataFrame of two text columns
_METADATA_TABLE_DDL = ('CREATE TABLE "geoplan_metadata" ( "fid" INTEGER PRIMARY KEY '
                       'AUTOINCREMENT NOT NULL, "key" TEXT, "value" TEXT)')
# GeoPackage metadata extension tables (as GDAL and QGIS create them).
_METADATA_DDL = (
    "CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,"
    "md_scope TEXT NOT NULL DEFAULT 'dataset',md_standard_uri TEXT NOT NULL,"
    "mime_type TEXT NOT NULL DEFAULT 'text/xml',metadata TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL,table_name TEXT,"
    "column_name TEXT,row_id_value INTEGER,timestamp DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')),md_file_id INTEGER NOT NULL,md_parent_id INTEGER,"
    "CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),"
    "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))",
)
_METADATA_EXT = "http://www.geopackage.org/spec120/#extension_metadata"
# GeoPackage Schema extension (spec 1.3, F.9): field titles and descriptions per column.
_SCHEMA_DDL = (
    "CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
    "name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
    "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
    "CONSTRAINT gdc_tn UNIQUE (table_name, name))",
    "CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
    "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, "
    "max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, "
    "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))",
)
_SCHEMA_EXT = "http://www.geopackage.org/spec/#extension_schema"


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------
#: Text that stands for a missing value (what ``str()`` makes of None/NaN, and empty text):
#: written as NULL, so missing text has one spelling in every layer.
MISSING_TEXT = frozenset({"", "nan", "NaN", "None", "<NA>"})


def _to_text(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str) and v in MISSING_TEXT:
        return None
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(v, list | tuple | set | frozenset | np.ndarray):
        items = sorted(v, key=str) if isinstance(v, set | frozenset) else list(v)
        return ";".join(str(x) for x in items)
    return v


def _missing_as_null(s: pd.Series) -> pd.Series:
    """A text column with missing values and :data:`MISSING_TEXT` as None (what
    ``s.map(_to_text)`` gives for text, without a Python call per row)."""
    out = s.astype(object)
    gone = out.isna().to_numpy() | out.isin(MISSING_TEXT).to_numpy()
    if not gone.any():
        return out
    values = out.to_numpy(dtype=object, copy=True)  # (Series.where costs ~0.2 ms a column)
    values[gone] = None
    return pd.Series(values, index=s.index, name=s.name, dtype=object)


def _prepare(name: str, df):
    """Copy of ``df`` with columns GeoPackage can hold (see the module doc)."""
    # a shallow copy: only whole columns are replaced below (pandas ≥ 2 never writes a
    # replaced column into the caller's array), and a deep one copied every column of a
    # municipality's grid and network (~0.2 s at 200k nodes) for nothing
    df = _index_as_column(df.copy(deep=False))
    geom_col = _geometry_name(df)
    converted = {}
    for col, dtype in df.dtypes.items():
        # numbers (numpy or nullable) are written as they are: only the others are looked at
        if col != geom_col and getattr(dtype, "kind", "O") not in "iuf":
            s = _gpkg_column(name, col, df[col])
            if s is not None:
                converted[col] = s
    for col, s in converted.items():  # only the columns that change: one frame update each
        df[col] = s
    return df, geom_col


def _geometry_name(df) -> str | None:
    """The geometry column of a GeoDataFrame, None for a table."""
    import geopandas as gpd

    return df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None


def _index_as_column(df):
    """``df`` with a named (or not a plain range) index as an ordinary column."""
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        if df.index.name is not None and df.index.name in df.columns:
            return df.reset_index(drop=True)
        return df.reset_index()
    return df


def _gpkg_column(name: str, col, s: pd.Series) -> pd.Series | None:
    """Column ``col`` of layer ``name`` as GeoPackage holds it, or None when it is fine as is."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    kind = getattr(s.dtype, "kind", "O")
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("Int32" if isinstance(s.dtype, pd.BooleanDtype) else "int32")
    if kind in "cmV":
        raise ConfigError(
            f"layer {name!r}: column {col!r} has type {s.dtype}, which a GeoPackage cannot "
            "hold: convert it to numbers or text before writing"
        )
    if kind != "O":
        return None
    inferred = pd.api.types.infer_dtype(s, skipna=True)
    if inferred == "boolean":  # True/False (and missing): 0/1 (and NULL)
        return s.astype("boolean").astype("Int32")
    if inferred in ("string", "empty"):  # text only: no Python call per row
        return _missing_as_null(s)
    bad = next((x for x in s.dropna() if isinstance(x, complex)), None)
    if bad is not None:
        raise ConfigError(
            f"layer {name!r}: column {col!r} holds complex numbers ({bad!r}), which a "
            "GeoPackage cannot hold: convert them to numbers or text before writing"
        )
    return s.map(_to_text)


#: GDAL's SQLite settings while the temporary GeoPackage is written: no fsync per commit and
#: the rollback journal in memory. The file is renamed into place only whole and synced once
#: before (:func:`~geoplan.atomic.fsync_file`), so per-commit durability would buy nothing.
#: (GDAL's name is ``OGR_SQLITE_SYNCHRONOUS``: the earlier ``OGR_SQLITE_SYNC`` was no option
#: at all, and GDAL synced every layer's file about seven times, ~30 ms a layer.)
_UNSYNCED = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_JOURNAL": "MEMORY"}


@contextlib.contextmanager
def _unsynced_writes():
    """GDAL config :data:`_UNSYNCED` inside the block, the previous values after it."""
    import pyogrio

    before = {k: pyogrio.get_gdal_config_option(k) for k in _UNSYNCED}
    pyogrio.set_gdal_config_options(_UNSYNCED)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _check_layers(layers, styles) -> None:
    import geopandas as gpd

    if not isinstance(layers, Mapping) or not layers:
        raise ConfigError("write_gpkg needs a dict {layer name: GeoDataFrame} with at least one "
                          "layer")
    seen: set[str] = set()
    for name, df in layers.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError(f"layer name {name!r} must start with a letter or _ and hold only "
                              "letters, digits and _ (e.g. 'grid_100m')")
        low = name.lower()
        if low in _RESERVED or low.startswith(("gpkg_", "rtree_", "sqlite_")):
            raise ConfigError(f"layer name {name!r} is reserved by GeoPackage/QGIS: choose "
                              "another name")
        if low in seen:
            raise ConfigError(f"two layers are named {name!r} (GeoPackage names ignore case)")
        seen.add(low)
        if not isinstance(df, pd.DataFrame):
            raise ConfigError(f"layer {name!r} must be a GeoDataFrame (or a DataFrame for a "
                              f"table), got {type(df).__name__}")
        if isinstance(df, gpd.GeoDataFrame) and df.crs is None:
            raise CRSError(f"layer {name!r} has no CRS: set it, e.g. gdf.set_crs('EPSG:3006')")
    for name, qml in (styles or {}).items():
        if name not in layers:
            raise ConfigError(f"a style is given for {name!r}, which is not among the layers "
                              f"{sorted(layers)}")
        try:
            root = ET.fromstring(re.sub(r"^\s*<!DOCTYPE[^>]*>", "", qml))
        except ET.ParseError as exc:
            raise ConfigError(f"the style of layer {name!r} is not valid QML: {exc}") from exc
        if root.tag != "qgis":
            raise ConfigError(f"the style of layer {name!r} is not QML (root <{root.tag}>)")


def _qmd(name: str, abstract: str, lang: str) -> str:
    """A QGIS layer-metadata document (QMD) with the attribution as *rights*."""
    root = ET.Element("qgis", version=QML_VERSION)
    for tag, text in (("identifier", name), ("parentidentifier", ""), ("language", lang),
                      ("type", "dataset"), ("title", name), ("abstract", abstract)):
        ET.SubElement(root, tag).text = text
    kw = ET.SubElement(root, "keywords", vocabulary="geoplan")
    ET.SubElement(kw, "keyword").text = "OpenStreetMap"
    ET.SubElement(root, "links")
    ET.SubElement(root, "dates")
    ET.SubElement(root, "fees").text = ""
    ET.SubElement(root, "rights").text = ATTRIBUTION
    ET.SubElement(root, "license").text = LICENCE
    ET.SubElement(root, "encoding").text = ""
    ET.SubElement(root, "extent")
    ET.indent(root, space=" ")
    return QML_DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


def _table_exists(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                       (name,)).fetchone() is not None


def _register_attributes_table(con: sqlite3.Connection, table: str, count: int) -> None:
    """Register ``table`` as GDAL/QGIS do: gpkg_contents 'attributes' + OGR feature count."""
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, "
        "srs_id) VALUES (?, 'attributes', ?, '', strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0)",
        (table, table),
    )
    if _table_exists(con, "gpkg_ogr_contents"):
        con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, ?)",
                    (table, count))
        for op, sign in (("insert", "+"), ("delete", "-")):
            con.execute(
                f'CREATE TRIGGER "trigger_{op}_feature_count_{table}" AFTER {op.upper()} ON '
                f'"{table}" BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count '
                f"{sign} 1 WHERE lower(table_name) = lower('{table}'); END"
            )


def _add_extension(con: sqlite3.Connection, ddls: tuple[str, ...], tables: tuple[str, ...],
                   extension: str, definition: str) -> None:
    """Create the tables of a GeoPackage extension (unless GDAL did) and register them in
    ``gpkg_extensions``."""
    if not _table_exists(con, tables[0]):
        for ddl in ddls:
            con.execute(ddl)
    for table in tables:
        con.execute("INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, "
                    "extension_name, definition, scope) VALUES (?, NULL, ?, ?, 'read-write')",
                    (table, extension, definition))


def _write_metadata_table(con: sqlite3.Connection, meta: Mapping[str, str]) -> None:
    """The ``geoplan_metadata`` table ``(fid, key, value)``, exactly as GDAL writes a table of
    two text columns (one GDAL write fewer: each costs a GeoPackage open and close)."""
    con.execute(_METADATA_TABLE_DDL)
    con.executemany('INSERT INTO "geoplan_metadata" ("key", "value") VALUES (?, ?)',
                    list(meta.items()))
    _register_attributes_table(con, "geoplan_metadata", len(meta))


def _write_extras(tmp: Path, names: list[str], meta: Mapping[str, str],
                  styles: Mapping[str, str], abstract: str, lang: str,
                  aliases: Mapping) -> None:
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA synchronous = OFF")  # synced once by write_gpkg (fsync_file)
        con.execute("PRAGMA journal_mode = MEMORY")
        with con:
            _write_metadata_table(con, meta)
            if aliases:
                _write_data_columns(con, aliases)
            geom_cols = dict(con.execute("SELECT table_name, column_name FROM "
                                         "gpkg_geometry_columns").fetchall())
            if styles:
                con.execute(_LAYER_STYLES_DDL)
                for name, qml in styles.items():
                    con.execute(
                        'INSERT INTO "layer_styles" (f_table_catalog, f_table_schema, '
                        "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
                        "useAsDefault, description, owner, ui) VALUES "
                        "('', '', ?, ?, ?, ?, '', 1, ?, '', NULL)",
                        (name, geom_cols.get(name, ""), name, qml,
                         f"geoplan style of {name}. Data {ATTRIBUTION} ({LICENCE})"),
                    )
                _register_attributes_table(con, "layer_styles", len(styles))
            _add_extension(con, _METADATA_DDL, ("gpkg_metadata", "gpkg_metadata_reference"),
                           "gpkg_metadata", _METADATA_EXT)
            for name in names:
                cur = con.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, "
                                  "mime_type, metadata) VALUES ('dataset', ?, 'text/xml', ?)",
                                  (_QGIS_DTD, _qmd(name, abstract, lang)))
                con.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, "
                            "md_file_id) VALUES ('table', ?, ?)", (name, cur.lastrowid))
                con.execute("UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
                            (f"{name}. Data {ATTRIBUTION}", name))
    finally:
        con.close()


def _unique_titles(columns: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The aliases with a repeated label made unique by its column name (the Schema
    extension keeps ``name`` unique per table, QGIS shows aliases side by side)."""
    seen: dict[str, int] = {}
    for label, _ in columns.values():
        seen[label] = seen.get(label, 0) + 1
    return {col: (label if seen[label] == 1 else f"{label} ({col})", about)
            for col, (label, about) in columns.items()}


def _write_data_columns(con: sqlite3.Connection,
                        aliases: Mapping[str, Mapping[str, tuple[str, str]]]) -> None:
    """Rows of ``gpkg_data_columns`` (Schema extension): ``name`` and ``title`` = the alias,
    ``description`` = the description, for every written column that has one."""
    _add_extension(con, _SCHEMA_DDL, ("gpkg_data_columns", "gpkg_data_column_constraints"),
                   "gpkg_schema", _SCHEMA_EXT)
    for layer, columns in aliases.items():
        written = {r[1] for r in con.execute(f'PRAGMA table_info("{layer}")')}
        for col, (label, about) in _unique_titles(columns).items():
            if col in written:
                con.execute("INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, "
                            "name, title, description) VALUES (?, ?, ?, ?, ?)",
                            (layer, col, label, label, about or None))


def _with_aliases(qml: str | None, columns: Mapping[str, tuple[str, str]],
                  fields: list[str]) -> str:
    """``qml`` (or a QML of the *Fields* category only) with an ``<aliases>`` element, so QGIS
    shows the aliases when it applies the layer's default style (GDAL before 3.7 does not read
    ``gpkg_data_columns``)."""
    if qml is None:
        root = ET.Element("qgis", version=QML_VERSION, styleCategories="Fields")
    else:
        root = ET.fromstring(re.sub(r"^\s*<!DOCTYPE[^>]*>", "", qml))
        if root.find("aliases") is not None:
            return qml
        cats = root.get("styleCategories")
        if cats is not None and "Fields" not in cats.split("|"):
            root.set("styleCategories", cats + "|Fields")
    aliases = ET.SubElement(root, "aliases")
    at = {}  # each field's first position (list.index per column was quadratic)
    for i, f in enumerate(fields):
        at.setdefault(f, i)
    for col, (label, _) in _unique_titles(columns).items():
        if col in at:
            ET.SubElement(aliases, "alias", index=str(at[col]), field=col, name=label)
    return QML_DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


def _all_styles(layers: Mapping[str, pd.DataFrame], styles: Mapping[str, str] | None,
                aliases: Mapping, lang: str) -> dict[str, str]:
    """The layers' default styles in layer order: the given ones, else :func:`default_style`,
    each with the layer's field aliases."""
    styles = dict(styles or {})
    for name in layers:
        if name not in styles:
            auto = default_style(layers[name], lang=lang)
            if auto is not None:
                styles[name] = auto
    for name, columns in aliases.items():
        if name in layers and columns:
            df = _index_as_column(layers[name].head(0))  # the names _prepare writes
            geom_col = _geometry_name(df)
            fields = ["fid"] + [str(c) for c in df.columns if c != geom_col]
            styles[name] = _with_aliases(styles.get(name), columns, fields)
    return {n: styles[n] for n in layers if n in styles}


def _meta_text(v) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)


def write_gpkg(path: str | os.PathLike, layers: Mapping[str, pd.DataFrame], *,
               styles: Mapping[str, str] | None = None, metadata: Mapping | None = None,
               lang: str = "en",
               aliases: Mapping[str, Mapping[str, tuple[str, str]]] | None = None) -> None:
    """Write ``layers`` into one GeoPackage atomically, with QGIS styles and attribution.

    Parameters
    ----------
    path
        Target ``.gpkg``; replaced whole (an existing file survives if the write fails).
    layers
        ``{layer name: GeoDataFrame}`` in write order; a plain DataFrame is written as a
        non-spatial table. Names: letters, digits and ``_``; a named index (``cell_id``) becomes
        a column. See the module doc for list/dict/bool conversions.
    styles
        ``{layer name: QML text}`` stored as each layer's default style in ``layer_styles``.
        Layers without one get :func:`default_style` when their columns match (lit network,
        destinations, green space).
    metadata
        Package facts (source file, area, CRS, version …); stored with the attribution in the
        ``geoplan_metadata`` table, as GDAL dataset metadata and in each layer's QGIS metadata.
        Values that are not text are stored as JSON.
    lang
        Language of the automatic styles' legends.
    aliases
        ``{layer: {column: (alias, description)}}`` (e.g.
        :func:`geoplan.outputs.dictionary.field_aliases`): written as the GeoPackage Schema
        extension's ``gpkg_data_columns`` rows (``name``/``title`` = alias, ``description``)
        and as ``<aliases>`` in each layer's default QGIS style, so QGIS shows them whatever
        its GDAL version. A repeated alias is made unique with its column name.

    Raises
    ------
    ConfigError
        Bad layer names, a style for a missing layer, invalid QML, or a column type GeoPackage
        cannot hold (complex numbers, time spans).
    CRSError
        A GeoDataFrame without a CRS.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely, pyogrio
    >>> net = gpd.GeoDataFrame({"lit": ["yes", "unknown"], "osmid": [(1, 2), (3,)]},
    ...     geometry=[shapely.LineString([(0, 0), (10, 0)])] * 2, crs="EPSG:3006")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "net.gpkg"
    >>> write_gpkg(out, {"network": net}, metadata={"source": "demo.osm.pbf"})
    >>> pyogrio.read_dataframe(out, layer="network")["osmid"].tolist()
    ['1;2', '3']
    >>> meta = pyogrio.read_dataframe(out, layer="geoplan_metadata", read_geometry=False)
    >>> dict(zip(meta["key"], meta["value"]))["attribution"]
    '© OpenStreetMap contributors'
    >>> sorted(p.name for p in out.parent.iterdir())   # no .aux.xml sidecar after reading
    ['net.gpkg']
    """
    import pyogrio

    _check_layers(layers, styles)
    _i18n_tr("attribution", lang)  # validates lang (ConfigError names the languages)
    meta = {"attribution": ATTRIBUTION, "licence": LICENCE}
    for k, v in (metadata or {}).items():
        meta[str(k)] = _meta_text(v)
    abstract = "\n".join([f"Data {ATTRIBUTION}, {LICENCE}. Written by geoplan."]
                         + [f"{k}: {v}" for k, v in meta.items()
                            if k not in ("attribution", "licence")])
    names = list(layers)
    ordered_styles = _all_styles(layers, styles, aliases or {}, lang)

    with atomic_path(path, suffix=".gpkg") as tmp, _unsynced_writes():
        for name in names:
            df, geom_col = _prepare(name, layers[name])
            # no GDAL dataset metadata: GDAL 3.12 then writes a .aux.xml sidecar beside the
            # GeoPackage every time it is opened, even read-only (metadata lives in the
            # geoplan_metadata table and the QGIS metadata documents instead)
            pyogrio.write_dataframe(df, tmp, layer=name, driver="GPKG", VERSION="1.3")
        _write_extras(tmp, names, meta, ordered_styles, abstract, lang, aliases or {})
        fsync_file(tmp)  # once, before it is renamed into place
