"""Translations of the strings a planner reads: English, Swedish, Danish.

A plain dictionary keyed by the English text, so no ``lrelease`` step is needed. The language
follows QGIS (``locale/userLocale``, else the system locale); anything not in the catalogue falls
back to ``QCoreApplication.translate("geoplan", text)`` (a compiled ``.qm`` could be added later),
then to English. Importing this module does not import QGIS.
"""

from __future__ import annotations

__all__ = ["CATALOGUE", "LANGUAGES", "current_language", "tr"]

LANGUAGES = ("en", "sv", "da")

#: English text -> {language: translation}. Keep placeholders like ``{found}`` unchanged.
CATALOGUE: dict[str, dict[str, str]] = {
    # --- provider, groups -----------------------------------------------------------------
    "geoplan: walkability, lighting and safety layers for neighbourhood planning": {
        "sv": "geoplan: gångbarhet, belysning och trygghet för planering av stadsdelar",
        "da": "geoplan: gangvenlighed, belysning og tryghed til planlægning af bydele",
    },
    "Inputs": {"sv": "Indata", "da": "Inddata"},
    # --- base algorithm ---------------------------------------------------------------------
    "cancelled": {"sv": "avbruten", "da": "annulleret"},
    "The study area layer has no features: draw a polygon, or select at least one when "
    "'Selected features only' is ticked.": {
        "sv": "Lagret med studieområdet har inga objekt: rita en polygon, eller markera minst en "
        "när 'Endast markerade objekt' är ikryssat.",
        "da": "Laget med undersøgelsesområdet har ingen objekter: tegn en polygon, eller vælg "
        "mindst én, når 'Kun valgte objekter' er afkrydset.",
    },
    "Could not read the study area layer: {error}": {
        "sv": "Kunde inte läsa lagret med studieområdet: {error}",
        "da": "Kunne ikke læse laget med undersøgelsesområdet: {error}",
    },
    # --- inspect --------------------------------------------------------------------------
    "Inspect OSM file": {"sv": "Granska OSM-fil", "da": "Undersøg OSM-fil"},
    "OpenStreetMap file (.osm, .osm.pbf, .osm.bz2)": {
        "sv": "OpenStreetMap-fil (.osm, .osm.pbf, .osm.bz2)",
        "da": "OpenStreetMap-fil (.osm, .osm.pbf, .osm.bz2)",
    },
    "OpenStreetMap files": {"sv": "OpenStreetMap-filer", "da": "OpenStreetMap-filer"},
    "Study area (polygons; optional, default: the whole file)": {
        "sv": "Studieområde (polygoner; valfritt, standard: hela filen)",
        "da": "Undersøgelsesområde (polygoner; valgfrit, standard: hele filen)",
    },
    "Metric CRS for computing (optional, default: chosen from the area)": {
        "sv": "Metriskt koordinatsystem för beräkningar (valfritt, standard: väljs efter området)",
        "da": "Metrisk koordinatsystem til beregninger (valgfrit, standard: vælges efter området)",
    },
    "Street lamp register (optional)": {
        "sv": "Register över gatubelysning (valfritt)",
        "da": "Register over gadebelysning (valgfrit)",
    },
    "Report (JSON or HTML)": {"sv": "Rapport (JSON eller HTML)", "da": "Rapport (JSON eller HTML)"},
    "JSON files": {"sv": "JSON-filer", "da": "JSON-filer"},
    "HTML files": {"sv": "HTML-filer", "da": "HTML-filer"},
    "All files": {"sv": "Alla filer", "da": "Alle filer"},
    "Summary of the OSM file": {
        "sv": "Sammanfattning av OSM-filen",
        "da": "Sammenfatning af OSM-filen",
    },
    # --- deps -----------------------------------------------------------------------------
    "not installed": {"sv": "inte installerad", "da": "ikke installeret"},
    "version {found} is too old": {
        "sv": "version {found} är för gammal",
        "da": "version {found} er for gammel",
    },
    "version {found} is too new": {
        "sv": "version {found} är för ny",
        "da": "version {found} er for ny",
    },
    "geoplan source folder": {"sv": "geoplans källmapp", "da": "geoplans kildemappe"},
    "geoplan and all its Python modules are available.": {
        "sv": "geoplan och alla dess Python-moduler finns.",
        "da": "geoplan og alle dets Python-moduler er tilgængelige.",
    },
    "geoplan cannot start: the Python that QGIS runs ({python}) lacks these modules:": {
        "sv": "geoplan kan inte starta: den Python som QGIS kör ({python}) saknar dessa moduler:",
        "da": "geoplan kan ikke starte: den Python, som QGIS kører ({python}), mangler disse "
        "moduler:",
    },
    "geoplan cannot start: importing it in the Python that QGIS runs ({python}) failed: "
    "{error}": {
        "sv": "geoplan kan inte starta: importen i den Python som QGIS kör ({python}) "
        "misslyckades: {error}",
        "da": "geoplan kan ikke starte: importen i den Python, som QGIS kører ({python}), "
        "mislykkedes: {error}",
    },
    "Fix: set geoplan up and start QGIS with its libraries (run in a terminal):": {
        "sv": "Åtgärd: installera geoplan och starta QGIS med dess bibliotek (kör i en terminal):",
        "da": "Løsning: installer geoplan og start QGIS med dets biblioteker (kør i en terminal):",
    },
    "or install them into QGIS's own Python:": {
        "sv": "eller installera dem i QGIS egen Python:",
        "da": "eller installer dem i QGIS' egen Python:",
    },
    "Fix: install them into QGIS's own Python (run in a terminal):": {
        "sv": "Åtgärd: installera dem i QGIS egen Python (kör i en terminal):",
        "da": "Løsning: installer dem i QGIS' egen Python (kør i en terminal):",
    },
    "Then restart QGIS.": {"sv": "Starta sedan om QGIS.", "da": "Genstart derefter QGIS."},
    "geoplan: missing Python modules": {
        "sv": "geoplan: Python-moduler saknas",
        "da": "geoplan: Python-moduler mangler",
    },
}


def current_language() -> str:
    """``"en"``, ``"sv"`` or ``"da"``, following QGIS's language setting."""
    code = ""
    try:
        from qgis.core import QgsSettings
        from qgis.PyQt.QtCore import QCoreApplication, QLocale

        if QCoreApplication.instance() is not None:
            code = str(QgsSettings().value("locale/userLocale", "") or "")
            if not code:
                code = QLocale().name()
    except ImportError:  # a bare Python (deps check): English
        code = ""
    lang = code[:2].lower()
    return lang if lang in LANGUAGES else "en"


def tr(text: str, lang: str | None = None) -> str:
    """``text`` in the planner's language (or ``lang``), English when there is no translation."""
    lang = lang or current_language()
    if lang == "en":
        return text
    entry = CATALOGUE.get(text)
    if entry and entry.get(lang):
        return entry[lang]
    try:
        from qgis.PyQt.QtCore import QCoreApplication

        return QCoreApplication.translate("geoplan", text)
    except ImportError:
        return text
