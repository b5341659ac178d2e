"""Translations of the strings a planner reads: English, Swedish, Danish.

:data:`CATALOGUE` (keyed by the English text, with the help texts of
:mod:`geoplan_qgis.help_texts`) is the one source; ``scripts/make_plugin_translations.py``
writes Qt's ``i18n/geoplan_<lang>.ts`` from it and compiles the ``.qm`` files with ``lrelease``.
The language follows QGIS (``locale/userLocale``, else the system locale). :func:`tr` asks the
``QTranslator`` loaded from the language's ``.qm`` (the plugin also installs it in the
application with :func:`install_translator`), then the catalogue, then returns English.
Importing this module does not import QGIS.
"""

from __future__ import annotations

from pathlib import Path

from .help_texts import HELP_TEXTS

__all__ = [
    "CATALOGUE", "CONTEXT", "INSPECT_HELP", "LANGUAGES", "current_language", "install_translator",
    "qm_lookup", "qm_path", "tr", "translator",
]

LANGUAGES = ("en", "sv", "da")
#: The Qt translation context of every plugin text (``QCoreApplication.translate(CONTEXT, …)``).
CONTEXT = "geoplan"
_TRANSLATORS: dict = {}

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
    "Whole study area": {"sv": "Hela analysområdet", "da": "Hele analyseområdet"},
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
    "Tunnels and underpasses (tunnel edges sharing a node are one)": {
        "sv": "Tunnlar och gångtunnlar (tunneldelar som möts räknas som en)",
        "da": "Tunneller og underføringer (tunneldele, der mødes, tælles som én)",
    },
    "Tunnels and underpasses (km)": {"sv": "Tunnlar och gångtunnlar (km)",
                                     "da": "Tunneller og underføringer (km)"},
    "Areas cut by the extract's edge, kept": {
        "sv": "Ytor som skärs av utdragets kant, behållna",
        "da": "Arealer, der skæres af udtrækkets kant, beholdt",
    },
    "Areas cut by the extract's edge, dropped": {
        "sv": "Ytor som skärs av utdragets kant, bortlämnade",
        "da": "Arealer, der skæres af udtrækkets kant, udeladt",
    },
    "Destinations mapped as lines (platforms)": {
        "sv": "Målpunkter karterade som linjer (plattformar)",
        "da": "Mål kortlagt som linjer (perroner)",
    },
    "Cycleways without a foot tag walked on": {
        "sv": "Cykelvägar utan foot-tagg som räknas som gångbara",
        "da": "Cykelstier uden foot-tag, der regnes som gangbare",
    },
    "Walk from a cell's starting point to its path, median (m)": {
        "sv": "Gång från rutans startpunkt till närmaste väg, median (m)",
        "da": "Gang fra cellens startpunkt til nærmeste vej, median (m)",
    },
    "Walk from a cell's starting point to its path, longest (m)": {
        "sv": "Gång från rutans startpunkt till närmaste väg, längsta (m)",
        "da": "Gang fra cellens startpunkt til nærmeste vej, længste (m)",
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
    # --- newer texts of the algorithms, the panel, the layout and the installer -----------------
    "{what}: {error}": {"sv": "{what}: {error}", "da": "{what}: {error}"},
    "the {what} has no CRS: set one in the layer's properties (Source > Assigned coordinate "
    "reference system).": {
        "sv": "{what} har inget koordinatsystem: ange ett i lagrets egenskaper (Källa > Tilldelat "
              "koordinatreferenssystem).",
        "da": "{what} har intet koordinatsystem: angiv et i lagets egenskaber (Kilde > Tildelt "
              "koordinatreferencesystem).",
    },
    "Name of the last row (the whole grid)": {"sv": "Namn på sista raden (hela rutnätet)",
                                              "da": "Navn på sidste række (hele griddet)"},
    "geoplan grid (with pop and indicators)": {"sv": "geoplan-rutnät (med pop och indikatorer)",
                                               "da": "geoplan-grid (med pop og indikatorer)"},
    "Areas to summarise by (polygons)": {"sv": "Områden att sammanfatta efter (polygoner)",
                                         "da": "Områder at opsummere efter (polygoner)"},
    "reading the grid": {"sv": "läser rutnätet", "da": "læser griddet"},
    "summarising": {"sv": "sammanfattar", "da": "opsummerer"},
    "writing": {"sv": "skriver", "da": "skriver"},
    "grid layer": {"sv": "rutnätslagret", "da": "gridlaget"},
    "area layer": {"sv": "områdeslagret", "da": "områdelaget"},
    "Load the layers into the project": {"sv": "Läs in lagren i projektet",
                                         "da": "Indlæs lagene i projektet"},
    "GeoPackage with every layer": {"sv": "GeoPackage med alla lager",
                                    "da": "GeoPackage med alle lag"},
    "Output folder of a geoplan run or scenario": {
        "sv": "Utdatamapp från en geoplan-körning eller ett scenario",
        "da": "Outputmappe fra en geoplan-kørsel eller et scenarie"},
    "Indicator of the scenario maps": {"sv": "Indikator för scenariokartorna",
                                       "da": "Indikator for scenariekortene"},
    "Title (optional, default: the study's title)": {
        "sv": "Titel (valfri, standard: studiens titel)",
        "da": "Titel (valgfri, standard: undersøgelsens titel)"},
    "Language of the outputs": {"sv": "Språk för utdata", "da": "Sprog for output"},
    "Resolution (dpi)": {"sv": "Upplösning (dpi)", "da": "Opløsning (dpi)"},
    "Layout as PDF": {"sv": "Layout som PDF", "da": "Layout som PDF"},
    "Layout as PNG": {"sv": "Layout som PNG", "da": "Layout som PNG"},
    "The run is a scenario": {"sv": "Körningen är ett scenario", "da": "Kørslen er et scenarie"},
    "building the layout": {"sv": "bygger layouten", "da": "bygger layoutet"},
    "exporting": {"sv": "exporterar", "da": "eksporterer"},
    "QGIS's language": {"sv": "QGIS språk", "da": "QGIS' sprog"},
    "PDF files": {"sv": "PDF-filer", "da": "PDF-filer"},
    "PNG images": {"sv": "PNG-bilder", "da": "PNG-billeder"},
    "The first headline indicator the scenario changes": {
        "sv": "Den första huvudindikatorn som scenariot ändrar",
        "da": "Den første hovedindikator, som scenariet ændrer"},
    "Pipeline file (TOML; optional)": {"sv": "Pipelinefil (TOML; valfri)",
                                       "da": "Pipelinefil (TOML; valgfri)"},
    "OpenStreetMap file (without a pipeline file)": {
        "sv": "OpenStreetMap-fil (utan pipelinefil)", "da": "OpenStreetMap-fil (uden pipelinefil)"},
    "Grid cell size": {"sv": "Rutstorlek", "da": "Cellestørrelse"},
    "Population source": {"sv": "Befolkningskälla", "da": "Befolkningskilde"},
    "Population grid (vector grid or GeoTIFF; optional)": {
        "sv": "Befolkningsrutnät (vektorrutnät eller GeoTIFF; valfritt)",
        "da": "Befolkningsgrid (vektorgrid eller GeoTIFF; valgfrit)"},
    "Residents column of the population grid": {"sv": "Kolumnen med invånare i befolkningsrutnätet",
                                                "da": "Kolonnen med indbyggere i befolkningsgriddet"},
    "Areas to summarise by (polygons; optional)": {
        "sv": "Områden att sammanfatta efter (polygoner; valfritt)",
        "da": "Områder at opsummere efter (polygoner; valgfrit)"},
    "Title of the study (optional)": {"sv": "Studiens titel (valfri)",
                                      "da": "Undersøgelsens titel (valgfri)"},
    "Also write grid.tif (one band per indicator)": {
        "sv": "Skriv även grid.tif (ett band per indikator)",
        "da": "Skriv også grid.tif (ét bånd pr. indikator)"},
    "Grid cells": {"sv": "Rutor", "da": "Celler"},
    "Residents in the study area": {"sv": "Invånare i analysområdet",
                                    "da": "Indbyggere i analyseområdet"},
    "The population source is a population grid: choose its file under 'Population grid'.": {
        "sv": "Befolkningskällan är ett befolkningsrutnät: välj dess fil under "
              "'Befolkningsrutnät'.",
        "da": "Befolkningskilden er et befolkningsgrid: vælg dets fil under 'Befolkningsgrid'."},
    "Choose the area code field of the areas to summarise by.": {
        "sv": "Välj fältet med områdeskoden i områdena att sammanfatta efter.",
        "da": "Vælg feltet med områdekoden i områderne at opsummere efter."},
    "the parameters": {"sv": "parametrarna", "da": "parametrene"},
    "Outputs written to {folder}": {"sv": "Utdata skrivna till {folder}",
                                    "da": "Output skrevet til {folder}"},
    "Pipeline files": {"sv": "Pipelinefiler", "da": "Pipelinefiler"},
    "As in the pipeline file (default 100 m)": {"sv": "Som i pipelinefilen (standard 100 m)",
                                                "da": "Som i pipelinefilen (standard 100 m)"},
    "As in the pipeline file (default: OSM buildings)": {
        "sv": "Som i pipelinefilen (standard: OSM-byggnader)",
        "da": "Som i pipelinefilen (standard: OSM-bygninger)"},
    "OSM buildings (estimate: residential floor area)": {
        "sv": "OSM-byggnader (uppskattning: bostadsyta)",
        "da": "OSM-bygninger (skøn: boligareal)"},
    "Population grid (file below)": {"sv": "Befolkningsrutnät (fil nedan)",
                                     "da": "Befolkningsgrid (fil nedenfor)"},
    "As in the pipeline file, else QGIS's language": {
        "sv": "Som i pipelinefilen, annars QGIS språk", "da": "Som i pipelinefilen, ellers QGIS' sprog"},
    "Comparison table": {"sv": "Jämförelsetabell", "da": "Sammenligningstabel"},
    "The baseline {path} is neither a pipeline file (.toml) nor the output folder of a geoplan run "
    "(with provenance.json): choose one of them.": {
        "sv": "Nuläget {path} är varken en pipelinefil (.toml) eller utdatamappen från en "
              "geoplan-körning (med provenance.json): välj en av dem.",
        "da": "Udgangspunktet {path} er hverken en pipelinefil (.toml) eller outputmappen fra en "
              "geoplan-kørsel (med provenance.json): vælg en af dem."},
    "Baseline: pipeline file (.toml), or provenance.json / geoplan.gpkg of a run's output folder": {
        "sv": "Nuläge: pipelinefil (.toml), eller provenance.json / geoplan.gpkg i en körnings "
              "utdatamapp",
        "da": "Udgangspunkt: pipelinefil (.toml), eller provenance.json / geoplan.gpkg i en "
              "kørsels outputmappe"},
    "Scenario GeoPackage (optional)": {"sv": "Scenario-GeoPackage (valfri)",
                                       "da": "Scenarie-GeoPackage (valgfri)"},
    "Scenario name (optional)": {"sv": "Scenariots namn (valfritt)",
                                 "da": "Scenariets navn (valgfrit)"},
    "Study area instead of the baseline's (polygons; optional)": {
        "sv": "Analysområde i stället för nulägets (polygoner; valfritt)",
        "da": "Analyseområde i stedet for udgangspunktets (polygoner; valgfrit)"},
    "Change table (CSV)": {"sv": "Förändringstabell (CSV)", "da": "Ændringstabel (CSV)"},
    "Give a scenario GeoPackage or at least one layer of edits (new paths, lamps, densification, "
    "green spaces or destinations).": {
        "sv": "Ange en scenario-GeoPackage eller minst ett lager med ändringar (nya gångvägar, "
              "lampor, förtätning, grönytor eller målpunkter).",
        "da": "Angiv en scenarie-GeoPackage eller mindst ét lag med ændringer (nye stier, lamper, "
              "fortætning, grønne områder eller destinationer)."},
    "geoplan: {scenario}": {"sv": "geoplan: {scenario}", "da": "geoplan: {scenario}"},
    "Scenario runs: the changes.csv of each run's output folder": {
        "sv": "Scenariokörningar: changes.csv i varje körnings utdatamapp",
        "da": "Scenariekørsler: changes.csv i hver kørsels outputmappe"},
    "Comparison (CSV)": {"sv": "Jämförelse (CSV)", "da": "Sammenligning (CSV)"},
    "Give at least two scenario runs to compare.": {
        "sv": "Ange minst två scenariokörningar att jämföra.",
        "da": "Angiv mindst to scenariekørsler at sammenligne."},
    "GeoPackages": {"sv": "GeoPackage-filer", "da": "GeoPackage-filer"},
    "Scenario {name}: {n} edits": {"sv": "Scenario {name}: {n} ändringar",
                                   "da": "Scenarie {name}: {n} ændringer"},
    "CSV files": {"sv": "CSV-filer", "da": "CSV-filer"},
    "{file} has no pipeline: run geoplan again to rewrite it.": {
        "sv": "{file} saknar pipeline: kör geoplan igen för att skriva om den.",
        "da": "{file} har ingen pipeline: kør geoplan igen for at skrive den på ny."},
    "Pipelines and runs": {"sv": "Pipelines och körningar", "da": "Pipelines og kørsler"},
    "Fix: press \"Install missing modules\" on QGIS's message bar (geoplan asks first and "
    "installs only what QGIS lacks), or in a terminal (the OSGeo4W Shell on Windows) run, then "
    "restart QGIS:": {
        "sv": "Åtgärd: tryck på \"Installera saknade moduler\" i QGIS meddelandefält (geoplan "
              "frågar först och installerar bara det QGIS saknar), eller kör i en terminal "
              "(OSGeo4W Shell i Windows) och starta sedan om QGIS:",
        "da": "Løsning: tryk på \"Installer manglende moduler\" i QGIS' meddelelseslinje (geoplan "
              "spørger først og installerer kun det, QGIS mangler), eller kør i en terminal "
              "(OSGeo4W Shell på Windows) og genstart derefter QGIS:"},
    "The scenario has no change of '{indicator}': choose one of {options}.": {
        "sv": "Scenariot har ingen förändring av '{indicator}': välj en av {options}.",
        "da": "Scenariet har ingen ændring af '{indicator}': vælg en af {options}."},
    "{gpkg} has no layer '{layer}': give the folder of a geoplan run (geoplan.gpkg with a grid "
    "layer).": {
        "sv": "{gpkg} har inget lager '{layer}': ange mappen från en geoplan-körning "
              "(geoplan.gpkg med ett rutnätslager).",
        "da": "{gpkg} har intet lag '{layer}': angiv mappen fra en geoplan-kørsel "
              "(geoplan.gpkg med et gridlag)."},
    "Could not write {path} ({error}): choose a folder you can write to.": {
        "sv": "Kunde inte skriva {path} ({error}): välj en mapp du kan skriva i.",
        "da": "Kunne ikke skrive {path} ({error}): vælg en mappe, du kan skrive i."},
    "see the log panel": {"sv": "se loggpanelen", "da": "se logpanelet"},
    "Output folder of a geoplan run, or a pipeline file (.toml)": {
        "sv": "Utdatamapp från en geoplan-körning, eller en pipelinefil (.toml)",
        "da": "Outputmappe fra en geoplan-kørsel, eller en pipelinefil (.toml)"},
    "Output folder (default: a new temporary folder)": {
        "sv": "Utdatamapp (standard: en ny tillfällig mapp)",
        "da": "Outputmappe (standard: en ny midlertidig mappe)"},
    "Output folder of a geoplan run": {"sv": "Utdatamapp från en geoplan-körning",
                                       "da": "Outputmappe fra en geoplan-kørsel"},
    "The geoplan Processing provider is not loaded: enable the geoplan plugin.": {
        "sv": "geoplans Processing-leverantör är inte inläst: aktivera geoplan-insticksprogrammet.",
        "da": "geoplans Processing-udbyder er ikke indlæst: aktivér geoplan-pluginet."},
    "Draw on the map, then fill in the attributes. {layer}": {
        "sv": "Rita på kartan och fyll sedan i attributen. {layer}",
        "da": "Tegn på kortet, og udfyld derefter attributterne. {layer}"},
    "Council layout written: {files}": {"sv": "Layout för nämnden skriven: {files}",
                                        "da": "Layout til udvalget skrevet: {files}"},
    "The scenario did not run: {error}": {"sv": "Scenariot kördes inte: {error}",
                                          "da": "Scenariet blev ikke kørt: {error}"},
    "Installing Python modules for geoplan…": {"sv": "Installerar Python-moduler för geoplan…",
                                               "da": "Installerer Python-moduler til geoplan…"},
    "Install missing modules": {"sv": "Installera saknade moduler",
                                "da": "Installer manglende moduler"},
    "Install these Python modules into {target} with QGIS's own Python? Nothing QGIS ships is "
    "replaced.": {
        "sv": "Installera dessa Python-moduler i {target} med QGIS egen Python? Inget som följer "
              "med QGIS ersätts.",
        "da": "Installer disse Python-moduler i {target} med QGIS' egen Python? Intet, som "
              "følger med QGIS, erstattes."},
    "yes": {"sv": "ja", "da": "ja"},
    "no": {"sv": "nej", "da": "nej"},
    "at grade": {"sv": "i plan", "da": "i niveau"},
    "bridge": {"sv": "bro", "da": "bro"},
    "tunnel": {"sv": "tunnel", "da": "tunnel"},
    # --- scenario: the layers of drawn edits ----------------------------------------------------
    "New paths (lines: name, lit, kind, crossing)": {
        "sv": "Nya gångvägar (linjer: name, lit, kind, crossing)",
        "da": "Nye stier (linjer: name, lit, kind, crossing)"},
    "New street lamps (points)": {"sv": "Nya gatlampor (punkter)",
                                  "da": "Nye gadelamper (punkter)"},
    "Densification blocks (polygons: dwellings, residents or floor_area_m2)": {
        "sv": "Förtätningskvarter (polygoner: dwellings, residents eller floor_area_m2)",
        "da": "Fortætningskarréer (polygoner: dwellings, residents eller floor_area_m2)"},
    "New green spaces (polygons: public, kind)": {
        "sv": "Nya grönytor (polygoner: public, kind)",
        "da": "Nye grønne områder (polygoner: public, kind)"},
    "New destinations (points: category, name)": {
        "sv": "Nya målpunkter (punkter: category, name)",
        "da": "Nye destinationer (punkter: category, name)"},
    # --- scenario: writing only what changes (session 23) ----------------------------------------
    "Write only what changes (fast, for trying proposals)": {
        "sv": "Skriv bara det som ändras (snabbt, för att pröva förslag)",
        "da": "Skriv kun det, der ændres (hurtigt, til at afprøve forslag)"},
    "Only with the output folder of a geoplan run that saved its baseline.": {
        "sv": "Bara med utdatamappen från en geoplan-körning som har sparat sitt nuläge.",
        "da": "Kun med outputmappen fra en geoplan-kørsel, der har gemt sit udgangspunkt."},
    "Only the cells that change were written: run the scenario with 'Write only what changes' "
    "unticked for the council layout.": {
        "sv": "Bara de rutor som ändras skrevs: kör scenariot med 'Skriv bara det som ändras' "
              "avmarkerat för att få layouten för nämnden.",
        "da": "Kun de celler, der ændres, blev skrevet: kør scenariet med 'Skriv kun det, der "
              "ændres' fravalgt for at få layoutet til udvalget."},
}
CATALOGUE.update({text["en"]: {"sv": text["sv"], "da": text["da"]}
                  for text in HELP_TEXTS.values()})


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


def qm_path(lang: str) -> Path:
    """The compiled Qt translation of ``lang`` shipped with the plugin."""
    return Path(__file__).with_name("i18n") / f"geoplan_{lang}.qm"


def translator(lang: str):
    """The ``QTranslator`` loaded from :func:`qm_path` (cached), or None for English, without
    the file or without Qt."""
    if lang not in _TRANSLATORS:
        loaded = None
        if lang != "en":
            try:
                from qgis.PyQt.QtCore import QTranslator
            except ImportError:
                return None
            loaded = QTranslator()
            if not loaded.load(str(qm_path(lang))):
                loaded = None
        _TRANSLATORS[lang] = loaded
    return _TRANSLATORS[lang]


def qm_lookup(compiled, text: str) -> str:
    """``compiled.translate(CONTEXT, text)``, "" when the ``.qm`` lacks ``text``. PyQt5 passes a
    ``str`` source text as ASCII, so text with ``©`` or ``…`` goes as UTF-8 bytes."""
    try:
        return compiled.translate(CONTEXT, text) or ""
    except UnicodeEncodeError:
        return compiled.translate(CONTEXT, text.encode("utf-8")) or ""


def install_translator():
    """Install the translator of QGIS's language in the application (what QGIS plugins do so
    ``QCoreApplication.translate("geoplan", …)`` answers); returns it to pass to
    ``QCoreApplication.removeTranslator`` on unload, or None for English."""
    found = translator(current_language())
    if found is not None:
        from qgis.PyQt.QtCore import QCoreApplication

        QCoreApplication.installTranslator(found)
    return found


def tr(text: str, lang: str | None = None) -> str:
    """``text`` in the planner's language (or ``lang``), English when there is no translation."""
    lang = lang or current_language()
    if lang == "en":
        return text
    compiled = translator(lang)
    if compiled is not None and (found := qm_lookup(compiled, text)):
        return found
    entry = CATALOGUE.get(text)
    return entry[lang] if entry and entry.get(lang) else text
