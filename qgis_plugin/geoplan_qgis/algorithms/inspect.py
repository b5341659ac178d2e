"""``geoplan:inspect``: the data-quality summary of an OSM extract (``geoplan inspect``).

One core call, :func:`geoplan.inspect.inspect_osm`. Every number of the summary is also an output
of its own (named like the key in ``geoplan inspect --json``; nested counts are flattened to
``<field>_<key>``, e.g. ``destinations_school``) so that models can use them.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFileDestination,
)

from ..adapters import core_errors_as_processing_exceptions, source_to_shapely
from ..i18n import INSPECT_HELP, current_language
from .base import OsmAlgorithm

__all__ = ["InspectAlgorithm", "flatten_summary", "summary_outputs"]

# Scalar fields of geoplan.inspect.InspectSummary (plus its share properties): key, is_text, help.
SCALARS: tuple[tuple[str, bool, str], ...] = (
    ("source", True, "OSM file that was read"),
    ("crs_epsg", False, "EPSG code of the metric CRS used"),
    ("crs_name", True, "Metric CRS used"),
    ("area_km2", False, "Study area (km²)"),
    ("walkable_km", False, "Walkable network (km)"),
    ("lit_km", False, "Lit walkable network (km)"),
    ("dark_km", False, "Dark walkable network (km)"),
    ("unknown_km", False, "Walkable network with unknown lighting (km)"),
    ("lit_share", False, "Share of the walkable network that is lit (0-1)"),
    ("dark_share", False, "Share of the walkable network that is dark (0-1)"),
    ("unknown_share", False, "Share of the walkable network with unknown lighting (0-1)"),
    ("lamps_osm", False, "Street lamps mapped in OSM"),
    ("lamps_register", False, "Street lamps from the lamp register"),
    ("green_ha", False, "Green space (ha, overlaps merged)"),
    ("public_green_ha", False, "Public green space (ha)"),
    ("green_areas", False, "Green areas"),
    ("buildings", False, "Buildings"),
    ("buildings_levels_known", False, "Buildings with a known number of floors"),
    ("network_nodes", False, "Walk network: nodes"),
    ("network_edges", False, "Walk network: edges"),
    ("network_components", False, "Walk network: connected parts"),
    ("largest_component_share", False, "Share of the walk network in its largest part (0-1)"),
    ("way_node_refs_missing", False, "Way node references missing from the extract"),
    ("tunnels", False, "Tunnels and underpasses (tunnel edges sharing a node are one)"),
    ("tunnel_km", False, "Tunnels and underpasses (km)"),
    ("areas_cut_kept", False, "Areas cut by the extract's edge, kept"),
    ("areas_cut_dropped", False, "Areas cut by the extract's edge, dropped"),
    ("destinations_from_lines", False, "Destinations mapped as lines (platforms)"),
    ("cycleways_without_foot_walked", False, "Cycleways without a foot tag walked on"),
    ("access_leg_median_m", False, "Walk from a cell's starting point to its path, median (m)"),
    ("access_leg_max_m", False, "Walk from a cell's starting point to its path, longest (m)"),
    ("attribution", True, "Data attribution"),
)
#: (lit, lit_source) pairs the lighting rule can produce (geoplan.types.LightingRule).
LIT_SOURCES = (
    ("yes", "tag"), ("no", "tag"), ("yes", "lamps"), ("yes", "assumed"), ("no", "assumed"),
    ("unknown", "none"),
)
BUILDING_USES = ("residential", "mixed", "non_residential", "unknown")
#: nested counts whose keys depend on the data: one JSON text output each.
JSON_FIELDS = ("highway_not_walked",)


def _nested_keys():
    """Nested summary fields with a fixed key set, ``{field: ((key, core i18n words), ...)}``,
    and the core's ``tr`` that translates those words."""
    from geoplan.i18n import tr as core_tr
    from geoplan.sources.osm_tags import CATEGORIES

    word = {"yes": "lit", "no": "dark", "unknown": "unknown"}
    return {
        "km_by_lit_source": tuple(
            (f"{lit}_{src}", (word[lit], "source_" + src)) for lit, src in LIT_SOURCES
        ),
        "destinations": tuple((cat, ("cat_" + cat,)) for cat in CATEGORIES),
        "buildings_by_use": tuple((use, ("use_" + use,)) for use in BUILDING_USES),
    }, core_tr


def summary_outputs() -> list[tuple[str, bool, str]]:
    """Every output of ``geoplan:inspect`` besides the report file: (name, is_text, description)."""
    from ..i18n import tr

    lang = current_language()
    nested, core_tr = _nested_keys()
    outs = [(key, text, tr(desc)) for key, text, desc in SCALARS]
    frames = {
        "km_by_lit_source": "Walkable network (km): {lit}, {source}",
        "destinations": "Destinations: {category}",
        "buildings_by_use": "Buildings: {use}",
    }
    for fld, keys in nested.items():
        for key, words in keys:
            labels = [core_tr(w, lang) for w in words]
            if fld == "km_by_lit_source":
                desc = tr(frames[fld]).format(lit=labels[0], source=labels[1])
            elif fld == "destinations":
                desc = tr(frames[fld]).format(category=labels[0])
            else:
                desc = tr(frames[fld]).format(use=labels[0])
            outs.append((f"{fld}_{key}", False, desc))
    outs += [
        (
            "highway_not_walked",
            True,
            tr("Highway types not walked on (JSON: type and number of ways)"),
        ),
    ]
    return outs


def flatten_summary(summary: dict) -> dict:
    """``InspectSummary.to_dict()`` as flat outputs: nested counts become ``<field>_<key>``
    (0 where the core left a key out), data-dependent ones a JSON text."""
    nested, _ = _nested_keys()
    flat: dict = {}
    for fld, value in summary.items():
        if isinstance(value, dict):
            if fld in nested and fld not in JSON_FIELDS:
                zero = 0.0 if fld.startswith("km_") else 0
                for key, _words in nested[fld]:
                    flat[f"{fld}_{key}"] = value.get(key, zero)
                for key, v in value.items():  # keys the plugin does not know yet: still returned
                    flat.setdefault(f"{fld}_{key}", v)
            else:
                flat[fld] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            flat[fld] = value
    return flat


class InspectAlgorithm(OsmAlgorithm):
    """Summarise what an OSM extract holds for the study area, and how reliable it is."""

    NAME = "inspect"
    DISPLAY_NAME = "Inspect OSM file"
    GROUP = "Inputs"
    GROUP_ID = "inputs"
    HELP = INSPECT_HELP

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        tr = self.tr
        self.add_osm_parameters()
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT,
                tr("Report (JSON or HTML)"),
                fileFilter=tr("JSON files") + " (*.json);;" + tr("HTML files") + " (*.html)",
            )
        )
        for name, is_text, desc in summary_outputs():
            cls = QgsProcessingOutputString if is_text else QgsProcessingOutputNumber
            self.addOutput(cls(name, desc))

    def process(self, parameters, context, feedback):
        path, source, kwargs = self.osm_inputs(parameters, context)
        out_path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        with core_errors_as_processing_exceptions():
            from geoplan.inspect import inspect_osm

            area = source_to_shapely(source, context)
            summary = inspect_osm(path, area=area, progress=self.progress(feedback), **kwargs)
        lang = current_language()
        text = summary.to_text(lang)
        if feedback is not None:
            feedback.pushInfo(text)
        if out_path:
            with core_errors_as_processing_exceptions():
                _write_report(Path(out_path), summary, text)
        results = flatten_summary(summary.to_dict())
        results[self.OUTPUT] = out_path
        return results


def _write_report(path: Path, summary, text: str) -> None:
    """The summary as JSON (same as ``geoplan inspect --json``) or, for ``.html``, as a page."""
    from geoplan.atomic import ensure_writable_dir, write_text

    ensure_writable_dir(path.parent)
    if path.suffix.lower() in (".html", ".htm"):
        from ..i18n import tr

        title = html.escape(tr("Summary of the OSM file"))
        page = (
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n"
            f"<pre>{html.escape(text)}</pre>\n</body></html>\n"
        )
        write_text(path, page)
    else:
        write_text(path, summary.to_json() + "\n")
