<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="sv_SE" sourcelanguage="en_GB">
  <context>
    <name>geoplan</name>
    <message>
      <source>+ {n} more changes: see changes.xlsx</source>
      <translation>+ {n} ändringar till: se changes.xlsx</translation>
    </message>
    <message>
      <source>Add the register to OSM's lamps</source>
      <translation>Lägg till registret till lamporna i OSM</translation>
    </message>
    <message>
      <source>After</source>
      <translation>Efter</translation>
    </message>
    <message>
      <source>All files</source>
      <translation>Alla filer</translation>
    </message>
    <message>
      <source>Also write grid.tif (one band per indicator)</source>
      <translation>Skriv även grid.tif (ett band per indikator)</translation>
    </message>
    <message>
      <source>Analysis</source>
      <translation>Analys</translation>
    </message>
    <message>
      <source>Area</source>
      <translation>Område</translation>
    </message>
    <message>
      <source>Area code field</source>
      <translation>Fält med områdeskod</translation>
    </message>
    <message>
      <source>Area name field (optional)</source>
      <translation>Fält med områdesnamn (valfritt)</translation>
    </message>
    <message>
      <source>Area summaries</source>
      <translation>Områdessammanfattningar</translation>
    </message>
    <message>
      <source>Areas cut by the extract's edge, dropped</source>
      <translation>Ytor som skärs av utdragets kant, bortlämnade</translation>
    </message>
    <message>
      <source>Areas cut by the extract's edge, kept</source>
      <translation>Ytor som skärs av utdragets kant, behållna</translation>
    </message>
    <message>
      <source>Areas to summarise by (polygons)</source>
      <translation>Områden att sammanfatta efter (polygoner)</translation>
    </message>
    <message>
      <source>Areas to summarise by (polygons; optional)</source>
      <translation>Områden att sammanfatta efter (polygoner; valfritt)</translation>
    </message>
    <message>
      <source>As in the pipeline file (default 100 m)</source>
      <translation>Som i pipelinefilen (standard 100 m)</translation>
    </message>
    <message>
      <source>As in the pipeline file (default: OSM buildings)</source>
      <translation>Som i pipelinefilen (standard: OSM-byggnader)</translation>
    </message>
    <message>
      <source>As in the pipeline file, else QGIS's language</source>
      <translation>Som i pipelinefilen, annars QGIS språk</translation>
    </message>
    <message>
      <source>Baseline</source>
      <translation>Nuläge</translation>
    </message>
    <message>
      <source>Baseline: pipeline file (.toml), or provenance.json / geoplan.gpkg of a run's output folder</source>
      <translation>Nuläge: pipelinefil (.toml), eller provenance.json / geoplan.gpkg i en körnings utdatamapp</translation>
    </message>
    <message>
      <source>Before</source>
      <translation>Före</translation>
    </message>
    <message>
      <source>Build walk network</source>
      <translation>Bygg gångnät</translation>
    </message>
    <message>
      <source>Buildings</source>
      <translation>Byggnader</translation>
    </message>
    <message>
      <source>Buildings with a known number of floors</source>
      <translation>Byggnader med känt antal våningar</translation>
    </message>
    <message>
      <source>Buildings: {use}</source>
      <translation>Byggnader: {use}</translation>
    </message>
    <message>
      <source>Builds an A3 print layout of a geoplan run for the council and exports it as PDF and PNG. For a scenario (its output folder has grid_change and changes.csv): before, after and change maps of one indicator — before and after on the same classes, the change on diverging colours with a neutral 'no change' class — and the change table. For a baseline run: the headline maps (safety index, walking distance to a grocery store, lighting of the network) and the area summaries when there are any.

Every layout has a title, a legend per map, a scale bar, a north arrow, the date and the data sources with © OpenStreetMap contributors.</source>
      <translation>Bygger en utskriftslayout i A3 av en geoplan-körning för nämnden och exporterar den som PDF och PNG. För ett scenario (dess utdatamapp har grid_change och changes.csv): kartor före, efter och med förändringen för en indikator — före och efter med samma klasser, förändringen med divergerande färger och en neutral klass 'ingen förändring' — samt förändringstabellen. För en körning av nuläget: huvudkartorna (trygghetsindex, gångavstånd till livsmedelsbutik, nätets belysning) och områdessammanfattningarna om det finns några.

Varje layout har en rubrik, en teckenförklaring per karta, en skalstock, en nordpil, datum och datakällorna med © OpenStreetMap-bidragsgivare.</translation>
    </message>
    <message>
      <source>Builds the walk network geoplan computes on from an OpenStreetMap extract: one line per walkable edge with its length (length_m), lighting (lit = yes / no / unknown) and where the lighting comes from (lit_source = tag / lamps / assumed / none), the share of the edge within reach of a street lamp (lamp_share), tunnel and bridge (1 = yes), highway type, name and surface.

Unknown lighting is reported as unknown, never as lit or dark. The study area is optional (default: the whole extract); with 'Selected features only' just the selected polygons count. A lamp register adds to the lamps mapped in OSM or replaces them. Data © OpenStreetMap contributors (ODbL).</source>
      <translation>Bygger det gångnät som geoplan räknar på ur ett OpenStreetMap-utdrag: en linje per gångbar länk med dess längd (length_m), belysning (lit = yes / no / unknown, dvs. ja / nej / okänd) och varifrån uppgiften om belysning kommer (lit_source = tag / lamps / assumed / none, dvs. tagg / gatlampor / antagen / ingen), andelen av länken inom räckhåll för en gatlampa (lamp_share), tunnel och bro (1 = ja), vägtyp, namn och beläggning.

Okänd belysning redovisas som okänd, aldrig som belyst eller mörk. Analysområdet är valfritt (standard: hela utdraget); med 'Endast valda objekt' räknas bara de valda polygonerna. Ett register över gatlampor läggs till lamporna i OSM eller ersätter dem. Data © OpenStreetMap-bidragsgivare (ODbL).</translation>
    </message>
    <message>
      <source>CRS of a CSV lamp register (e.g. EPSG:3006)</source>
      <translation>Koordinatsystem för ett lampregister i CSV (t.ex. EPSG:3006)</translation>
    </message>
    <message>
      <source>CSV files</source>
      <translation>CSV-filer</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Avbryt</translation>
    </message>
    <message>
      <source>Cancelled.</source>
      <translation>Avbrutet.</translation>
    </message>
    <message>
      <source>Cancelling…</source>
      <translation>Avbryter…</translation>
    </message>
    <message>
      <source>Change</source>
      <translation>Förändring</translation>
    </message>
    <message>
      <source>Change per area</source>
      <translation>Förändring per område</translation>
    </message>
    <message>
      <source>Change per cell</source>
      <translation>Förändring per ruta</translation>
    </message>
    <message>
      <source>Change table (CSV)</source>
      <translation>Förändringstabell (CSV)</translation>
    </message>
    <message>
      <source>Choose the area code field of the areas to summarise by.</source>
      <translation>Välj fältet med områdeskoden i områdena att sammanfatta efter.</translation>
    </message>
    <message>
      <source>Choose the baseline: the output folder of a geoplan run or a pipeline file.</source>
      <translation>Välj nuläget: utdatamappen från en geoplan-körning eller en pipelinefil.</translation>
    </message>
    <message>
      <source>Compare scenarios</source>
      <translation>Jämför scenarier</translation>
    </message>
    <message>
      <source>Comparison (CSV)</source>
      <translation>Jämförelse (CSV)</translation>
    </message>
    <message>
      <source>Comparison table</source>
      <translation>Jämförelsetabell</translation>
    </message>
    <message>
      <source>Compute accessibility, green, safety and night-access layers</source>
      <translation>Beräkna lager för tillgänglighet, grönska, trygghet och tillgång i mörker</translation>
    </message>
    <message>
      <source>Could not write {path} ({error}): choose a folder you can write to.</source>
      <translation>Kunde inte skriva {path} ({error}): välj en mapp du kan skriva i.</translation>
    </message>
    <message>
      <source>Council layout</source>
      <translation>Layout för nämnden</translation>
    </message>
    <message>
      <source>Council layout written: {files}</source>
      <translation>Layout för nämnden skriven: {files}</translation>
    </message>
    <message>
      <source>Council layout…</source>
      <translation>Layout för nämnden…</translation>
    </message>
    <message>
      <source>Cycleways without a foot tag walked on</source>
      <translation>Cykelvägar utan foot-tagg som räknas som gångbara</translation>
    </message>
    <message>
      <source>Dark walkable network (km)</source>
      <translation>Mörkt gångbart nät (km)</translation>
    </message>
    <message>
      <source>Data attribution</source>
      <translation>Källhänvisning för data</translation>
    </message>
    <message>
      <source>Data sources</source>
      <translation>Datakällor</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>Datum</translation>
    </message>
    <message>
      <source>Densification (new homes)</source>
      <translation>Förtätning (nya bostäder)</translation>
    </message>
    <message>
      <source>Densification blocks (polygons: dwellings, residents or floor_area_m2)</source>
      <translation>Förtätningskvarter (polygoner: dwellings, residents eller floor_area_m2)</translation>
    </message>
    <message>
      <source>Destinations</source>
      <translation>Målpunkter</translation>
    </message>
    <message>
      <source>Destinations mapped as lines (platforms)</source>
      <translation>Målpunkter karterade som linjer (plattformar)</translation>
    </message>
    <message>
      <source>Destinations: {category}</source>
      <translation>Målpunkter: {category}</translation>
    </message>
    <message>
      <source>Done: {folder}</source>
      <translation>Klart: {folder}</translation>
    </message>
    <message>
      <source>Draw on the map, then fill in the attributes. {layer}</source>
      <translation>Rita på kartan och fyll sedan i attributen. {layer}</translation>
    </message>
    <message>
      <source>Draw the proposal:</source>
      <translation>Rita förslaget:</translation>
    </message>
    <message>
      <source>EPSG code of the metric CRS used</source>
      <translation>EPSG-kod för det metriska koordinatsystem som användes</translation>
    </message>
    <message>
      <source>Export council layout (PDF and PNG)</source>
      <translation>Exportera layout för nämnden (PDF och PNG)</translation>
    </message>
    <message>
      <source>Fix: close QGIS, then set geoplan up and start QGIS with its libraries (in a terminal):</source>
      <translation>Åtgärd: stäng QGIS, installera sedan geoplan och starta QGIS med dess bibliotek (i en terminal):</translation>
    </message>
    <message>
      <source>Fix: install them into QGIS's own Python (in a terminal), then restart QGIS:</source>
      <translation>Åtgärd: installera dem i QGIS egen Python (i en terminal) och starta sedan om QGIS:</translation>
    </message>
    <message>
      <source>Fix: press "Install missing modules" on QGIS's message bar (geoplan asks first and installs only what QGIS lacks), or in a terminal (the OSGeo4W Shell on Windows) run, then restart QGIS:</source>
      <translation>Åtgärd: tryck på "Installera saknade moduler" i QGIS meddelandefält (geoplan frågar först och installerar bara det QGIS saknar), eller kör i en terminal (OSGeo4W Shell i Windows) och starta sedan om QGIS:</translation>
    </message>
    <message>
      <source>GeoPackage with every layer</source>
      <translation>GeoPackage med alla lager</translation>
    </message>
    <message>
      <source>GeoPackages</source>
      <translation>GeoPackage-filer</translation>
    </message>
    <message>
      <source>Give a pipeline file or an OpenStreetMap file.</source>
      <translation>Ange en pipelinefil eller en OpenStreetMap-fil.</translation>
    </message>
    <message>
      <source>Give a scenario GeoPackage or at least one layer of edits (new paths, lamps, densification, green spaces or destinations).</source>
      <translation>Ange en scenario-GeoPackage eller minst ett lager med ändringar (nya gångvägar, lampor, förtätning, grönytor eller målpunkter).</translation>
    </message>
    <message>
      <source>Give at least two scenario runs to compare.</source>
      <translation>Ange minst två scenariokörningar att jämföra.</translation>
    </message>
    <message>
      <source>Green areas</source>
      <translation>Antal grönytor</translation>
    </message>
    <message>
      <source>Green space</source>
      <translation>Grönytor</translation>
    </message>
    <message>
      <source>Green space (ha, overlaps merged)</source>
      <translation>Grönyta (ha, överlapp sammanslagna)</translation>
    </message>
    <message>
      <source>Grid cell size</source>
      <translation>Rutstorlek</translation>
    </message>
    <message>
      <source>Grid cells</source>
      <translation>Rutor</translation>
    </message>
    <message>
      <source>Grid with the scenario</source>
      <translation>Rutnät med scenariot</translation>
    </message>
    <message>
      <source>Grid: indicators per cell</source>
      <translation>Rutnät: indikatorer per ruta</translation>
    </message>
    <message>
      <source>HTML files</source>
      <translation>HTML-filer</translation>
    </message>
    <message>
      <source>Headline indicators of the baseline</source>
      <translation>Nulägets viktigaste indikatorer</translation>
    </message>
    <message>
      <source>Highway types not walked on (JSON: type and number of ways)</source>
      <translation>Vägtyper som inte räknas som gångbara (JSON: typ och antal vägar)</translation>
    </message>
    <message>
      <source>Indicator of the scenario maps</source>
      <translation>Indikator för scenariokartorna</translation>
    </message>
    <message>
      <source>Inputs</source>
      <translation>Indata</translation>
    </message>
    <message>
      <source>Inspect OSM file</source>
      <translation>Granska OSM-fil</translation>
    </message>
    <message>
      <source>Install missing modules</source>
      <translation>Installera saknade moduler</translation>
    </message>
    <message>
      <source>Install these Python modules into {target} with QGIS's own Python? Nothing QGIS ships is replaced.</source>
      <translation>Installera dessa Python-moduler i {target} med QGIS egen Python? Inget som följer med QGIS ersätts.</translation>
    </message>
    <message>
      <source>Installing Python modules for geoplan…</source>
      <translation>Installerar Python-moduler för geoplan…</translation>
    </message>
    <message>
      <source>JSON files</source>
      <translation>JSON-filer</translation>
    </message>
    <message>
      <source>Lamp register and OSM lamps</source>
      <translation>Lampregister och lampor i OSM</translation>
    </message>
    <message>
      <source>Lamp registers</source>
      <translation>Register över gatlampor</translation>
    </message>
    <message>
      <source>Language of the outputs</source>
      <translation>Språk för utdata</translation>
    </message>
    <message>
      <source>Layer '{name}': {error}</source>
      <translation>Lagret '{name}': {error}</translation>
    </message>
    <message>
      <source>Layout as PDF</source>
      <translation>Layout som PDF</translation>
    </message>
    <message>
      <source>Layout as PNG</source>
      <translation>Layout som PNG</translation>
    </message>
    <message>
      <source>Lit walkable network (km)</source>
      <translation>Belyst gångbart nät (km)</translation>
    </message>
    <message>
      <source>Load the layers into the project</source>
      <translation>Läs in lagren i projektet</translation>
    </message>
    <message>
      <source>Measure</source>
      <translation>Mått</translation>
    </message>
    <message>
      <source>Metric CRS for computing (optional, default: chosen from the area)</source>
      <translation>Metriskt koordinatsystem för beräkningar (valfritt, standard: väljs efter området)</translation>
    </message>
    <message>
      <source>Metric CRS used</source>
      <translation>Metriskt koordinatsystem som användes</translation>
    </message>
    <message>
      <source>Name of the last row (the whole grid)</source>
      <translation>Namn på sista raden (hela rutnätet)</translation>
    </message>
    <message>
      <source>New destinations</source>
      <translation>Nya målpunkter</translation>
    </message>
    <message>
      <source>New destinations (points: category, name)</source>
      <translation>Nya målpunkter (punkter: category, name)</translation>
    </message>
    <message>
      <source>New green spaces</source>
      <translation>Nya grönytor</translation>
    </message>
    <message>
      <source>New green spaces (polygons: public, kind)</source>
      <translation>Nya grönytor (polygoner: public, kind)</translation>
    </message>
    <message>
      <source>New paths</source>
      <translation>Nya gångvägar</translation>
    </message>
    <message>
      <source>New paths (lines: name, lit, kind, crossing)</source>
      <translation>Nya gångvägar (linjer: name, lit, kind, crossing)</translation>
    </message>
    <message>
      <source>New street lamps</source>
      <translation>Nya gatlampor</translation>
    </message>
    <message>
      <source>New street lamps (points)</source>
      <translation>Nya gatlampor (punkter)</translation>
    </message>
    <message>
      <source>OSM buildings (estimate: residential floor area)</source>
      <translation>OSM-byggnader (uppskattning: bostadsyta)</translation>
    </message>
    <message>
      <source>OSM file that was read</source>
      <translation>OSM-fil som lästes</translation>
    </message>
    <message>
      <source>Only the cells that change were written: run the scenario with 'Write only what changes' unticked for the council layout.</source>
      <translation>Bara de rutor som ändras skrevs: kör scenariot med 'Skriv bara det som ändras' avmarkerat för att få layouten för nämnden.</translation>
    </message>
    <message>
      <source>Only with the output folder of a geoplan run that saved its baseline.</source>
      <translation>Bara med utdatamappen från en geoplan-körning som har sparat sitt nuläge.</translation>
    </message>
    <message>
      <source>OpenStreetMap file (.osm, .osm.pbf, .osm.bz2)</source>
      <translation>OpenStreetMap-fil (.osm, .osm.pbf, .osm.bz2)</translation>
    </message>
    <message>
      <source>OpenStreetMap file (without a pipeline file)</source>
      <translation>OpenStreetMap-fil (utan pipelinefil)</translation>
    </message>
    <message>
      <source>OpenStreetMap files</source>
      <translation>OpenStreetMap-filer</translation>
    </message>
    <message>
      <source>Output folder</source>
      <translation>Utdatamapp</translation>
    </message>
    <message>
      <source>Output folder (default: a new temporary folder)</source>
      <translation>Utdatamapp (standard: en ny tillfällig mapp)</translation>
    </message>
    <message>
      <source>Output folder of a geoplan run</source>
      <translation>Utdatamapp från en geoplan-körning</translation>
    </message>
    <message>
      <source>Output folder of a geoplan run or scenario</source>
      <translation>Utdatamapp från en geoplan-körning eller ett scenario</translation>
    </message>
    <message>
      <source>Output folder of a geoplan run, or a pipeline file (.toml)</source>
      <translation>Utdatamapp från en geoplan-körning, eller en pipelinefil (.toml)</translation>
    </message>
    <message>
      <source>Outputs written to {folder}</source>
      <translation>Utdata skrivna till {folder}</translation>
    </message>
    <message>
      <source>PDF files</source>
      <translation>PDF-filer</translation>
    </message>
    <message>
      <source>PNG images</source>
      <translation>PNG-bilder</translation>
    </message>
    <message>
      <source>Pipeline file (TOML; optional)</source>
      <translation>Pipelinefil (TOML; valfri)</translation>
    </message>
    <message>
      <source>Pipeline files</source>
      <translation>Pipelinefiler</translation>
    </message>
    <message>
      <source>Pipelines and runs</source>
      <translation>Pipelines och körningar</translation>
    </message>
    <message>
      <source>Population grid (file below)</source>
      <translation>Befolkningsrutnät (fil nedan)</translation>
    </message>
    <message>
      <source>Population grid (vector grid or GeoTIFF; optional)</source>
      <translation>Befolkningsrutnät (vektorrutnät eller GeoTIFF; valfritt)</translation>
    </message>
    <message>
      <source>Population source</source>
      <translation>Befolkningskälla</translation>
    </message>
    <message>
      <source>Public green space (ha)</source>
      <translation>Allmän grönyta (ha)</translation>
    </message>
    <message>
      <source>QGIS's Python lacks {modules}.</source>
      <translation>QGIS Python saknar {modules}.</translation>
    </message>
    <message>
      <source>QGIS's language</source>
      <translation>QGIS språk</translation>
    </message>
    <message>
      <source>Ranks several scenarios of the same baseline side by side: for every measure of the change tables (whole study area) the change of each scenario and its rank (1 = best, where the measure has a better direction), and a last row with each scenario's mean rank. Give the output folders of 'Run a scenario'.</source>
      <translation>Rangordnar flera scenarier med samma nuläge sida vid sida: för varje mått i förändringstabellerna (hela analysområdet) varje scenarios förändring och dess rang (1 = bäst, där måttet har en bättre riktning), och en sista rad med varje scenarios medelrang. Ange utdatamapparna från 'Kör ett scenario'.</translation>
    </message>
    <message>
      <source>Reads an OpenStreetMap extract and summarises what it holds inside the study area: the walkable network and how much of it is lit, dark or of unknown lighting (and why), street lamps, green space, destinations, buildings and how connected the network is. Run it first to judge whether the data are good enough for the analysis.

The study area is optional (default: the whole extract); with 'Selected features only' just the selected polygons count. The CRS is chosen from the country unless you give one. A lamp register (GeoPackage, GeoJSON, shapefile, or CSV with coordinate columns and its CRS) adds to the lamps mapped in OSM or replaces them.

Every number is also an output of its own, for use in models. The same summary as 'geoplan inspect FILE --json'. Data © OpenStreetMap contributors (ODbL).</source>
      <translation>Läser ett OpenStreetMap-utdrag och sammanfattar vad det innehåller inom analysområdet: det gångbara nätet och hur stor del av det som är belyst, mörkt eller har okänd belysning (och varför), gatlampor, grönytor, målpunkter, byggnader och hur sammanhängande nätet är. Kör den först för att bedöma om data räcker för analysen.

Analysområdet är valfritt (standard: hela utdraget); med 'Endast valda objekt' räknas bara de valda polygonerna. Koordinatsystemet väljs efter landet om du inte anger ett. Ett register över gatlampor (GeoPackage, GeoJSON, shapefil eller CSV med koordinatkolumner och deras koordinatsystem) läggs till lamporna i OSM eller ersätter dem.

Varje tal är också en egen utdata som kan användas i modeller. Samma sammanfattning som 'geoplan inspect FIL --json'. Data © OpenStreetMap-bidragsgivare (ODbL).</translation>
    </message>
    <message>
      <source>Report (JSON or HTML)</source>
      <translation>Rapport (JSON eller HTML)</translation>
    </message>
    <message>
      <source>Reports</source>
      <translation>Rapporter</translation>
    </message>
    <message>
      <source>Residents column of the population grid</source>
      <translation>Kolumnen med invånare i befolkningsrutnätet</translation>
    </message>
    <message>
      <source>Residents in the study area</source>
      <translation>Invånare i analysområdet</translation>
    </message>
    <message>
      <source>Resolution (dpi)</source>
      <translation>Upplösning (dpi)</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>Kör</translation>
    </message>
    <message>
      <source>Run a scenario</source>
      <translation>Kör ett scenario</translation>
    </message>
    <message>
      <source>Running the scenario…</source>
      <translation>Kör scenariot…</translation>
    </message>
    <message>
      <source>Runs geoplan on a study area and writes a GeoPackage (geoplan.gpkg) whose layers open styled: the grid with population and every indicator per cell (walking distance and number of destinations within reach, access after dark on lit paths only, public green space, lighting, dark stretches, tunnels, eyes on the street and the safety index with its data confidence), the walk network with lighting, the destinations, green space and, with areas to summarise by, the population-weighted area summaries.

Either give a pipeline file (TOML, as for 'geoplan run'), or an OpenStreetMap file and the study area, cell size and population source. With a pipeline file, the study area, cell size, population source and areas given here replace the file's. The pipeline as run is saved as pipeline.toml in the output folder, with provenance.json and the data quality report. Data © OpenStreetMap contributors (ODbL).</source>
      <translation>Kör geoplan på ett analysområde och skriver ett GeoPackage (geoplan.gpkg) vars lager öppnas med färdig stil: rutnätet med befolkning och varje indikator per ruta (gångavstånd och antal målpunkter inom räckhåll, tillgänglighet efter mörkrets inbrott på enbart belysta vägar, allmän grönyta, belysning, mörka sträckor, tunnlar, ögon på gatan och trygghetsindexet med dess datakvalitet), gångnätet med belysning, målpunkterna, grönytorna och, om du anger områden att sammanfatta efter, de befolkningsviktade områdessammanfattningarna.

Ange antingen en pipelinefil (TOML, som för 'geoplan run') eller en OpenStreetMap-fil samt analysområde, rutstorlek och befolkningskälla. Med en pipelinefil ersätter analysområde, rutstorlek, befolkningskälla och områden som anges här filens. Pipelinen som den kördes sparas som pipeline.toml i utdatamappen, tillsammans med provenance.json och rapporten om datakvalitet. Data © OpenStreetMap-bidragsgivare (ODbL).</translation>
    </message>
    <message>
      <source>Scenario</source>
      <translation>Scenario</translation>
    </message>
    <message>
      <source>Scenario GeoPackage (optional)</source>
      <translation>Scenario-GeoPackage (valfri)</translation>
    </message>
    <message>
      <source>Scenario compared with the baseline</source>
      <translation>Scenariot jämfört med nuläget</translation>
    </message>
    <message>
      <source>Scenario name</source>
      <translation>Scenariots namn</translation>
    </message>
    <message>
      <source>Scenario name (optional)</source>
      <translation>Scenariots namn (valfritt)</translation>
    </message>
    <message>
      <source>Scenario panel</source>
      <translation>Scenariopanel</translation>
    </message>
    <message>
      <source>Scenario runs: the changes.csv of each run's output folder</source>
      <translation>Scenariokörningar: changes.csv i varje körnings utdatamapp</translation>
    </message>
    <message>
      <source>Scenario {name}: {n} edits</source>
      <translation>Scenario {name}: {n} ändringar</translation>
    </message>
    <message>
      <source>Scenarios</source>
      <translation>Scenarier</translation>
    </message>
    <message>
      <source>Share of the walk network in its largest part (0-1)</source>
      <translation>Andel av gångnätet i dess största sammanhängande del (0–1)</translation>
    </message>
    <message>
      <source>Share of the walkable network that is dark (0-1)</source>
      <translation>Andel av det gångbara nätet som är mörkt (0–1)</translation>
    </message>
    <message>
      <source>Share of the walkable network that is lit (0-1)</source>
      <translation>Andel av det gångbara nätet som är belyst (0–1)</translation>
    </message>
    <message>
      <source>Share of the walkable network with unknown lighting (0-1)</source>
      <translation>Andel av det gångbara nätet med okänd belysning (0–1)</translation>
    </message>
    <message>
      <source>Show how to fix it</source>
      <translation>Visa hur det åtgärdas</translation>
    </message>
    <message>
      <source>Shows what a proposal changes and for whom. The baseline is a pipeline file or the output folder of a geoplan run; the proposal is a scenario GeoPackage (saved by the geoplan scenario panel) and/or layers drawn in QGIS: new paths (lines; fields lit = yes/no, kind, crossing = bridge/tunnel, name), new street lamps (points), densification blocks (polygons with dwellings, residents or floor_area_m2), new green spaces (polygons; public, kind) and new destinations (points; category such as school or grocery). 'Selected features only' works for each of them.

Writes geoplan.gpkg with the grid after the scenario, grid_change and areas_change (before, after and change of every indicator; styled with diverging colours) and the change table changes.csv / changes.xlsx (one row per area and measure, in plain words). 'Write only what changes' (for trying proposals one after another on a run folder's saved baseline) writes only the cells and areas that change and changes.csv, in well under a second on a large municipality: no grid after the scenario, no council layout. Data © OpenStreetMap contributors (ODbL).</source>
      <translation>Visar vad ett förslag förändrar och för vem. Nuläget är en pipelinefil eller utdatamappen från en geoplan-körning; förslaget är ett scenario-GeoPackage (sparat från geoplans scenariopanel) och/eller lager ritade i QGIS: nya gångvägar (linjer; fälten lit = yes/no, kind, crossing = bridge/tunnel, name), nya gatlampor (punkter), förtätningskvarter (polygoner med dwellings, residents eller floor_area_m2, dvs. bostäder, boende eller bruttoarea), nya grönytor (polygoner; public, kind) och nya målpunkter (punkter; category, t.ex. school eller grocery). 'Endast valda objekt' fungerar för vart och ett av dem.

Skriver geoplan.gpkg med rutnätet efter scenariot, grid_change och areas_change (före, efter och förändring för varje indikator; med divergerande färgskala) och förändringstabellen changes.csv / changes.xlsx (en rad per område och mått, i klartext). 'Skriv bara det som ändras' (för att pröva förslag efter varandra på en körnings sparade nuläge) skriver bara de rutor och områden som ändras och changes.csv, på långt under en sekund även i en stor kommun: inget rutnät efter scenariot, ingen layout för nämnden. Data © OpenStreetMap-bidragsgivare (ODbL).</translation>
    </message>
    <message>
      <source>Street lamp register (optional)</source>
      <translation>Register över gatlampor (valfritt)</translation>
    </message>
    <message>
      <source>Street lamps from the lamp register</source>
      <translation>Gatlampor från lampregistret</translation>
    </message>
    <message>
      <source>Street lamps mapped in OSM</source>
      <translation>Gatlampor karterade i OSM</translation>
    </message>
    <message>
      <source>Study area</source>
      <translation>Analysområde</translation>
    </message>
    <message>
      <source>Study area (km²)</source>
      <translation>Analysområde (km²)</translation>
    </message>
    <message>
      <source>Study area (polygons; optional, default: the whole file)</source>
      <translation>Analysområde (polygoner; valfritt, standard: hela filen)</translation>
    </message>
    <message>
      <source>Study area instead of the baseline's (polygons; optional)</source>
      <translation>Analysområde i stället för nulägets (polygoner; valfritt)</translation>
    </message>
    <message>
      <source>Summarise by area</source>
      <translation>Sammanfatta per område</translation>
    </message>
    <message>
      <source>Summarises a geoplan grid (the 'grid' layer of geoplan.gpkg, or the grid output of 'Compute … layers') by any polygon layer, e.g. the municipality's districts or its vulnerable areas: per area the residents (pop) and cells. Measures of residents are population-weighted: the share of residents (yes/no fields, '…_pop_share'), the median (distances) or the mean. Measures of the paths (lit share, lamps per km) are weighted by path length and measures of the place (safety index, junctions) by area, so an area without residents still has them; their mean over residents stands beside them ('…_pop_mean'). A last row summarises the whole grid, for comparison.

Residents of a cell that lies partly in an area count with the share of the cell inside it. With 'Selected features only' just the selected areas are summarised.</source>
      <translation>Sammanfattar ett geoplan-rutnät (lagret 'grid' i geoplan.gpkg, eller rutnätsutdata från 'Beräkna lager för …') efter ett valfritt polygonlager, t.ex. kommunens stadsdelar eller dess utsatta områden: per område de boende (pop) och rutorna. Mått på de boende är befolkningsviktade: andelen boende (ja/nej-fält, '…_pop_share'), medianen (avstånd) eller medelvärdet. Mått på vägarna (belyst andel, gatlampor per km) viktas efter väglängd och mått på platsen (trygghetsindex, korsningar) efter yta, så att ett område utan boende ändå har dem; deras medelvärde över de boende står bredvid ('…_pop_mean'). En sista rad sammanfattar hela rutnätet, som jämförelse.

Boende i en ruta som ligger delvis i ett område räknas med den andel av rutan som ligger inom området. Med 'Endast valda objekt' sammanfattas bara de valda områdena.</translation>
    </message>
    <message>
      <source>Summary of the OSM file</source>
      <translation>Sammanfattning av OSM-filen</translation>
    </message>
    <message>
      <source>The baseline {path} is neither a pipeline file (.toml) nor the output folder of a geoplan run (with provenance.json): choose one of them.</source>
      <translation>Nuläget {path} är varken en pipelinefil (.toml) eller utdatamappen från en geoplan-körning (med provenance.json): välj en av dem.</translation>
    </message>
    <message>
      <source>The first headline indicator the scenario changes</source>
      <translation>Den första huvudindikatorn som scenariot ändrar</translation>
    </message>
    <message>
      <source>The geoplan Processing provider is not loaded: enable the geoplan plugin.</source>
      <translation>geoplans Processing-leverantör är inte inläst: aktivera geoplan-insticksprogrammet.</translation>
    </message>
    <message>
      <source>The population source is a population grid: choose its file under 'Population grid'.</source>
      <translation>Befolkningskällan är ett befolkningsrutnät: välj dess fil under 'Befolkningsrutnät'.</translation>
    </message>
    <message>
      <source>The run is a scenario</source>
      <translation>Körningen är ett scenario</translation>
    </message>
    <message>
      <source>The scenario did not run: {error}</source>
      <translation>Scenariot kördes inte: {error}</translation>
    </message>
    <message>
      <source>The scenario has no change of '{indicator}': choose one of {options}.</source>
      <translation>Scenariot har ingen förändring av '{indicator}': välj en av {options}.</translation>
    </message>
    <message>
      <source>Title (optional, default: the study's title)</source>
      <translation>Titel (valfri, standard: studiens titel)</translation>
    </message>
    <message>
      <source>Title of the study (optional)</source>
      <translation>Studiens titel (valfri)</translation>
    </message>
    <message>
      <source>Tunnels and underpasses (km)</source>
      <translation>Tunnlar och gångtunnlar (km)</translation>
    </message>
    <message>
      <source>Tunnels and underpasses (tunnel edges sharing a node are one)</source>
      <translation>Tunnlar och gångtunnlar (tunneldelar som möts räknas som en)</translation>
    </message>
    <message>
      <source>Unit</source>
      <translation>Enhet</translation>
    </message>
    <message>
      <source>Use the register alone</source>
      <translation>Använd enbart registret</translation>
    </message>
    <message>
      <source>Walk from a cell's starting point to its path, longest (m)</source>
      <translation>Gång från rutans startpunkt till närmaste väg, längsta (m)</translation>
    </message>
    <message>
      <source>Walk from a cell's starting point to its path, median (m)</source>
      <translation>Gång från rutans startpunkt till närmaste väg, median (m)</translation>
    </message>
    <message>
      <source>Walk network</source>
      <translation>Gångnät</translation>
    </message>
    <message>
      <source>Walk network: connected parts</source>
      <translation>Gångnät: sammanhängande delar</translation>
    </message>
    <message>
      <source>Walk network: edges</source>
      <translation>Gångnät: länkar</translation>
    </message>
    <message>
      <source>Walk network: nodes</source>
      <translation>Gångnät: noder</translation>
    </message>
    <message>
      <source>Walkable network (km)</source>
      <translation>Gångbart nät (km)</translation>
    </message>
    <message>
      <source>Walkable network (km): {lit}, {source}</source>
      <translation>Gångbart nät (km): {lit}, {source}</translation>
    </message>
    <message>
      <source>Walkable network with unknown lighting (km)</source>
      <translation>Gångbart nät med okänd belysning (km)</translation>
    </message>
    <message>
      <source>Way node references missing from the extract</source>
      <translation>Nodreferenser i vägar som saknas i utdraget</translation>
    </message>
    <message>
      <source>Whole study area</source>
      <translation>Hela analysområdet</translation>
    </message>
    <message>
      <source>Write only what changes (fast, for trying proposals)</source>
      <translation>Skriv bara det som ändras (snabbt, för att pröva förslag)</translation>
    </message>
    <message>
      <source>area layer</source>
      <translation>områdeslagret</translation>
    </message>
    <message>
      <source>at grade</source>
      <translation>i plan</translation>
    </message>
    <message>
      <source>bridge</source>
      <translation>bro</translation>
    </message>
    <message>
      <source>building the layout</source>
      <translation>bygger layouten</translation>
    </message>
    <message>
      <source>cancelled</source>
      <translation>avbruten</translation>
    </message>
    <message>
      <source>exporting</source>
      <translation>exporterar</translation>
    </message>
    <message>
      <source>geoplan and all its Python modules are available.</source>
      <translation>geoplan och alla dess Python-moduler finns.</translation>
    </message>
    <message>
      <source>geoplan cannot start: importing it in the Python that QGIS runs ({python}) failed: {error}</source>
      <translation>geoplan kan inte starta: importen i den Python som QGIS kör ({python}) misslyckades: {error}</translation>
    </message>
    <message>
      <source>geoplan cannot start: the Python that QGIS runs ({python}) lacks these modules, or has versions geoplan cannot use:</source>
      <translation>geoplan kan inte starta: den Python som QGIS kör ({python}) saknar dessa moduler eller har versioner som geoplan inte kan använda:</translation>
    </message>
    <message>
      <source>geoplan grid (with pop and indicators)</source>
      <translation>geoplan-rutnät (med pop och indikatorer)</translation>
    </message>
    <message>
      <source>geoplan scenario</source>
      <translation>geoplan-scenario</translation>
    </message>
    <message>
      <source>geoplan source folder</source>
      <translation>geoplans källmapp</translation>
    </message>
    <message>
      <source>geoplan: missing Python modules</source>
      <translation>geoplan: Python-moduler saknas</translation>
    </message>
    <message>
      <source>geoplan: walkability, lighting and safety layers for neighbourhood planning</source>
      <translation>geoplan: gångbarhet, belysning och trygghet för planering av stadsdelar</translation>
    </message>
    <message>
      <source>geoplan: {scenario}</source>
      <translation>geoplan: {scenario}</translation>
    </message>
    <message>
      <source>grid layer</source>
      <translation>rutnätslagret</translation>
    </message>
    <message>
      <source>importing geoplan failed: {error}</source>
      <translation>importen av geoplan misslyckades: {error}</translation>
    </message>
    <message>
      <source>no</source>
      <translation>nej</translation>
    </message>
    <message>
      <source>not installed</source>
      <translation>inte installerad</translation>
    </message>
    <message>
      <source>or install them into QGIS's own Python and restart QGIS:</source>
      <translation>eller installera dem i QGIS egen Python och starta om QGIS:</translation>
    </message>
    <message>
      <source>reading the grid</source>
      <translation>läser rutnätet</translation>
    </message>
    <message>
      <source>see the log panel</source>
      <translation>se loggpanelen</translation>
    </message>
    <message>
      <source>study area layer</source>
      <translation>lagret med analysområdet</translation>
    </message>
    <message>
      <source>summarising</source>
      <translation>sammanfattar</translation>
    </message>
    <message>
      <source>the parameters</source>
      <translation>parametrarna</translation>
    </message>
    <message>
      <source>the {what} has no CRS: set one in the layer's properties (Source &gt; Assigned coordinate reference system).</source>
      <translation>{what} har inget koordinatsystem: ange ett i lagrets egenskaper (Källa &gt; Tilldelat koordinatreferenssystem).</translation>
    </message>
    <message>
      <source>tunnel</source>
      <translation>tunnel</translation>
    </message>
    <message>
      <source>version {found} is too new</source>
      <translation>version {found} är för ny</translation>
    </message>
    <message>
      <source>version {found} is too old</source>
      <translation>version {found} är för gammal</translation>
    </message>
    <message>
      <source>writing</source>
      <translation>skriver</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>ja</translation>
    </message>
    <message>
      <source>{file} has no pipeline: run geoplan again to rewrite it.</source>
      <translation>{file} saknar pipeline: kör geoplan igen för att skriva om den.</translation>
    </message>
    <message>
      <source>{gpkg} has no layer '{layer}': give the folder of a geoplan run (geoplan.gpkg with a grid layer).</source>
      <translation>{gpkg} har inget lager '{layer}': ange mappen från en geoplan-körning (geoplan.gpkg med ett rutnätslager).</translation>
    </message>
    <message>
      <source>{layer}, feature {fid}: {error}</source>
      <translation>{layer}, objekt {fid}: {error}</translation>
    </message>
    <message>
      <source>{what}: {error}</source>
      <translation>{what}: {error}</translation>
    </message>
  </context>
</TS>
