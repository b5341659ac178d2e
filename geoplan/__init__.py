"""geoplan: walkability, lighting and safety layers and planning scenarios for neighbourhoods.

The public API is ``__all__``; importing geoplan imports neither QGIS/Qt nor osmnx (they load
lazily where needed). Outputs built on OpenStreetMap data: © OpenStreetMap contributors.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (
    AreaError,
    Cancelled,
    ConfigError,
    CRSError,
    GeoplanError,
    InputFileError,
    OSMDataError,
)
from .types import LightingRule, OsmData, WalkNetwork

__all__ = [
    "AreaError",
    "CRSError",
    "Cancelled",
    "ConfigError",
    "GeoplanError",
    "InputFileError",
    "LightingRule",
    "OSMDataError",
    "OsmData",
    "WalkNetwork",
    "__version__",
    "build_walk_network",
    "choose_crs",
    "demo_extract",
    "inspect_osm",
    "read_osm",
]


def __getattr__(name: str):
    """Lazy access to the heavier API functions (keeps ``import geoplan`` light)."""
    if name == "read_osm":
        from .sources.osm import read_osm

        return read_osm
    if name == "build_walk_network":
        from .network import build_walk_network

        return build_walk_network
    if name == "inspect_osm":
        from .inspect import inspect_osm

        return inspect_osm
    if name == "choose_crs":
        from .crs import choose_crs

        return choose_crs
    if name == "demo_extract":
        from .datasets import demo_extract

        return demo_extract
    raise AttributeError(f"module 'geoplan' has no attribute {name!r}")
