"""Opt-in live download from the Overpass API, through osmnx (its endpoint settings, rate-limit
pauses and response cache), converted to an ``.osm.pbf`` that :func:`geoplan.sources.osm.read_osm`
reads like any extract. Nothing here runs unless the user asks for it (``geoplan overpass``).

The converted file is cached by query: asking twice for the same area reads the cached file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from pathlib import Path

from ..atomic import atomic_path
from ..errors import GeoplanError, InputFileError
from . import osm_tags as T

__all__ = ["default_cache_dir", "download_osm", "overpass_json_to_pbf", "overpass_query"]


def default_cache_dir() -> Path:
    """``$GEOPLAN_CACHE`` or ``~/.cache/geoplan``."""
    return Path(os.environ.get("GEOPLAN_CACHE", Path.home() / ".cache" / "geoplan"))


def overpass_query(bbox: tuple[float, float, float, float], timeout_s: int = 180) -> str:
    """Overpass QL for everything geoplan reads inside ``bbox`` (minlon, minlat, maxlon, maxlat).

    >>> print(overpass_query((13.0, 55.6, 13.01, 55.61)).splitlines()[0])
    [out:json][timeout:180];
    """
    minlon, minlat, maxlon, maxlat = bbox
    b = f"({minlat:.7f},{minlon:.7f},{maxlat:.7f},{maxlon:.7f})"
    parts = "".join(f'  nwr["{k}"]{b};\n' for k in T.KEYS_OF_INTEREST)
    return f"[out:json][timeout:{timeout_s}];\n(\n{parts});\n(._;>;);\nout body;\n"


def overpass_json_to_pbf(response: dict, out: Path) -> Path:
    """Write an Overpass JSON response (``out body``) as a sorted ``.osm.pbf`` (atomically)."""
    import osmium

    elements = response.get("elements")
    if not isinstance(elements, list):
        raise InputFileError("the Overpass response has no 'elements': the query failed, try again")
    by_type: dict[str, list[dict]] = {"node": [], "way": [], "relation": []}
    for el in elements:
        if el.get("type") in by_type:
            by_type[el["type"]].append(el)
    with atomic_path(out, suffix=".osm.pbf") as tmp:
        w = osmium.SimpleWriter(str(tmp))
        try:
            for el in sorted(by_type["node"], key=lambda e: e["id"]):
                w.add_node(osmium.osm.mutable.Node(id=el["id"], version=1, location=(el["lon"], el["lat"]),
                                                   tags=el.get("tags", {})))
            for el in sorted(by_type["way"], key=lambda e: e["id"]):
                w.add_way(osmium.osm.mutable.Way(id=el["id"], version=1, nodes=el.get("nodes", []),
                                                 tags=el.get("tags", {})))
            for el in sorted(by_type["relation"], key=lambda e: e["id"]):
                members = [(m["type"][0], m["ref"], m.get("role", "")) for m in el.get("members", [])]
                w.add_relation(osmium.osm.mutable.Relation(id=el["id"], version=1, members=members,
                                                           tags=el.get("tags", {})))
        finally:
            w.close()
    return out


def download_osm(bbox, *, out: Path | None = None, cache_dir: Path | None = None) -> Path:
    """Download OSM data for ``bbox`` from Overpass (network!) and return the ``.osm.pbf`` path.

    Parameters
    ----------
    bbox
        ``(minlon, minlat, maxlon, maxlat)`` in degrees.
    out
        Where to write the extract; default: the cache folder, named by the query's hash.
    cache_dir
        Cache folder for osmnx's HTTP cache and the converted extracts.
    """
    import osmnx as ox

    query = overpass_query(tuple(bbox))
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    key = hashlib.sha256(query.encode()).hexdigest()[:16]
    cached = cache / "overpass" / f"{key}.osm.pbf"
    if cached.exists():
        if out is None:
            return cached
        import shutil

        with atomic_path(out, suffix=".osm.pbf") as tmp:
            shutil.copyfile(cached, tmp)
        return Path(out)
    old = (ox.settings.use_cache, ox.settings.cache_folder)
    ox.settings.use_cache, ox.settings.cache_folder = True, str(cache / "osmnx-http")
    try:
        from osmnx import _overpass

        response = _overpass._overpass_request(OrderedDict(data=query))
    except AttributeError as exc:  # osmnx reorganised its internals
        raise GeoplanError(f"this osmnx version has no Overpass request helper ({exc})") from exc
    except Exception as exc:
        raise InputFileError(
            f"Overpass download failed ({type(exc).__name__}: {exc}): check the network, or use an "
            "extract downloaded from Geofabrik/BBBike instead"
        ) from exc
    finally:
        ox.settings.use_cache, ox.settings.cache_folder = old
    overpass_json_to_pbf(response, cached)
    (cached.with_suffix(".json")).write_text(json.dumps({"query": query}))
    if out is not None:
        return download_osm(bbox, out=out, cache_dir=cache)
    return cached
