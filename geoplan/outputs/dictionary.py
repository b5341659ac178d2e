"""The data dictionary of a run: one row per column of every layer, in the run's language.

Every run folder (and every scenario folder) holds ``data_dictionary.csv`` and
``data_dictionary.xlsx`` with the columns ``layer, column, label, description, unit, better,
kind``. The words come from the indicator catalogue (:func:`geoplan.columns.describe`, built from
the run's configured distances) for the grid's indicators and their derived columns
(``_before``, ``_after``, ``_change``, ``_pop_share``, ``_pop_mean``), and from this module's
texts for the other layers' columns (network, destinations, green space, origins). The same
labels and descriptions become the GeoPackage's field aliases (:func:`field_aliases`, written by
:func:`geoplan.outputs.gpkg.write_gpkg`).

Examples
--------
>>> import pandas as pd
>>> table = data_dictionary({"grid": pd.DataFrame(columns=["cell_id", "dist_grocery_m"])},
...                         lang="sv")
>>> table[["column", "label", "unit", "better"]].values.tolist()
[['cell_id', 'Ruta', '', ''], ['dist_grocery_m', 'Gångavstånd till närmaste livsmedelsbutik', 'm', 'lower']]
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from ..columns import describe
from ..i18n import register_texts, tr
from ..runs.folder import DICTIONARY_CSV, DICTIONARY_XLSX, GPKG
from ..types import AccessSpec
from .styles import CONTEXT_COLUMNS_TABLE

__all__ = ["DICTIONARY_COLUMNS", "column_words", "data_dictionary", "field_aliases",
           "write_data_dictionary", "write_explained_gpkg"]

#: The columns of ``data_dictionary.csv``/``.xlsx``, in order.
DICTIONARY_COLUMNS = ("layer", "column", "label", "description", "unit", "better", "kind")

# derived columns: the indicator's label with what the derivation means (suffix | English;
# Swedish and Danish in geoplan/locale/)
_SUFFIX_TABLE = """
_before | {label} (before)
_after | {label} (after)
_change | {label} (change)
_pop_share | {label} (share of residents)
_pop_mean | {label} (mean over residents)
"""
# columns of the layers other than the grid (column | unit | kind | English;
# Swedish and Danish in geoplan/locale/)
_OTHER_TABLE = """
geometry |  | text | Geometry
u |  | text | Start node (OSM node id)
v |  | text | End node (OSM node id)
length_m | m | number | Length
lit |  | text | Lighting (yes, no or unknown)
lit_source |  | text | Where the lighting is known from
lamp_share | share 0-1 | share | Share of the path near a street lamp
tunnel |  | yesno | Tunnel
bridge |  | yesno | Bridge
underground |  | yesno | Underground passage
highway |  | text | Path type (OSM highway)
name |  | text | Name
surface |  | text | Surface (OSM)
lit_tag |  | text | OSM lit tag as mapped
osmid |  | text | OSM way id(s)
osm_id |  | text | OSM id
osm_type |  | text | OSM object type
category |  | text | Destination category
footprint_m2 | m2 | number | Building footprint
snap_m | m | number | Distance to the nearest path
attached |  | yesno | Reached by the walk network
kind |  | text | Kind of green space
public |  | yesno | Publicly accessible
area_ha | ha | number | Area
key |  | text | Key
cells |  | count | Grid cells
area |  | text | Area
area_key |  | text | Area key
area_name |  | text | Area name
scenario |  | text | Scenario
measure |  | text | Measure (column)
label |  | text | Measure in words
unit |  | text | Unit
before |  | number | Before
after |  | number | After
change |  | number | Change (after − before)
better |  | text | Which direction is better
edit |  | text | Scenario edit that made the path
parent_edge |  | text | Path the edit split
value |  | text | Value
"""


def _rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines()]


_OTHER_TABLE = _OTHER_TABLE.rstrip() + CONTEXT_COLUMNS_TABLE  # the context and edits layers' columns (styles.py)
_SUFFIXES = tuple(row[0] for row in _rows(_SUFFIX_TABLE))
#: column: (unit, kind) of the other layers' columns
_OTHER = {row[0]: (row[1], row[2]) for row in _rows(_OTHER_TABLE)}
register_texts({f"dd_suffix{row[0]}": {"en": row[1]}
                for row in _rows(_SUFFIX_TABLE)})
register_texts({f"dd_col_{row[0]}": {"en": row[3]}
                for row in _rows(_OTHER_TABLE)})
register_texts({"dd_unnamed": {"en": "Column {name}"}})


def column_words(column: str, lang: str = "en",
                 spec: AccessSpec | None = None) -> dict[str, str]:
    """Label, description, unit, better direction and kind of one column, in ``lang``.

    Grid indicators (and their derived columns) come from the catalogue; other layers' columns
    from this module's texts; a column neither knows is labelled "Column <name>", never empty.

    >>> column_words("green_scb_300m_pop_share", "da")["label"]
    'Offentligt grønt område på mindst 0,5 ha inden for 300 m (andel af beboerne)'
    >>> column_words("snap_m", "sv")["label"], column_words("mystery", "en")["label"]
    ('Avstånd till närmaste gångväg', 'Column mystery')
    """
    return _known_words(column, lang, spec) or {
        "label": tr("dd_unnamed", lang, name=column), "description": "", "unit": "",
        "better": "", "kind": ""}


def _known_words(column: str, lang: str, spec: AccessSpec | None) -> dict[str, str] | None:
    """:func:`column_words` of a column the catalogue or this module knows (derived columns
    stacked, ``pop_mean_change`` included), else None (a fresh dict per call)."""
    words = _cached_words(column, lang, spec)
    return None if words is None else dict(words)


@functools.lru_cache(maxsize=4096)
def _cached_words(column: str, lang: str, spec: AccessSpec | None) -> tuple | None:
    """:func:`_words` as ``((key, value), ...)``, computed once per process and column: the
    catalogue formats the configured distances with babel for each description, and a
    scenario's layers repeat every indicator as ``_before``/``_after``/``_change``."""
    words = _words(column, lang, spec)
    return None if words is None else tuple(words.items())


def _words(column: str, lang: str, spec: AccessSpec | None) -> dict[str, str] | None:
    found = describe(column, spec)
    if found is not None:
        return {"label": found.label(lang), "description": found.description(lang),
                "unit": found.unit, "better": found.better, "kind": found.kind}
    for suffix in _SUFFIXES:
        base = column.removesuffix(suffix)
        words = _known_words(base, lang, spec) if base and base != column else None
        if words is not None:
            words["label"] = tr(f"dd_suffix{suffix}", lang, label=words["label"])
            if suffix == "_pop_share":
                words["unit"], words["kind"] = "share 0-1", "share"
            elif suffix == "_change" and words["kind"] != "number":
                words["kind"] = "number"
            return words
    if column in _OTHER:
        unit, kind = _OTHER[column]
        return {"label": tr(f"dd_col_{column}", lang), "description": "", "unit": unit,
                "better": "", "kind": kind}
    return None


def data_dictionary(layers: Mapping[str, pd.DataFrame], *, lang: str = "en",
                    spec: AccessSpec | None = None) -> pd.DataFrame:
    """One row per column of every layer (a GeoDataFrame's geometry included), in ``lang``.

    Parameters
    ----------
    layers
        ``{layer name: DataFrame}`` as written (a named index counts as a column, as the
        GeoPackage writes it).
    lang
        ``"en"``, ``"sv"`` or ``"da"``.
    spec
        The run's :class:`~geoplan.types.AccessSpec`, so labels name the configured distances.

    Returns
    -------
    DataFrame with the columns :data:`DICTIONARY_COLUMNS`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> green = gpd.GeoDataFrame({"area_ha": [1.5]}, geometry=[shapely.box(0, 0, 1, 1)])
    >>> data_dictionary({"green": green}, lang="en")[["column", "label", "unit"]].values.tolist()
    [['area_ha', 'Area', 'ha'], ['geometry', 'Geometry', '']]
    """
    rows = []
    for layer, df in layers.items():
        names = ([str(df.index.name)] if df.index.name is not None
                 and df.index.name not in df.columns else []) + [str(c) for c in df.columns]
        rows += [{"layer": layer, "column": c, **column_words(c, lang, spec)} for c in names]
    return pd.DataFrame(rows, columns=list(DICTIONARY_COLUMNS))


def field_aliases(dictionary: pd.DataFrame) -> dict[str, dict[str, tuple[str, str]]]:
    """``{layer: {column: (label, description)}}`` of a :func:`data_dictionary` table, as
    :func:`geoplan.outputs.gpkg.write_gpkg` takes them for the field aliases.

    >>> import pandas as pd
    >>> field_aliases(data_dictionary({"g": pd.DataFrame(columns=["pop"])}, lang="da"))["g"]["pop"][0]
    'Beboere'
    """
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for row in dictionary.itertuples(index=False):
        out.setdefault(row.layer, {})[row.column] = (row.label, row.description)
    return out


def write_data_dictionary(folder: str | Path, dictionary: pd.DataFrame) -> list[Path]:
    """Write ``data_dictionary.csv`` (UTF-8 with BOM, so Excel reads å/ä/ö/æ/ø) and
    ``data_dictionary.xlsx`` into ``folder``, each atomically; returns both paths.

    >>> import tempfile, pandas as pd
    >>> table = data_dictionary({"g": pd.DataFrame(columns=["pop"])}, lang="sv")
    >>> [p.name for p in write_data_dictionary(tempfile.mkdtemp(), table)]
    ['data_dictionary.csv', 'data_dictionary.xlsx']
    """
    from .tables import write_xlsx

    folder = Path(folder)
    csv_path, xlsx_path = folder / DICTIONARY_CSV, folder / DICTIONARY_XLSX
    with atomic_path(csv_path, suffix=".csv") as tmp:
        dictionary.to_csv(tmp, index=False, encoding="utf-8-sig")
    write_xlsx(xlsx_path, {"data_dictionary": dictionary})
    return [csv_path, xlsx_path]


def write_explained_gpkg(folder: str | Path, layers: Mapping[str, pd.DataFrame], *,
                         styles: Mapping[str, str] | None = None,
                         metadata: Mapping | None = None, lang: str = "en",
                         spec: AccessSpec | None = None) -> list[Path]:
    """Write ``folder/geoplan.gpkg`` (:func:`geoplan.outputs.gpkg.write_gpkg`) with the
    :func:`data_dictionary`'s labels as field aliases, and the dictionary files beside it.

    Returns the three paths (GeoPackage, CSV, Excel).

    >>> import tempfile, geopandas as gpd, shapely
    >>> pts = gpd.GeoDataFrame({"snap_m": [3.0]}, geometry=[shapely.Point(0, 0)], crs=3006)
    >>> [p.name for p in write_explained_gpkg(tempfile.mkdtemp(), {"destinations": pts})]
    ['geoplan.gpkg', 'data_dictionary.csv', 'data_dictionary.xlsx']
    """
    from .gpkg import write_gpkg

    folder = Path(folder)
    dictionary = data_dictionary(layers, lang=lang, spec=spec)
    write_gpkg(folder / GPKG, layers, styles=styles, metadata=metadata, lang=lang,
               aliases=field_aliases(dictionary))
    return [folder / GPKG, *write_data_dictionary(folder, dictionary)]
