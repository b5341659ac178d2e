"""A scenario's edits as map layers: what the proposal draws, kept in the scenario's GeoPackage.

:func:`edit_rows` lists every edit of a :class:`~geoplan.types.Scenario` as one row (``edit_kind``,
``name``, ``edit_lit``, ``dwellings``, ``residents``, ``floor_area_m2``, ``category``,
``public``) with its geometry in the run's CRS; :func:`edit_layers` splits them by geometry into
the layers named in :data:`geoplan.outputs.styles.EDIT_LAYERS` (``edits_lines``: new paths and
paths lit by id; ``edits_points``: new lamps and destinations; ``edits_areas``: densified areas
and new green space), which the report's scenario maps and the QGIS scenario layout draw on top.

Examples
--------
>>> import shapely
>>> from geoplan.types import Densify, Lighting, NewPath, Scenario
>>> s = Scenario("demo", (NewPath(shapely.LineString([(0, 0), (80, 0)]), name="Skolstigen"),
...                       Lighting(lamps=(shapely.Point(10, 5),)),
...                       Densify(shapely.box(0, 0, 50, 50), dwellings=300)), crs=3006)
>>> rows = edit_rows(s, 3006)
>>> rows[["edit_kind", "name", "edit_lit", "dwellings"]].values.tolist()
[['new_path', 'Skolstigen', 'yes', nan], ['lamp', '', 'yes', nan], ['densify', '', '', 300.0]]
>>> sorted(edit_layers(s, 3006))
['edits_areas', 'edits_lines', 'edits_points']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..types import Densify, Lighting, NewDestination, NewGreen, NewPath, Scenario
from .styles import EDIT_LAYERS

__all__ = ["EDIT_COLUMNS", "edit_layers", "edit_rows", "map_layers"]

#: the attribute columns of the edits layers, in order
EDIT_COLUMNS = ("edit_kind", "name", "edit_lit", "dwellings", "residents", "floor_area_m2",
                "category", "public")


def _yes(v: bool) -> str:
    return "yes" if v else "no"


def _row(edit) -> list[tuple[dict, object]]:
    """(attributes, geometry) of one edit (a Lighting edit: one per lamp)."""
    if isinstance(edit, NewPath):
        return [({"edit_kind": "new_path", "name": edit.name, "edit_lit": _yes(edit.lit)},
                 edit.geometry)]
    if isinstance(edit, Lighting):
        return [({"edit_kind": "lamp", "edit_lit": "yes"}, p) for p in edit.lamps]
    if isinstance(edit, Densify):
        return [({"edit_kind": "densify", "name": edit.name, "dwellings": edit.dwellings,
                  "residents": edit.residents_added(), "floor_area_m2": edit.floor_area_m2},
                 edit.polygon)]
    if isinstance(edit, NewGreen):
        return [({"edit_kind": "new_green", "name": edit.name, "public": _yes(edit.public)},
                 edit.polygon)]
    if isinstance(edit, NewDestination):
        return [({"edit_kind": "new_destination", "name": edit.name,
                  "category": edit.category}, edit.point)]
    return []


def _blank_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with "" for missing values (a column no edit fills is all-NaN float64,
    which pandas will not fill with text)."""
    return frame.astype(object).fillna("")


def edit_rows(scenario: Scenario, crs, *, lit_paths=None):
    """Every edit of ``scenario`` as a row with its geometry in ``crs``.

    Parameters
    ----------
    scenario
        The scenario (its geometries in ``scenario.crs``; in ``crs`` when that is None).
    crs
        The run's CRS.
    lit_paths
        Lines of the paths a Lighting edit lights by id (the network's relit edges), drawn as
        ``lit_path``; None for none.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`EDIT_COLUMNS` and ``geometry``.
    """
    import geopandas as gpd

    pairs = [pair for e in scenario.edits for pair in _row(e)]
    rows = pd.DataFrame([a for a, _ in pairs], columns=list(EDIT_COLUMNS))
    for col in ("dwellings", "residents", "floor_area_m2"):
        rows[col] = pd.to_numeric(rows[col], errors="coerce").astype(float)
    text = ["name", "edit_lit", "category", "public"]
    rows[text] = _blank_missing(rows[text])
    out = gpd.GeoDataFrame(rows, geometry=[g for _, g in pairs],
                           crs=scenario.crs if scenario.crs is not None else crs).to_crs(crs)
    if lit_paths is not None and len(lit_paths):
        extra = gpd.GeoDataFrame({"edit_kind": "lit_path", "edit_lit": "yes"},
                                 index=range(len(lit_paths)), geometry=list(lit_paths), crs=crs)
        out = pd.concat([out, extra.reindex(columns=out.columns)], ignore_index=True)
        out[text] = _blank_missing(out[text])
    return out


def edit_layers(scenario: Scenario, crs, *, lit_paths=None) -> dict:
    """:func:`edit_rows` split by geometry into the layers of
    :data:`~geoplan.outputs.styles.EDIT_LAYERS` (only those with rows)."""
    rows = edit_rows(scenario, crs, lit_paths=lit_paths)
    kind = rows.geometry.geom_type.str.replace("Multi", "").str.lower()
    kind = np.where(kind == "linestring", "line", kind)
    return {name: rows[kind == geom].reset_index(drop=True)
            for geom, name in EDIT_LAYERS.items() if (kind == geom).any()}


def map_layers(scenario: Scenario, data, network) -> dict:
    """What a scenario's GeoPackage keeps for its maps: the context of the baseline's extract
    (:func:`geoplan.sources.osm.context_layers` of ``data``) and the edits (:func:`edit_layers`;
    the paths the scenario lights: ``network`` edges whose ``edit`` is ``"relit"``)."""
    from ..sources.osm import context_layers

    relit = network.geometry[network["edit"] == "relit"].values if "edit" in network else None
    return {**context_layers(data), **edit_layers(scenario, network.crs, lit_paths=relit)}
