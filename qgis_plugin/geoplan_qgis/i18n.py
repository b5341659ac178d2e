"""Translations of the strings a planner reads: English, Swedish, Danish.

A plain dictionary keyed by the English text, so no ``lrelease`` step is needed. The language
follows QGIS (``locale/userLocale``, else the system locale); anything not in the catalogue falls
back to ``QCoreApplication.translate("geoplan", text)`` (a compiled ``.qm`` could be added later),
then to English. Importing this module does not import QGIS.
"""

from __future__ import annotations

__all__ = ["CATALOGUE", "INSPECT_HELP", "LANGUAGES", "current_language", "tr"]

LANGUAGES = ("en", "sv", "da")

#: The help of ``geoplan:inspect`` (English; translated in :data:`CATALOGUE`).
INSPECT_HELP = (
    "Reads an OpenStreetMap extract and summarises what it holds inside the study area: the "
    "walkable network and how much of it is lit, dark or of unknown lighting (and why), "
    "street lamps, green space, destinations, buildings and how connected the network is. "
    "Run it first to judge whether the data are good enough for the analysis.\n\n"
    "The study area is optional (default: the whole extract); with 'Selected features only' "
    "just the selected polygons count. The CRS is chosen from the country unless you give "
    "one. A lamp register (GeoPackage, GeoJSON, shapefile, or CSV with coordinate columns "
    "and its CRS) adds to the lamps mapped in OSM or replaces them.\n\n"
    "Every number is also an output of its own, for use in models. The same summary as "
    "'geoplan inspect FILE --json'. Data © OpenStreetMap contributors (ODbL)."
)

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
    "Layer '{name}': {error}": {"sv": "Lagret '{name}': {error}", "da": "Laget '{name}': {error}"},
    "study area layer": {"sv": "lagret med analysområdet", "da": "laget med analyseområdet"},
    # --- inspect: parameters ------------------------------------------------------------------
    "Inspect OSM file": {"sv": "Granska OSM-fil", "da": "Undersøg OSM-fil"},
    INSPECT_HELP: {
        "sv": "Läser ett OpenStreetMap-utdrag och sammanfattar vad det innehåller inom "
        "analysområdet: det gångbara nätet och hur stor del av det som är belyst, mörkt eller "
        "har okänd belysning (och varför), gatlampor, grönytor, målpunkter, byggnader och hur "
        "sammanhängande nätet är. Kör den först för att bedöma om data räcker för analysen."
        "\n\nAnalysområdet är valfritt (standard: hela utdraget); med 'Endast valda objekt' "
        "räknas bara de valda polygonerna. Koordinatsystemet väljs efter landet om du inte "
        "anger ett. Ett register över gatlampor (GeoPackage, GeoJSON, shapefil eller CSV med "
        "koordinatkolumner och deras koordinatsystem) läggs till lamporna i OSM eller ersätter "
        "dem.\n\nVarje tal är också en egen utdata som kan användas i modeller. Samma "
        "sammanfattning som 'geoplan inspect FIL --json'. Data © OpenStreetMap-bidragsgivare "
        "(ODbL).",
        "da": "Læser et OpenStreetMap-udtræk og sammenfatter, hvad det indeholder inden for "
        "analyseområdet: det gangbare net, og hvor meget af det der er belyst, mørkt eller har "
        "ukendt belysning (og hvorfor), gadelamper, grønne områder, destinationer, bygninger, "
        "og hvor sammenhængende nettet er. Kør den først for at vurdere, om data er gode nok "
        "til analysen.\n\nAnalyseområdet er valgfrit (standard: hele udtrækket); med 'Kun "
        "valgte objekter' tæller kun de valgte polygoner. Koordinatsystemet vælges efter "
        "landet, medmindre du angiver et. Et register over gadelamper (GeoPackage, GeoJSON, "
        "shapefil eller CSV med koordinatkolonner og deres koordinatsystem) føjes til lamperne "
        "i OSM eller erstatter dem.\n\nHvert tal er også et selvstændigt output til brug i "
        "modeller. Samme sammenfatning som 'geoplan inspect FIL --json'. Data © "
        "OpenStreetMap-bidragydere (ODbL).",
    },
    "OpenStreetMap file (.osm, .osm.pbf, .osm.bz2)": {
        "sv": "OpenStreetMap-fil (.osm, .osm.pbf, .osm.bz2)",
        "da": "OpenStreetMap-fil (.osm, .osm.pbf, .osm.bz2)",
    },
    "OpenStreetMap files": {"sv": "OpenStreetMap-filer", "da": "OpenStreetMap-filer"},
    "Study area (polygons; optional, default: the whole file)": {
        "sv": "Analysområde (polygoner; valfritt, standard: hela filen)",
        "da": "Analyseområde (polygoner; valgfrit, standard: hele filen)",
    },
    "Metric CRS for computing (optional, default: chosen from the area)": {
        "sv": "Metriskt koordinatsystem för beräkningar (valfritt, standard: väljs efter området)",
        "da": "Metrisk koordinatsystem til beregninger (valgfrit, standard: vælges efter området)",
    },
    "Street lamp register (optional)": {
        "sv": "Register över gatlampor (valfritt)",
        "da": "Register over gadelamper (valgfrit)",
    },
    "Lamp registers": {"sv": "Register över gatlampor", "da": "Registre over gadelamper"},
    "CRS of a CSV lamp register (e.g. EPSG:3006)": {
        "sv": "Koordinatsystem för ett lampregister i CSV (t.ex. EPSG:3006)",
        "da": "Koordinatsystem for et lampregister i CSV (f.eks. EPSG:3006)",
    },
    "Lamp register and OSM lamps": {
        "sv": "Lampregister och lampor i OSM",
        "da": "Lampregister og lamper i OSM",
    },
    "Add the register to OSM's lamps": {
        "sv": "Lägg till registret till lamporna i OSM",
        "da": "Føj registret til lamperne i OSM",
    },
    "Use the register alone": {"sv": "Använd enbart registret", "da": "Brug kun registret"},
    "Report (JSON or HTML)": {"sv": "Rapport (JSON eller HTML)", "da": "Rapport (JSON eller HTML)"},
    "JSON files": {"sv": "JSON-filer", "da": "JSON-filer"},
    "HTML files": {"sv": "HTML-filer", "da": "HTML-filer"},
    "All files": {"sv": "Alla filer", "da": "Alle filer"},
    "Summary of the OSM file": {
        "sv": "Sammanfattning av OSM-filen",
        "da": "Sammenfatning af OSM-filen",
    },
    # --- inspect: outputs ---------------------------------------------------------------------
    "OSM file that was read": {"sv": "OSM-fil som lästes", "da": "OSM-fil, der blev læst"},
    "EPSG code of the metric CRS used": {
        "sv": "EPSG-kod för det metriska koordinatsystem som användes",
        "da": "EPSG-kode for det anvendte metriske koordinatsystem",
    },
    "Metric CRS used": {
        "sv": "Metriskt koordinatsystem som användes",
        "da": "Anvendt metrisk koordinatsystem",
    },
    "Study area (km²)": {"sv": "Analysområde (km²)", "da": "Analyseområde (km²)"},
    "Walkable network (km)": {"sv": "Gångbart nät (km)", "da": "Gangbart net (km)"},
    "Lit walkable network (km)": {"sv": "Belyst gångbart nät (km)", "da": "Belyst gangbart net (km)"},
    "Dark walkable network (km)": {"sv": "Mörkt gångbart nät (km)", "da": "Mørkt gangbart net (km)"},
    "Walkable network with unknown lighting (km)": {
        "sv": "Gångbart nät med okänd belysning (km)",
        "da": "Gangbart net med ukendt belysning (km)",
    },
    "Share of the walkable network that is lit (0-1)": {
        "sv": "Andel av det gångbara nätet som är belyst (0–1)",
        "da": "Andel af det gangbare net, der er belyst (0–1)",
    },
    "Share of the walkable network that is dark (0-1)": {
        "sv": "Andel av det gångbara nätet som är mörkt (0–1)",
        "da": "Andel af det gangbare net, der er mørkt (0–1)",
    },
    "Share of the walkable network with unknown lighting (0-1)": {
        "sv": "Andel av det gångbara nätet med okänd belysning (0–1)",
        "da": "Andel af det gangbare net med ukendt belysning (0–1)",
    },
    "Street lamps mapped in OSM": {
        "sv": "Gatlampor karterade i OSM",
        "da": "Gadelamper kortlagt i OSM",
    },
    "Street lamps from the lamp register": {
        "sv": "Gatlampor från lampregistret",
        "da": "Gadelamper fra lampregistret",
    },
    "Green space (ha, overlaps merged)": {
        "sv": "Grönyta (ha, överlapp sammanslagna)",
        "da": "Grønne områder (ha, overlap samlet)",
    },
    "Public green space (ha)": {"sv": "Allmän grönyta (ha)", "da": "Offentlige grønne områder (ha)"},
    "Green areas": {"sv": "Antal grönytor", "da": "Antal grønne områder"},
    "Buildings": {"sv": "Byggnader", "da": "Bygninger"},
    "Buildings with a known number of floors": {
        "sv": "Byggnader med känt antal våningar",
        "da": "Bygninger med kendt antal etager",
    },
    "Walk network: nodes": {"sv": "Gångnät: noder", "da": "Gangnet: knuder"},
    "Walk network: edges": {"sv": "Gångnät: länkar", "da": "Gangnet: kanter"},
    "Walk network: connected parts": {
        "sv": "Gångnät: sammanhängande delar",
        "da": "Gangnet: sammenhængende dele",
    },
    "Share of the walk network in its largest part (0-1)": {
        "sv": "Andel av gångnätet i dess största sammanhängande del (0–1)",
        "da": "Andel af gangnettet i dets største sammenhængende del (0–1)",
    },
    "Way node references missing from the extract": {
        "sv": "Nodreferenser i vägar som saknas i utdraget",
        "da": "Nodereferencer i veje, der mangler i udtrækket",
    },
    "Data attribution": {"sv": "Källhänvisning för data", "da": "Kildeangivelse for data"},
    "Walkable network (km): {lit}, {source}": {
        "sv": "Gångbart nät (km): {lit}, {source}",
        "da": "Gangbart net (km): {lit}, {source}",
    },
    "Destinations: {category}": {"sv": "Målpunkter: {category}", "da": "Destinationer: {category}"},
    "Buildings: {use}": {"sv": "Byggnader: {use}", "da": "Bygninger: {use}"},
    "Highway types not walked on (JSON: type and number of ways)": {
        "sv": "Vägtyper som inte räknas som gångbara (JSON: typ och antal vägar)",
        "da": "Vejtyper der ikke regnes som gangbare (JSON: type og antal veje)",
    },
    # --- new algorithms, panel, layout (names and buttons a planner sees first) ----------------
    "Analysis": {"sv": "Analys", "da": "Analyse"},
    "Scenarios": {"sv": "Scenarier", "da": "Scenarier"},
    "Reports": {"sv": "Rapporter", "da": "Rapporter"},
    "Build walk network": {"sv": "Bygg gångnät", "da": "Byg gangnet"},
    "Compute accessibility, green, safety and night-access layers": {
        "sv": "Beräkna lager för tillgänglighet, grönska, trygghet och tillgång i mörker",
        "da": "Beregn lag for tilgængelighed, grønt, tryghed og adgang i mørke",
    },
    "Summarise by area": {"sv": "Sammanfatta per område", "da": "Opsummér pr. område"},
    "Run a scenario": {"sv": "Kör ett scenario", "da": "Kør et scenarie"},
    "Compare scenarios": {"sv": "Jämför scenarier", "da": "Sammenlign scenarier"},
    "Export council layout (PDF and PNG)": {
        "sv": "Exportera layout för nämnden (PDF och PNG)",
        "da": "Eksportér layout til udvalget (PDF og PNG)",
    },
    "Walk network": {"sv": "Gångnät", "da": "Gangnet"},
    "Output folder": {"sv": "Utdatamapp", "da": "Outputmappe"},
    "Area summaries": {"sv": "Områdessammanfattningar", "da": "Områdeopsummeringer"},
    "Area code field": {"sv": "Fält med områdeskod", "da": "Felt med områdekode"},
    "Area name field (optional)": {"sv": "Fält med områdesnamn (valfritt)",
                                   "da": "Felt med områdenavn (valgfrit)"},
    "Grid: indicators per cell": {"sv": "Rutnät: indikatorer per ruta",
                                  "da": "Grid: indikatorer pr. celle"},
    "Destinations": {"sv": "Målpunkter", "da": "Destinationer"},
    "Green space": {"sv": "Grönytor", "da": "Grønne områder"},
    "Change per cell": {"sv": "Förändring per ruta", "da": "Ændring pr. celle"},
    "Change per area": {"sv": "Förändring per område", "da": "Ændring pr. område"},
    "Grid with the scenario": {"sv": "Rutnät med scenariot", "da": "Grid med scenariet"},
    "geoplan scenario": {"sv": "geoplan-scenario", "da": "geoplan-scenarie"},
    "Scenario panel": {"sv": "Scenariopanel", "da": "Scenariepanel"},
    "Council layout…": {"sv": "Layout för nämnden…", "da": "Layout til udvalget…"},
    "Council layout": {"sv": "Layout för nämnden", "da": "Layout til udvalget"},
    "Baseline": {"sv": "Nuläge", "da": "Udgangspunkt"},
    "Study area": {"sv": "Analysområde", "da": "Analyseområde"},
    "Scenario": {"sv": "Scenario", "da": "Scenarie"},
    "Scenario name": {"sv": "Scenariots namn", "da": "Scenariets navn"},
    "Draw the proposal:": {"sv": "Rita förslaget:", "da": "Tegn forslaget:"},
    "New paths": {"sv": "Nya gångvägar", "da": "Nye stier"},
    "New street lamps": {"sv": "Nya gatlampor", "da": "Nye gadelamper"},
    "Densification (new homes)": {"sv": "Förtätning (nya bostäder)",
                                  "da": "Fortætning (nye boliger)"},
    "New green spaces": {"sv": "Nya grönytor", "da": "Nye grønne områder"},
    "New destinations": {"sv": "Nya målpunkter", "da": "Nye destinationer"},
    "Run": {"sv": "Kör", "da": "Kør"},
    "Cancel": {"sv": "Avbryt", "da": "Annullér"},
    "Cancelling…": {"sv": "Avbryter…", "da": "Annullerer…"},
    "Cancelled.": {"sv": "Avbrutet.", "da": "Annulleret."},
    "Running the scenario…": {"sv": "Kör scenariot…", "da": "Kører scenariet…"},
    "Done: {folder}": {"sv": "Klart: {folder}", "da": "Færdig: {folder}"},
    "Area": {"sv": "Område", "da": "Område"},
    "Measure": {"sv": "Mått", "da": "Mål"},
    "Before": {"sv": "Före", "da": "Før"},
    "After": {"sv": "Efter", "da": "Efter"},
    "Change": {"sv": "Förändring", "da": "Ændring"},
    "Unit": {"sv": "Enhet", "da": "Enhed"},
    "Date": {"sv": "Datum", "da": "Dato"},
    "Data sources": {"sv": "Datakällor", "da": "Datakilder"},
    "+ {n} more changes: see changes.xlsx": {
        "sv": "+ {n} ändringar till: se changes.xlsx",
        "da": "+ {n} ændringer mere: se changes.xlsx",
    },
    "Scenario compared with the baseline": {"sv": "Scenariot jämfört med nuläget",
                                            "da": "Scenariet sammenlignet med udgangspunktet"},
    "Headline indicators of the baseline": {"sv": "Nulägets viktigaste indikatorer",
                                            "da": "Udgangspunktets vigtigste indikatorer"},
    "Choose the baseline: the output folder of a geoplan run or a pipeline file.": {
        "sv": "Välj nuläget: utdatamappen från en geoplan-körning eller en pipelinefil.",
        "da": "Vælg udgangspunktet: outputmappen fra en geoplan-kørsel eller en pipelinefil.",
    },
    "Give a pipeline file or an OpenStreetMap file.": {
        "sv": "Ange en pipelinefil eller en OpenStreetMap-fil.",
        "da": "Angiv en pipelinefil eller en OpenStreetMap-fil.",
    },
    "{layer}, feature {fid}: {error}": {"sv": "{layer}, objekt {fid}: {error}",
                                        "da": "{layer}, objekt {fid}: {error}"},
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
    "geoplan cannot start: the Python that QGIS runs ({python}) lacks these modules, or has "
    "versions geoplan cannot use:": {
        "sv": "geoplan kan inte starta: den Python som QGIS kör ({python}) saknar dessa moduler "
        "eller har versioner som geoplan inte kan använda:",
        "da": "geoplan kan ikke starte: den Python, som QGIS kører ({python}), mangler disse "
        "moduler eller har versioner, som geoplan ikke kan bruge:",
    },
    "geoplan cannot start: importing it in the Python that QGIS runs ({python}) failed: "
    "{error}": {
        "sv": "geoplan kan inte starta: importen i den Python som QGIS kör ({python}) "
        "misslyckades: {error}",
        "da": "geoplan kan ikke starte: importen i den Python, som QGIS kører ({python}), "
        "mislykkedes: {error}",
    },
    "Fix: close QGIS, then set geoplan up and start QGIS with its libraries (in a terminal):": {
        "sv": "Åtgärd: stäng QGIS, installera sedan geoplan och starta QGIS med dess bibliotek "
        "(i en terminal):",
        "da": "Løsning: luk QGIS, installer derefter geoplan og start QGIS med dets biblioteker "
        "(i en terminal):",
    },
    "or install them into QGIS's own Python and restart QGIS:": {
        "sv": "eller installera dem i QGIS egen Python och starta om QGIS:",
        "da": "eller installer dem i QGIS' egen Python og genstart QGIS:",
    },
    "Fix: install them into QGIS's own Python (in a terminal), then restart QGIS:": {
        "sv": "Åtgärd: installera dem i QGIS egen Python (i en terminal) och starta sedan om QGIS:",
        "da": "Løsning: installer dem i QGIS' egen Python (i en terminal), og genstart derefter "
        "QGIS:",
    },
    "QGIS's Python lacks {modules}.": {
        "sv": "QGIS Python saknar {modules}.",
        "da": "QGIS' Python mangler {modules}.",
    },
    "importing geoplan failed: {error}": {
        "sv": "importen av geoplan misslyckades: {error}",
        "da": "importen af geoplan mislykkedes: {error}",
    },
    "Show how to fix it": {"sv": "Visa hur det åtgärdas", "da": "Vis, hvordan det løses"},
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
