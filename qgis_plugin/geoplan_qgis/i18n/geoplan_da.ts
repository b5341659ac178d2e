<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="da_DK" sourcelanguage="en_GB">
  <context>
    <name>geoplan</name>
    <message>
      <source>+ {n} more changes: see changes.xlsx</source>
      <translation>+ {n} ændringer mere: se changes.xlsx</translation>
    </message>
    <message>
      <source>Add the register to OSM's lamps</source>
      <translation>Føj registret til lamperne i OSM</translation>
    </message>
    <message>
      <source>After</source>
      <translation>Efter</translation>
    </message>
    <message>
      <source>All files</source>
      <translation>Alle filer</translation>
    </message>
    <message>
      <source>Also write grid.tif (one band per indicator)</source>
      <translation>Skriv også grid.tif (ét bånd pr. indikator)</translation>
    </message>
    <message>
      <source>Analysis</source>
      <translation>Analyse</translation>
    </message>
    <message>
      <source>Area</source>
      <translation>Område</translation>
    </message>
    <message>
      <source>Area code field</source>
      <translation>Felt med områdekode</translation>
    </message>
    <message>
      <source>Area name field (optional)</source>
      <translation>Felt med områdenavn (valgfrit)</translation>
    </message>
    <message>
      <source>Area summaries</source>
      <translation>Områdeopsummeringer</translation>
    </message>
    <message>
      <source>Areas cut by the extract's edge, dropped</source>
      <translation>Arealer, der skæres af udtrækkets kant, udeladt</translation>
    </message>
    <message>
      <source>Areas cut by the extract's edge, kept</source>
      <translation>Arealer, der skæres af udtrækkets kant, beholdt</translation>
    </message>
    <message>
      <source>Areas to summarise by (polygons)</source>
      <translation>Områder at opsummere efter (polygoner)</translation>
    </message>
    <message>
      <source>Areas to summarise by (polygons; optional)</source>
      <translation>Områder at opsummere efter (polygoner; valgfrit)</translation>
    </message>
    <message>
      <source>As in the pipeline file (default 100 m)</source>
      <translation>Som i pipelinefilen (standard 100 m)</translation>
    </message>
    <message>
      <source>As in the pipeline file (default: OSM buildings)</source>
      <translation>Som i pipelinefilen (standard: OSM-bygninger)</translation>
    </message>
    <message>
      <source>As in the pipeline file, else QGIS's language</source>
      <translation>Som i pipelinefilen, ellers QGIS' sprog</translation>
    </message>
    <message>
      <source>Baseline</source>
      <translation>Udgangspunkt</translation>
    </message>
    <message>
      <source>Baseline: pipeline file (.toml), or provenance.json / geoplan.gpkg of a run's output folder</source>
      <translation>Udgangspunkt: pipelinefil (.toml), eller provenance.json / geoplan.gpkg i en kørsels outputmappe</translation>
    </message>
    <message>
      <source>Before</source>
      <translation>Før</translation>
    </message>
    <message>
      <source>Build walk network</source>
      <translation>Byg gangnet</translation>
    </message>
    <message>
      <source>Buildings</source>
      <translation>Bygninger</translation>
    </message>
    <message>
      <source>Buildings with a known number of floors</source>
      <translation>Bygninger med kendt antal etager</translation>
    </message>
    <message>
      <source>Buildings: {use}</source>
      <translation>Bygninger: {use}</translation>
    </message>
    <message>
      <source>Builds an A3 print layout of a geoplan run for the council and exports it as PDF and PNG. For a scenario (its output folder has grid_change and changes.csv): before, after and change maps of one indicator — before and after on the same classes, the change on diverging colours with a neutral 'no change' class — and the change table. For a baseline run: the headline maps (safety index, walking distance to a grocery store, lighting of the network) and the area summaries when there are any.

Every layout has a title, a legend per map, a scale bar, a north arrow, the date and the data sources with © OpenStreetMap contributors.</source>
      <translation>Bygger et udskriftslayout i A3 af en geoplan-kørsel til udvalget og eksporterer det som PDF og PNG. For et scenarie (dets outputmappe har grid_change og changes.csv): kort før, efter og med ændringen for én indikator — før og efter med de samme klasser, ændringen med divergerende farver og en neutral klasse 'ingen ændring' — samt ændringstabellen. For en kørsel af udgangspunktet: hovedkortene (tryghedsindeks, gangafstand til dagligvarebutik, nettets belysning) og områdeopsummeringerne, hvis der er nogen.

Hvert layout har en titel, en signaturforklaring pr. kort, en målestok, en nordpil, datoen og datakilderne med © OpenStreetMap-bidragydere.</translation>
    </message>
    <message>
      <source>Builds the walk network geoplan computes on from an OpenStreetMap extract: one line per walkable edge with its length (length_m), lighting (lit = yes / no / unknown) and where the lighting comes from (lit_source = tag / lamps / assumed / none), the share of the edge within reach of a street lamp (lamp_share), tunnel and bridge (1 = yes), highway type, name and surface.

Unknown lighting is reported as unknown, never as lit or dark. The study area is optional (default: the whole extract); with 'Selected features only' just the selected polygons count. A lamp register adds to the lamps mapped in OSM or replaces them. Data © OpenStreetMap contributors (ODbL).</source>
      <translation>Bygger det gangnet, som geoplan regner på, ud fra et OpenStreetMap-udtræk: én linje pr. gangbar kant med dens længde (length_m), belysning (lit = yes / no / unknown, dvs. ja / nej / ukendt) og hvor oplysningen om belysning kommer fra (lit_source = tag / lamps / assumed / none, dvs. tag / gadelamper / antaget / ingen), andelen af kanten inden for rækkevidde af en gadelampe (lamp_share), tunnel og bro (1 = ja), vejtype, navn og belægning.

Ukendt belysning angives som ukendt, aldrig som belyst eller mørk. Analyseområdet er valgfrit (standard: hele udtrækket); med 'Kun valgte objekter' tæller kun de valgte polygoner. Et register over gadelamper føjes til lamperne i OSM eller erstatter dem. Data © OpenStreetMap-bidragydere (ODbL).</translation>
    </message>
    <message>
      <source>CRS of a CSV lamp register (e.g. EPSG:3006)</source>
      <translation>Koordinatsystem for et lampregister i CSV (f.eks. EPSG:3006)</translation>
    </message>
    <message>
      <source>CSV files</source>
      <translation>CSV-filer</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Annullér</translation>
    </message>
    <message>
      <source>Cancelled.</source>
      <translation>Annulleret.</translation>
    </message>
    <message>
      <source>Cancelling…</source>
      <translation>Annullerer…</translation>
    </message>
    <message>
      <source>Change</source>
      <translation>Ændring</translation>
    </message>
    <message>
      <source>Change per area</source>
      <translation>Ændring pr. område</translation>
    </message>
    <message>
      <source>Change per cell</source>
      <translation>Ændring pr. celle</translation>
    </message>
    <message>
      <source>Change table (CSV)</source>
      <translation>Ændringstabel (CSV)</translation>
    </message>
    <message>
      <source>Choose the area code field of the areas to summarise by.</source>
      <translation>Vælg feltet med områdekoden i områderne at opsummere efter.</translation>
    </message>
    <message>
      <source>Choose the baseline: the output folder of a geoplan run or a pipeline file.</source>
      <translation>Vælg udgangspunktet: outputmappen fra en geoplan-kørsel eller en pipelinefil.</translation>
    </message>
    <message>
      <source>Compare scenarios</source>
      <translation>Sammenlign scenarier</translation>
    </message>
    <message>
      <source>Comparison (CSV)</source>
      <translation>Sammenligning (CSV)</translation>
    </message>
    <message>
      <source>Comparison table</source>
      <translation>Sammenligningstabel</translation>
    </message>
    <message>
      <source>Compute accessibility, green, safety and night-access layers</source>
      <translation>Beregn lag for tilgængelighed, grønt, tryghed og adgang i mørke</translation>
    </message>
    <message>
      <source>Could not write {path} ({error}): choose a folder you can write to.</source>
      <translation>Kunne ikke skrive {path} ({error}): vælg en mappe, du kan skrive i.</translation>
    </message>
    <message>
      <source>Council layout</source>
      <translation>Layout til udvalget</translation>
    </message>
    <message>
      <source>Council layout written: {files}</source>
      <translation>Layout til udvalget skrevet: {files}</translation>
    </message>
    <message>
      <source>Council layout…</source>
      <translation>Layout til udvalget…</translation>
    </message>
    <message>
      <source>Cycleways without a foot tag walked on</source>
      <translation>Cykelstier uden foot-tag, der regnes som gangbare</translation>
    </message>
    <message>
      <source>Dark walkable network (km)</source>
      <translation>Mørkt gangbart net (km)</translation>
    </message>
    <message>
      <source>Data attribution</source>
      <translation>Kildeangivelse for data</translation>
    </message>
    <message>
      <source>Data sources</source>
      <translation>Datakilder</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>Dato</translation>
    </message>
    <message>
      <source>Densification (new homes)</source>
      <translation>Fortætning (nye boliger)</translation>
    </message>
    <message>
      <source>Densification blocks (polygons: dwellings, residents or floor_area_m2)</source>
      <translation>Fortætningskarréer (polygoner: dwellings, residents eller floor_area_m2)</translation>
    </message>
    <message>
      <source>Destinations</source>
      <translation>Destinationer</translation>
    </message>
    <message>
      <source>Destinations mapped as lines (platforms)</source>
      <translation>Mål kortlagt som linjer (perroner)</translation>
    </message>
    <message>
      <source>Destinations: {category}</source>
      <translation>Destinationer: {category}</translation>
    </message>
    <message>
      <source>Done: {folder}</source>
      <translation>Færdig: {folder}</translation>
    </message>
    <message>
      <source>Draw on the map, then fill in the attributes. {layer}</source>
      <translation>Tegn på kortet, og udfyld derefter attributterne. {layer}</translation>
    </message>
    <message>
      <source>Draw the proposal:</source>
      <translation>Tegn forslaget:</translation>
    </message>
    <message>
      <source>EPSG code of the metric CRS used</source>
      <translation>EPSG-kode for det anvendte metriske koordinatsystem</translation>
    </message>
    <message>
      <source>Export council layout (PDF and PNG)</source>
      <translation>Eksportér layout til udvalget (PDF og PNG)</translation>
    </message>
    <message>
      <source>Fix: close QGIS, then set geoplan up and start QGIS with its libraries (in a terminal):</source>
      <translation>Løsning: luk QGIS, installer derefter geoplan og start QGIS med dets biblioteker (i en terminal):</translation>
    </message>
    <message>
      <source>Fix: install them into QGIS's own Python (in a terminal), then restart QGIS:</source>
      <translation>Løsning: installer dem i QGIS' egen Python (i en terminal), og genstart derefter QGIS:</translation>
    </message>
    <message>
      <source>Fix: press "Install missing modules" on QGIS's message bar (geoplan asks first and installs only what QGIS lacks), or in a terminal (the OSGeo4W Shell on Windows) run, then restart QGIS:</source>
      <translation>Løsning: tryk på "Installer manglende moduler" i QGIS' meddelelseslinje (geoplan spørger først og installerer kun det, QGIS mangler), eller kør i en terminal (OSGeo4W Shell på Windows) og genstart derefter QGIS:</translation>
    </message>
    <message>
      <source>GeoPackage with every layer</source>
      <translation>GeoPackage med alle lag</translation>
    </message>
    <message>
      <source>GeoPackages</source>
      <translation>GeoPackage-filer</translation>
    </message>
    <message>
      <source>Give a pipeline file or an OpenStreetMap file.</source>
      <translation>Angiv en pipelinefil eller en OpenStreetMap-fil.</translation>
    </message>
    <message>
      <source>Give a scenario GeoPackage or at least one layer of edits (new paths, lamps, densification, green spaces or destinations).</source>
      <translation>Angiv en scenarie-GeoPackage eller mindst ét lag med ændringer (nye stier, lamper, fortætning, grønne områder eller destinationer).</translation>
    </message>
    <message>
      <source>Give at least two scenario runs to compare.</source>
      <translation>Angiv mindst to scenariekørsler at sammenligne.</translation>
    </message>
    <message>
      <source>Green areas</source>
      <translation>Antal grønne områder</translation>
    </message>
    <message>
      <source>Green space</source>
      <translation>Grønne områder</translation>
    </message>
    <message>
      <source>Green space (ha, overlaps merged)</source>
      <translation>Grønne områder (ha, overlap samlet)</translation>
    </message>
    <message>
      <source>Grid cell size</source>
      <translation>Cellestørrelse</translation>
    </message>
    <message>
      <source>Grid cells</source>
      <translation>Celler</translation>
    </message>
    <message>
      <source>Grid with the scenario</source>
      <translation>Grid med scenariet</translation>
    </message>
    <message>
      <source>Grid: indicators per cell</source>
      <translation>Grid: indikatorer pr. celle</translation>
    </message>
    <message>
      <source>HTML files</source>
      <translation>HTML-filer</translation>
    </message>
    <message>
      <source>Headline indicators of the baseline</source>
      <translation>Udgangspunktets vigtigste indikatorer</translation>
    </message>
    <message>
      <source>Highway types not walked on (JSON: type and number of ways)</source>
      <translation>Vejtyper der ikke regnes som gangbare (JSON: type og antal veje)</translation>
    </message>
    <message>
      <source>Indicator of the scenario maps</source>
      <translation>Indikator for scenariekortene</translation>
    </message>
    <message>
      <source>Inputs</source>
      <translation>Inddata</translation>
    </message>
    <message>
      <source>Inspect OSM file</source>
      <translation>Undersøg OSM-fil</translation>
    </message>
    <message>
      <source>Install missing modules</source>
      <translation>Installer manglende moduler</translation>
    </message>
    <message>
      <source>Install these Python modules into {target} with QGIS's own Python? Nothing QGIS ships is replaced.</source>
      <translation>Installer disse Python-moduler i {target} med QGIS' egen Python? Intet, som følger med QGIS, erstattes.</translation>
    </message>
    <message>
      <source>Installing Python modules for geoplan…</source>
      <translation>Installerer Python-moduler til geoplan…</translation>
    </message>
    <message>
      <source>JSON files</source>
      <translation>JSON-filer</translation>
    </message>
    <message>
      <source>Lamp register and OSM lamps</source>
      <translation>Lampregister og lamper i OSM</translation>
    </message>
    <message>
      <source>Lamp registers</source>
      <translation>Registre over gadelamper</translation>
    </message>
    <message>
      <source>Language of the outputs</source>
      <translation>Sprog for output</translation>
    </message>
    <message>
      <source>Layer '{name}': {error}</source>
      <translation>Laget '{name}': {error}</translation>
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
      <translation>Belyst gangbart net (km)</translation>
    </message>
    <message>
      <source>Load the layers into the project</source>
      <translation>Indlæs lagene i projektet</translation>
    </message>
    <message>
      <source>Measure</source>
      <translation>Mål</translation>
    </message>
    <message>
      <source>Metric CRS for computing (optional, default: chosen from the area)</source>
      <translation>Metrisk koordinatsystem til beregninger (valgfrit, standard: vælges efter området)</translation>
    </message>
    <message>
      <source>Metric CRS used</source>
      <translation>Anvendt metrisk koordinatsystem</translation>
    </message>
    <message>
      <source>Name of the last row (the whole grid)</source>
      <translation>Navn på sidste række (hele griddet)</translation>
    </message>
    <message>
      <source>New destinations</source>
      <translation>Nye destinationer</translation>
    </message>
    <message>
      <source>New destinations (points: category, name)</source>
      <translation>Nye destinationer (punkter: category, name)</translation>
    </message>
    <message>
      <source>New green spaces</source>
      <translation>Nye grønne områder</translation>
    </message>
    <message>
      <source>New green spaces (polygons: public, kind)</source>
      <translation>Nye grønne områder (polygoner: public, kind)</translation>
    </message>
    <message>
      <source>New paths</source>
      <translation>Nye stier</translation>
    </message>
    <message>
      <source>New paths (lines: name, lit, kind, crossing)</source>
      <translation>Nye stier (linjer: name, lit, kind, crossing)</translation>
    </message>
    <message>
      <source>New street lamps</source>
      <translation>Nye gadelamper</translation>
    </message>
    <message>
      <source>New street lamps (points)</source>
      <translation>Nye gadelamper (punkter)</translation>
    </message>
    <message>
      <source>OSM buildings (estimate: residential floor area)</source>
      <translation>OSM-bygninger (skøn: boligareal)</translation>
    </message>
    <message>
      <source>OSM file that was read</source>
      <translation>OSM-fil, der blev læst</translation>
    </message>
    <message>
      <source>Only the cells that change were written: run the scenario with 'Write only what changes' unticked for the council layout.</source>
      <translation>Kun de celler, der ændres, blev skrevet: kør scenariet med 'Skriv kun det, der ændres' fravalgt for at få layoutet til udvalget.</translation>
    </message>
    <message>
      <source>Only with the output folder of a geoplan run that saved its baseline.</source>
      <translation>Kun med outputmappen fra en geoplan-kørsel, der har gemt sit udgangspunkt.</translation>
    </message>
    <message>
      <source>OpenStreetMap file (.osm, .osm.pbf, .osm.bz2)</source>
      <translation>OpenStreetMap-fil (.osm, .osm.pbf, .osm.bz2)</translation>
    </message>
    <message>
      <source>OpenStreetMap file (without a pipeline file)</source>
      <translation>OpenStreetMap-fil (uden pipelinefil)</translation>
    </message>
    <message>
      <source>OpenStreetMap files</source>
      <translation>OpenStreetMap-filer</translation>
    </message>
    <message>
      <source>Output folder</source>
      <translation>Outputmappe</translation>
    </message>
    <message>
      <source>Output folder (default: a new temporary folder)</source>
      <translation>Outputmappe (standard: en ny midlertidig mappe)</translation>
    </message>
    <message>
      <source>Output folder of a geoplan run</source>
      <translation>Outputmappe fra en geoplan-kørsel</translation>
    </message>
    <message>
      <source>Output folder of a geoplan run or scenario</source>
      <translation>Outputmappe fra en geoplan-kørsel eller et scenarie</translation>
    </message>
    <message>
      <source>Output folder of a geoplan run, or a pipeline file (.toml)</source>
      <translation>Outputmappe fra en geoplan-kørsel, eller en pipelinefil (.toml)</translation>
    </message>
    <message>
      <source>Outputs written to {folder}</source>
      <translation>Output skrevet til {folder}</translation>
    </message>
    <message>
      <source>PDF files</source>
      <translation>PDF-filer</translation>
    </message>
    <message>
      <source>PNG images</source>
      <translation>PNG-billeder</translation>
    </message>
    <message>
      <source>Pipeline file (TOML; optional)</source>
      <translation>Pipelinefil (TOML; valgfri)</translation>
    </message>
    <message>
      <source>Pipeline files</source>
      <translation>Pipelinefiler</translation>
    </message>
    <message>
      <source>Pipelines and runs</source>
      <translation>Pipelines og kørsler</translation>
    </message>
    <message>
      <source>Population grid (file below)</source>
      <translation>Befolkningsgrid (fil nedenfor)</translation>
    </message>
    <message>
      <source>Population grid (vector grid or GeoTIFF; optional)</source>
      <translation>Befolkningsgrid (vektorgrid eller GeoTIFF; valgfrit)</translation>
    </message>
    <message>
      <source>Population source</source>
      <translation>Befolkningskilde</translation>
    </message>
    <message>
      <source>Public green space (ha)</source>
      <translation>Offentlige grønne områder (ha)</translation>
    </message>
    <message>
      <source>QGIS's Python lacks {modules}.</source>
      <translation>QGIS' Python mangler {modules}.</translation>
    </message>
    <message>
      <source>QGIS's language</source>
      <translation>QGIS' sprog</translation>
    </message>
    <message>
      <source>Ranks several scenarios of the same baseline side by side: for every measure of the change tables (whole study area) the change of each scenario and its rank (1 = best, where the measure has a better direction), and a last row with each scenario's mean rank. Give the output folders of 'Run a scenario'.</source>
      <translation>Rangordner flere scenarier med samme udgangspunkt side om side: for hvert mål i ændringstabellerne (hele analyseområdet) hvert scenaries ændring og dets placering (1 = bedst, hvor målet har en bedre retning), og en sidste række med hvert scenaries gennemsnitlige placering. Angiv outputmapperne fra 'Kør et scenarie'.</translation>
    </message>
    <message>
      <source>Reads an OpenStreetMap extract and summarises what it holds inside the study area: the walkable network and how much of it is lit, dark or of unknown lighting (and why), street lamps, green space, destinations, buildings and how connected the network is. Run it first to judge whether the data are good enough for the analysis.

The study area is optional (default: the whole extract); with 'Selected features only' just the selected polygons count. The CRS is chosen from the country unless you give one. A lamp register (GeoPackage, GeoJSON, shapefile, or CSV with coordinate columns and its CRS) adds to the lamps mapped in OSM or replaces them.

Every number is also an output of its own, for use in models. The same summary as 'geoplan inspect FILE --json'. Data © OpenStreetMap contributors (ODbL).</source>
      <translation>Læser et OpenStreetMap-udtræk og sammenfatter, hvad det indeholder inden for analyseområdet: det gangbare net, og hvor meget af det der er belyst, mørkt eller har ukendt belysning (og hvorfor), gadelamper, grønne områder, destinationer, bygninger, og hvor sammenhængende nettet er. Kør den først for at vurdere, om data er gode nok til analysen.

Analyseområdet er valgfrit (standard: hele udtrækket); med 'Kun valgte objekter' tæller kun de valgte polygoner. Koordinatsystemet vælges efter landet, medmindre du angiver et. Et register over gadelamper (GeoPackage, GeoJSON, shapefil eller CSV med koordinatkolonner og deres koordinatsystem) føjes til lamperne i OSM eller erstatter dem.

Hvert tal er også et selvstændigt output til brug i modeller. Samme sammenfatning som 'geoplan inspect FIL --json'. Data © OpenStreetMap-bidragydere (ODbL).</translation>
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
      <translation>Kolonnen med indbyggere i befolkningsgriddet</translation>
    </message>
    <message>
      <source>Residents in the study area</source>
      <translation>Indbyggere i analyseområdet</translation>
    </message>
    <message>
      <source>Resolution (dpi)</source>
      <translation>Opløsning (dpi)</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>Kør</translation>
    </message>
    <message>
      <source>Run a scenario</source>
      <translation>Kør et scenarie</translation>
    </message>
    <message>
      <source>Running the scenario…</source>
      <translation>Kører scenariet…</translation>
    </message>
    <message>
      <source>Runs geoplan on a study area and writes a GeoPackage (geoplan.gpkg) whose layers open styled: the grid with population and every indicator per cell (walking distance and number of destinations within reach, access after dark on lit paths only, public green space, lighting, dark stretches, tunnels, eyes on the street and the safety index with its data confidence), the walk network with lighting, the destinations, green space and, with areas to summarise by, the population-weighted area summaries.

Either give a pipeline file (TOML, as for 'geoplan run'), or an OpenStreetMap file and the study area, cell size and population source. With a pipeline file, the study area, cell size, population source and areas given here replace the file's. The pipeline as run is saved as pipeline.toml in the output folder, with provenance.json and the data quality report. Data © OpenStreetMap contributors (ODbL).</source>
      <translation>Kører geoplan på et analyseområde og skriver en GeoPackage (geoplan.gpkg), hvis lag åbnes med færdig stil: gridet med befolkning og hver indikator pr. celle (gangafstand og antal destinationer inden for rækkevidde, adgang efter mørkets frembrud kun ad belyste stier, offentlige grønne områder, belysning, mørke strækninger, tunneler, øjne på gaden og tryghedsindekset med dets datakvalitet), gangnettet med belysning, destinationerne, de grønne områder og, hvis du angiver områder at opsummere efter, de befolkningsvægtede områdeopsummeringer.

Angiv enten en pipelinefil (TOML, som til 'geoplan run') eller en OpenStreetMap-fil samt analyseområde, cellestørrelse og befolkningskilde. Med en pipelinefil erstatter analyseområde, cellestørrelse, befolkningskilde og områder angivet her filens. Pipelinen, som den blev kørt, gemmes som pipeline.toml i outputmappen sammen med provenance.json og rapporten om datakvalitet. Data © OpenStreetMap-bidragydere (ODbL).</translation>
    </message>
    <message>
      <source>Scenario</source>
      <translation>Scenarie</translation>
    </message>
    <message>
      <source>Scenario GeoPackage (optional)</source>
      <translation>Scenarie-GeoPackage (valgfri)</translation>
    </message>
    <message>
      <source>Scenario compared with the baseline</source>
      <translation>Scenariet sammenlignet med udgangspunktet</translation>
    </message>
    <message>
      <source>Scenario name</source>
      <translation>Scenariets navn</translation>
    </message>
    <message>
      <source>Scenario name (optional)</source>
      <translation>Scenariets navn (valgfrit)</translation>
    </message>
    <message>
      <source>Scenario panel</source>
      <translation>Scenariepanel</translation>
    </message>
    <message>
      <source>Scenario runs: the changes.csv of each run's output folder</source>
      <translation>Scenariekørsler: changes.csv i hver kørsels outputmappe</translation>
    </message>
    <message>
      <source>Scenario {name}: {n} edits</source>
      <translation>Scenarie {name}: {n} ændringer</translation>
    </message>
    <message>
      <source>Scenarios</source>
      <translation>Scenarier</translation>
    </message>
    <message>
      <source>Share of the walk network in its largest part (0-1)</source>
      <translation>Andel af gangnettet i dets største sammenhængende del (0–1)</translation>
    </message>
    <message>
      <source>Share of the walkable network that is dark (0-1)</source>
      <translation>Andel af det gangbare net, der er mørkt (0–1)</translation>
    </message>
    <message>
      <source>Share of the walkable network that is lit (0-1)</source>
      <translation>Andel af det gangbare net, der er belyst (0–1)</translation>
    </message>
    <message>
      <source>Share of the walkable network with unknown lighting (0-1)</source>
      <translation>Andel af det gangbare net med ukendt belysning (0–1)</translation>
    </message>
    <message>
      <source>Show how to fix it</source>
      <translation>Vis, hvordan det løses</translation>
    </message>
    <message>
      <source>Shows what a proposal changes and for whom. The baseline is a pipeline file or the output folder of a geoplan run; the proposal is a scenario GeoPackage (saved by the geoplan scenario panel) and/or layers drawn in QGIS: new paths (lines; fields lit = yes/no, kind, crossing = bridge/tunnel, name), new street lamps (points), densification blocks (polygons with dwellings, residents or floor_area_m2), new green spaces (polygons; public, kind) and new destinations (points; category such as school or grocery). 'Selected features only' works for each of them.

Writes geoplan.gpkg with the grid after the scenario, grid_change and areas_change (before, after and change of every indicator; styled with diverging colours) and the change table changes.csv / changes.xlsx (one row per area and measure, in plain words). 'Write only what changes' (for trying proposals one after another on a run folder's saved baseline) writes only the cells and areas that change and changes.csv, in well under a second on a large municipality: no grid after the scenario, no council layout. Data © OpenStreetMap contributors (ODbL).</source>
      <translation>Viser, hvad et forslag ændrer, og for hvem. Udgangspunktet er en pipelinefil eller outputmappen fra en geoplan-kørsel; forslaget er en scenarie-GeoPackage (gemt fra geoplans scenariepanel) og/eller lag tegnet i QGIS: nye stier (linjer; felterne lit = yes/no, kind, crossing = bridge/tunnel, name), nye gadelamper (punkter), fortætningskarréer (polygoner med dwellings, residents eller floor_area_m2, dvs. boliger, beboere eller etageareal), nye grønne områder (polygoner; public, kind) og nye destinationer (punkter; category, f.eks. school eller grocery). 'Kun valgte objekter' virker for hver af dem.

Skriver geoplan.gpkg med gridet efter scenariet, grid_change og areas_change (før, efter og ændring for hver indikator; med divergerende farveskala) og ændringstabellen changes.csv / changes.xlsx (én række pr. område og mål, i klartekst). 'Skriv kun det, der ændres' (til at afprøve forslag efter hinanden på en kørsels gemte udgangspunkt) skriver kun de celler og områder, der ændres, og changes.csv, på langt under et sekund selv i en stor kommune: intet grid efter scenariet, intet layout til udvalget. Data © OpenStreetMap-bidragydere (ODbL).</translation>
    </message>
    <message>
      <source>Street lamp register (optional)</source>
      <translation>Register over gadelamper (valgfrit)</translation>
    </message>
    <message>
      <source>Street lamps from the lamp register</source>
      <translation>Gadelamper fra lampregistret</translation>
    </message>
    <message>
      <source>Street lamps mapped in OSM</source>
      <translation>Gadelamper kortlagt i OSM</translation>
    </message>
    <message>
      <source>Study area</source>
      <translation>Analyseområde</translation>
    </message>
    <message>
      <source>Study area (km²)</source>
      <translation>Analyseområde (km²)</translation>
    </message>
    <message>
      <source>Study area (polygons; optional, default: the whole file)</source>
      <translation>Analyseområde (polygoner; valgfrit, standard: hele filen)</translation>
    </message>
    <message>
      <source>Study area instead of the baseline's (polygons; optional)</source>
      <translation>Analyseområde i stedet for udgangspunktets (polygoner; valgfrit)</translation>
    </message>
    <message>
      <source>Summarise by area</source>
      <translation>Opsummér pr. område</translation>
    </message>
    <message>
      <source>Summarises a geoplan grid (the 'grid' layer of geoplan.gpkg, or the grid output of 'Compute … layers') by any polygon layer, e.g. the municipality's districts or its vulnerable areas: per area the residents (pop) and cells. Measures of residents are population-weighted: the share of residents (yes/no fields, '…_pop_share'), the median (distances) or the mean. Measures of the paths (lit share, lamps per km) are weighted by path length and measures of the place (safety index, junctions) by area, so an area without residents still has them; their mean over residents stands beside them ('…_pop_mean'). A last row summarises the whole grid, for comparison.

Residents of a cell that lies partly in an area count with the share of the cell inside it. With 'Selected features only' just the selected areas are summarised.</source>
      <translation>Opsummerer et geoplan-grid (laget 'grid' i geoplan.gpkg eller grid-outputtet fra 'Beregn lag for …') efter et vilkårligt polygonlag, f.eks. kommunens bydele eller dens udsatte områder: pr. område beboerne (pop) og cellerne. Mål for beboerne er befolkningsvægtede: andelen af beboere (ja/nej-felter, '…_pop_share'), medianen (afstande) eller gennemsnittet. Mål for stierne (belyst andel, gadelamper pr. km) vægtes efter stiernes længde og mål for stedet (tryghedsindeks, kryds) efter areal, så et område uden beboere stadig har dem; deres gennemsnit over beboerne står ved siden af ('…_pop_mean'). En sidste række opsummerer hele gridet til sammenligning.

Beboere i en celle, der ligger delvis i et område, tæller med den andel af cellen, der ligger inden for området. Med 'Kun valgte objekter' opsummeres kun de valgte områder.</translation>
    </message>
    <message>
      <source>Summary of the OSM file</source>
      <translation>Sammenfatning af OSM-filen</translation>
    </message>
    <message>
      <source>The baseline {path} is neither a pipeline file (.toml) nor the output folder of a geoplan run (with provenance.json): choose one of them.</source>
      <translation>Udgangspunktet {path} er hverken en pipelinefil (.toml) eller outputmappen fra en geoplan-kørsel (med provenance.json): vælg en af dem.</translation>
    </message>
    <message>
      <source>The first headline indicator the scenario changes</source>
      <translation>Den første hovedindikator, som scenariet ændrer</translation>
    </message>
    <message>
      <source>The geoplan Processing provider is not loaded: enable the geoplan plugin.</source>
      <translation>geoplans Processing-udbyder er ikke indlæst: aktivér geoplan-pluginet.</translation>
    </message>
    <message>
      <source>The population source is a population grid: choose its file under 'Population grid'.</source>
      <translation>Befolkningskilden er et befolkningsgrid: vælg dets fil under 'Befolkningsgrid'.</translation>
    </message>
    <message>
      <source>The run is a scenario</source>
      <translation>Kørslen er et scenarie</translation>
    </message>
    <message>
      <source>The scenario did not run: {error}</source>
      <translation>Scenariet blev ikke kørt: {error}</translation>
    </message>
    <message>
      <source>The scenario has no change of '{indicator}': choose one of {options}.</source>
      <translation>Scenariet har ingen ændring af '{indicator}': vælg en af {options}.</translation>
    </message>
    <message>
      <source>Title (optional, default: the study's title)</source>
      <translation>Titel (valgfri, standard: undersøgelsens titel)</translation>
    </message>
    <message>
      <source>Title of the study (optional)</source>
      <translation>Undersøgelsens titel (valgfri)</translation>
    </message>
    <message>
      <source>Tunnels and underpasses (km)</source>
      <translation>Tunneller og underføringer (km)</translation>
    </message>
    <message>
      <source>Tunnels and underpasses (tunnel edges sharing a node are one)</source>
      <translation>Tunneller og underføringer (tunneldele, der mødes, tælles som én)</translation>
    </message>
    <message>
      <source>Unit</source>
      <translation>Enhed</translation>
    </message>
    <message>
      <source>Use the register alone</source>
      <translation>Brug kun registret</translation>
    </message>
    <message>
      <source>Walk from a cell's starting point to its path, longest (m)</source>
      <translation>Gang fra cellens startpunkt til nærmeste vej, længste (m)</translation>
    </message>
    <message>
      <source>Walk from a cell's starting point to its path, median (m)</source>
      <translation>Gang fra cellens startpunkt til nærmeste vej, median (m)</translation>
    </message>
    <message>
      <source>Walk network</source>
      <translation>Gangnet</translation>
    </message>
    <message>
      <source>Walk network: connected parts</source>
      <translation>Gangnet: sammenhængende dele</translation>
    </message>
    <message>
      <source>Walk network: edges</source>
      <translation>Gangnet: kanter</translation>
    </message>
    <message>
      <source>Walk network: nodes</source>
      <translation>Gangnet: knuder</translation>
    </message>
    <message>
      <source>Walkable network (km)</source>
      <translation>Gangbart net (km)</translation>
    </message>
    <message>
      <source>Walkable network (km): {lit}, {source}</source>
      <translation>Gangbart net (km): {lit}, {source}</translation>
    </message>
    <message>
      <source>Walkable network with unknown lighting (km)</source>
      <translation>Gangbart net med ukendt belysning (km)</translation>
    </message>
    <message>
      <source>Way node references missing from the extract</source>
      <translation>Nodereferencer i veje, der mangler i udtrækket</translation>
    </message>
    <message>
      <source>Whole study area</source>
      <translation>Hele analyseområdet</translation>
    </message>
    <message>
      <source>Write only what changes (fast, for trying proposals)</source>
      <translation>Skriv kun det, der ændres (hurtigt, til at afprøve forslag)</translation>
    </message>
    <message>
      <source>area layer</source>
      <translation>områdelaget</translation>
    </message>
    <message>
      <source>at grade</source>
      <translation>i niveau</translation>
    </message>
    <message>
      <source>bridge</source>
      <translation>bro</translation>
    </message>
    <message>
      <source>building the layout</source>
      <translation>bygger layoutet</translation>
    </message>
    <message>
      <source>cancelled</source>
      <translation>annulleret</translation>
    </message>
    <message>
      <source>exporting</source>
      <translation>eksporterer</translation>
    </message>
    <message>
      <source>geoplan and all its Python modules are available.</source>
      <translation>geoplan og alle dets Python-moduler er tilgængelige.</translation>
    </message>
    <message>
      <source>geoplan cannot start: importing it in the Python that QGIS runs ({python}) failed: {error}</source>
      <translation>geoplan kan ikke starte: importen i den Python, som QGIS kører ({python}), mislykkedes: {error}</translation>
    </message>
    <message>
      <source>geoplan cannot start: the Python that QGIS runs ({python}) lacks these modules, or has versions geoplan cannot use:</source>
      <translation>geoplan kan ikke starte: den Python, som QGIS kører ({python}), mangler disse moduler eller har versioner, som geoplan ikke kan bruge:</translation>
    </message>
    <message>
      <source>geoplan grid (with pop and indicators)</source>
      <translation>geoplan-grid (med pop og indikatorer)</translation>
    </message>
    <message>
      <source>geoplan scenario</source>
      <translation>geoplan-scenarie</translation>
    </message>
    <message>
      <source>geoplan source folder</source>
      <translation>geoplans kildemappe</translation>
    </message>
    <message>
      <source>geoplan: missing Python modules</source>
      <translation>geoplan: Python-moduler mangler</translation>
    </message>
    <message>
      <source>geoplan: walkability, lighting and safety layers for neighbourhood planning</source>
      <translation>geoplan: gangvenlighed, belysning og tryghed til planlægning af bydele</translation>
    </message>
    <message>
      <source>geoplan: {scenario}</source>
      <translation>geoplan: {scenario}</translation>
    </message>
    <message>
      <source>grid layer</source>
      <translation>gridlaget</translation>
    </message>
    <message>
      <source>importing geoplan failed: {error}</source>
      <translation>importen af geoplan mislykkedes: {error}</translation>
    </message>
    <message>
      <source>no</source>
      <translation>nej</translation>
    </message>
    <message>
      <source>not installed</source>
      <translation>ikke installeret</translation>
    </message>
    <message>
      <source>or install them into QGIS's own Python and restart QGIS:</source>
      <translation>eller installer dem i QGIS' egen Python og genstart QGIS:</translation>
    </message>
    <message>
      <source>reading the grid</source>
      <translation>læser griddet</translation>
    </message>
    <message>
      <source>see the log panel</source>
      <translation>se logpanelet</translation>
    </message>
    <message>
      <source>study area layer</source>
      <translation>laget med analyseområdet</translation>
    </message>
    <message>
      <source>summarising</source>
      <translation>opsummerer</translation>
    </message>
    <message>
      <source>the parameters</source>
      <translation>parametrene</translation>
    </message>
    <message>
      <source>the {what} has no CRS: set one in the layer's properties (Source &gt; Assigned coordinate reference system).</source>
      <translation>{what} har intet koordinatsystem: angiv et i lagets egenskaber (Kilde &gt; Tildelt koordinatreferencesystem).</translation>
    </message>
    <message>
      <source>tunnel</source>
      <translation>tunnel</translation>
    </message>
    <message>
      <source>version {found} is too new</source>
      <translation>version {found} er for ny</translation>
    </message>
    <message>
      <source>version {found} is too old</source>
      <translation>version {found} er for gammel</translation>
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
      <translation>{file} har ingen pipeline: kør geoplan igen for at skrive den på ny.</translation>
    </message>
    <message>
      <source>{gpkg} has no layer '{layer}': give the folder of a geoplan run (geoplan.gpkg with a grid layer).</source>
      <translation>{gpkg} har intet lag '{layer}': angiv mappen fra en geoplan-kørsel (geoplan.gpkg med et gridlag).</translation>
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
