"""geoplan for QGIS: Processing algorithms that drive the geoplan core library.

A thin adapter: every number comes from ``geoplan``; this package only converts QGIS inputs,
calls the core and hands the results back to Processing. Importing this package imports neither
QGIS nor geoplan (``deps`` must run in a bare Python to say what is missing).
"""


def classFactory(iface):  # noqa: N802 - the name QGIS looks for
    """Entry point QGIS calls when it loads the plugin."""
    from .installer import activate

    activate()  # the modules the plugin installed itself (<profile>/python/geoplan_deps)
    from .plugin import GeoplanPlugin

    return GeoplanPlugin(iface)
