"""The help texts of the Processing algorithms in English, Swedish and Danish.

Keyed by the algorithm's ``name()``; :mod:`geoplan_qgis.i18n` adds them to its catalogue, from
which the Qt ``.ts``/``.qm`` files are generated. Keep ``'…'`` names of other algorithms and
options as the translated plugin shows them. Importing this module does not import QGIS.
"""

from __future__ import annotations

__all__ = ["HELP_TEXTS"]

_OSM = {"en": "Data © OpenStreetMap contributors (ODbL).",
        "sv": "Data © OpenStreetMap-bidragsgivare (ODbL).",
        "da": "Data © OpenStreetMap-bidragydere (ODbL)."}

HELP_TEXTS: dict[str, dict[str, str]] = {
    "network": {
        "en": "Builds the walk network geoplan computes on from an OpenStreetMap extract: one "
              "line per walkable edge with its length (length_m), lighting (lit = yes / no / "
              "unknown) and where the lighting comes from (lit_source = tag / lamps / assumed / "
              "none), the share of the edge within reach of a street lamp (lamp_share), tunnel "
              "and bridge (1 = yes), highway type, name and surface.\n\nUnknown lighting is "
              "reported as unknown, never as lit or dark. The study area is optional (default: "
              "the whole extract); with 'Selected features only' just the selected polygons "
              "count. A lamp register adds to the lamps mapped in OSM or replaces them. " + _OSM["en"],
        "sv": "Bygger det gångnät som geoplan räknar på ur ett OpenStreetMap-utdrag: en linje "
              "per gångbar länk med dess längd (length_m), belysning (lit = yes / no / unknown, "
              "dvs. ja / nej / okänd) och varifrån uppgiften om belysning kommer (lit_source = "
              "tag / lamps / assumed / none, dvs. tagg / gatlampor / antagen / ingen), andelen "
              "av länken inom räckhåll för en gatlampa (lamp_share), tunnel och bro (1 = ja), "
              "vägtyp, namn och beläggning.\n\nOkänd belysning redovisas som okänd, aldrig som "
              "belyst eller mörk. Analysområdet är valfritt (standard: hela utdraget); med "
              "'Endast valda objekt' räknas bara de valda polygonerna. Ett register över "
              "gatlampor läggs till lamporna i OSM eller ersätter dem. " + _OSM["sv"],
        "da": "Bygger det gangnet, som geoplan regner på, ud fra et OpenStreetMap-udtræk: én "
              "linje pr. gangbar kant med dens længde (length_m), belysning (lit = yes / no / "
              "unknown, dvs. ja / nej / ukendt) og hvor oplysningen om belysning kommer fra "
              "(lit_source = tag / lamps / assumed / none, dvs. tag / gadelamper / antaget / "
              "ingen), andelen af kanten inden for rækkevidde af en gadelampe (lamp_share), "
              "tunnel og bro (1 = ja), vejtype, navn og belægning.\n\nUkendt belysning angives "
              "som ukendt, aldrig som belyst eller mørk. Analyseområdet er valgfrit (standard: "
              "hele udtrækket); med 'Kun valgte objekter' tæller kun de valgte polygoner. Et "
              "register over gadelamper føjes til lamperne i OSM eller erstatter dem. "
              + _OSM["da"],
    },
    "layers": {
        "en": "Runs geoplan on a study area and writes a GeoPackage (geoplan.gpkg) whose layers "
              "open styled: the grid with population and every indicator per cell (walking "
              "distance and number of destinations within reach, access after dark on lit paths "
              "only, public green space, lighting, dark stretches, tunnels, eyes on the street "
              "and the safety index with its data confidence), the walk network with lighting, "
              "the destinations, green space and, with areas to summarise by, the "
              "population-weighted area summaries.\n\nEither give a pipeline file (TOML, as for "
              "'geoplan run'), or an OpenStreetMap file and the study area, cell size and "
              "population source. With a pipeline file, the study area, cell size, population "
              "source and areas given here replace the file's. The pipeline as run is saved as "
              "pipeline.toml in the output folder, with provenance.json and the data quality "
              "report. " + _OSM["en"],
        "sv": "Kör geoplan på ett analysområde och skriver ett GeoPackage (geoplan.gpkg) vars "
              "lager öppnas med färdig stil: rutnätet med befolkning och varje indikator per "
              "ruta (gångavstånd och antal målpunkter inom räckhåll, tillgänglighet efter mörkrets "
              "inbrott på enbart belysta vägar, allmän grönyta, belysning, mörka sträckor, "
              "tunnlar, ögon på gatan och trygghetsindexet med dess datakvalitet), gångnätet med "
              "belysning, målpunkterna, grönytorna och, om du anger områden att sammanfatta "
              "efter, de befolkningsviktade områdessammanfattningarna.\n\nAnge antingen en "
              "pipelinefil (TOML, som för 'geoplan run') eller en OpenStreetMap-fil samt "
              "analysområde, rutstorlek och befolkningskälla. Med en pipelinefil ersätter "
              "analysområde, rutstorlek, befolkningskälla och områden som anges här filens. "
              "Pipelinen som den kördes sparas som pipeline.toml i utdatamappen, tillsammans "
              "med provenance.json och rapporten om datakvalitet. " + _OSM["sv"],
        "da": "Kører geoplan på et analyseområde og skriver en GeoPackage (geoplan.gpkg), hvis "
              "lag åbnes med færdig stil: gridet med befolkning og hver indikator pr. celle "
              "(gangafstand og antal destinationer inden for rækkevidde, adgang efter mørkets "
              "frembrud kun ad belyste stier, offentlige grønne områder, belysning, mørke "
              "strækninger, tunneler, øjne på gaden og tryghedsindekset med dets datakvalitet), "
              "gangnettet med belysning, destinationerne, de grønne områder og, hvis du angiver "
              "områder at opsummere efter, de befolkningsvægtede områdeopsummeringer.\n\nAngiv "
              "enten en pipelinefil (TOML, som til 'geoplan run') eller en OpenStreetMap-fil "
              "samt analyseområde, cellestørrelse og befolkningskilde. Med en pipelinefil "
              "erstatter analyseområde, cellestørrelse, befolkningskilde og områder angivet her "
              "filens. Pipelinen, som den blev kørt, gemmes som pipeline.toml i outputmappen "
              "sammen med provenance.json og rapporten om datakvalitet. " + _OSM["da"],
    },
    "area_summary": {
        "en": "Summarises a geoplan grid (the 'grid' layer of geoplan.gpkg, or the grid output "
              "of 'Compute … layers') by any polygon layer, e.g. the municipality's districts or "
              "its vulnerable areas: per area the residents (pop) and cells. Measures of "
              "residents are population-weighted: the share of residents (yes/no fields, "
              "'…_pop_share'), the median (distances) or the mean. Measures of the paths (lit "
              "share, lamps per km) are weighted by path length and measures of the place "
              "(safety index, junctions) by area, so an area without residents still has them; "
              "their mean over residents stands beside them ('…_pop_mean'). A last row "
              "summarises the whole grid, for comparison.\n\nResidents of a cell that lies "
              "partly in an area count with the share of the cell inside it. With 'Selected "
              "features only' just the selected areas are summarised.",
        "sv": "Sammanfattar ett geoplan-rutnät (lagret 'grid' i geoplan.gpkg, eller "
              "rutnätsutdata från 'Beräkna lager för …') efter ett valfritt polygonlager, t.ex. kommunens "
              "stadsdelar eller dess utsatta områden: per område de boende (pop) och rutorna. "
              "Mått på de boende är befolkningsviktade: andelen boende (ja/nej-fält, "
              "'…_pop_share'), medianen (avstånd) eller medelvärdet. Mått på vägarna (belyst "
              "andel, gatlampor per km) viktas efter väglängd och mått på platsen "
              "(trygghetsindex, korsningar) efter yta, så att ett område utan boende ändå har "
              "dem; deras medelvärde över de boende står bredvid ('…_pop_mean'). En sista rad "
              "sammanfattar hela rutnätet, som jämförelse.\n\nBoende i en ruta som ligger delvis "
              "i ett område räknas med den andel av rutan som ligger inom området. Med 'Endast "
              "valda objekt' sammanfattas bara de valda områdena.",
        "da": "Opsummerer et geoplan-grid (laget 'grid' i geoplan.gpkg eller grid-outputtet fra "
              "'Beregn lag for …') efter et vilkårligt polygonlag, f.eks. kommunens bydele eller dens "
              "udsatte områder: pr. område beboerne (pop) og cellerne. Mål for beboerne er "
              "befolkningsvægtede: andelen af beboere (ja/nej-felter, '…_pop_share'), medianen "
              "(afstande) eller gennemsnittet. Mål for stierne (belyst andel, gadelamper pr. km) "
              "vægtes efter stiernes længde og mål for stedet (tryghedsindeks, kryds) efter "
              "areal, så et område uden beboere stadig har dem; deres gennemsnit over beboerne "
              "står ved siden af ('…_pop_mean'). En sidste række opsummerer hele gridet til "
              "sammenligning.\n\nBeboere i en celle, der ligger delvis i et område, tæller med "
              "den andel af cellen, der ligger inden for området. Med 'Kun valgte objekter' "
              "opsummeres kun de valgte områder.",
    },
    "scenario": {
        "en": "Shows what a proposal changes and for whom. The baseline is a pipeline file or "
              "the output folder of a geoplan run; the proposal is a scenario GeoPackage (saved "
              "by the geoplan scenario panel) and/or layers drawn in QGIS: new paths (lines; "
              "fields lit = yes/no, kind, crossing = bridge/tunnel, name), new street lamps "
              "(points), densification blocks (polygons with dwellings, residents or "
              "floor_area_m2), new green spaces (polygons; public, kind) and new destinations "
              "(points; category such as school or grocery). 'Selected features only' works for "
              "each of them.\n\nWrites geoplan.gpkg with the grid after the scenario, "
              "grid_change and areas_change (before, after and change of every indicator; "
              "styled with diverging colours) and the change table changes.csv / changes.xlsx "
              "(one row per area and measure, in plain words). 'Write only what changes' (for "
              "trying proposals one after another on a run folder's saved baseline) writes "
              "only the cells and areas that change and changes.csv, in well under a second "
              "on a large municipality: no grid after the scenario, no council layout. "
              + _OSM["en"],
        "sv": "Visar vad ett förslag förändrar och för vem. Nuläget är en pipelinefil eller "
              "utdatamappen från en geoplan-körning; förslaget är ett scenario-GeoPackage "
              "(sparat från geoplans scenariopanel) och/eller lager ritade i QGIS: nya gångvägar "
              "(linjer; fälten lit = yes/no, kind, crossing = bridge/tunnel, name), nya "
              "gatlampor (punkter), förtätningskvarter (polygoner med dwellings, residents eller "
              "floor_area_m2, dvs. bostäder, boende eller bruttoarea), nya grönytor (polygoner; "
              "public, kind) och nya målpunkter (punkter; category, t.ex. school eller grocery). "
              "'Endast valda objekt' fungerar för vart och ett av dem.\n\nSkriver geoplan.gpkg "
              "med rutnätet efter scenariot, grid_change och areas_change (före, efter och "
              "förändring för varje indikator; med divergerande färgskala) och "
              "förändringstabellen changes.csv / changes.xlsx (en rad per område och mått, i "
              "klartext). 'Skriv bara det som ändras' (för att pröva förslag efter varandra på "
              "en körnings sparade nuläge) skriver bara de rutor och områden som ändras och "
              "changes.csv, på långt under en sekund även i en stor kommun: inget rutnät efter "
              "scenariot, ingen layout för nämnden. " + _OSM["sv"],
        "da": "Viser, hvad et forslag ændrer, og for hvem. Udgangspunktet er en pipelinefil "
              "eller outputmappen fra en geoplan-kørsel; forslaget er en scenarie-GeoPackage "
              "(gemt fra geoplans scenariepanel) og/eller lag tegnet i QGIS: nye stier (linjer; "
              "felterne lit = yes/no, kind, crossing = bridge/tunnel, name), nye gadelamper "
              "(punkter), fortætningskarréer (polygoner med dwellings, residents eller "
              "floor_area_m2, dvs. boliger, beboere eller etageareal), nye grønne områder "
              "(polygoner; public, kind) og nye destinationer (punkter; category, f.eks. school "
              "eller grocery). 'Kun valgte objekter' virker for hver af dem.\n\nSkriver "
              "geoplan.gpkg med gridet efter scenariet, grid_change og areas_change (før, efter "
              "og ændring for hver indikator; med divergerende farveskala) og ændringstabellen "
              "changes.csv / changes.xlsx (én række pr. område og mål, i klartekst). 'Skriv "
              "kun det, der ændres' (til at afprøve forslag efter hinanden på en kørsels gemte "
              "udgangspunkt) skriver kun de celler og områder, der ændres, og changes.csv, på "
              "langt under et sekund selv i en stor kommune: intet grid efter scenariet, intet "
              "layout til udvalget. " + _OSM["da"],
    },
    "compare_scenarios": {
        "en": "Ranks several scenarios of the same baseline side by side: for every measure of "
              "the change tables (whole study area) the change of each scenario and its rank "
              "(1 = best, where the measure has a better direction), and a last row with each "
              "scenario's mean rank. Give the output folders of 'Run a scenario'.",
        "sv": "Rangordnar flera scenarier med samma nuläge sida vid sida: för varje mått i "
              "förändringstabellerna (hela analysområdet) varje scenarios förändring och dess "
              "rang (1 = bäst, där måttet har en bättre riktning), och en sista rad med varje "
              "scenarios medelrang. Ange utdatamapparna från 'Kör ett scenario'.",
        "da": "Rangordner flere scenarier med samme udgangspunkt side om side: for hvert mål i "
              "ændringstabellerne (hele analyseområdet) hvert scenaries ændring og dets "
              "placering (1 = bedst, hvor målet har en bedre retning), og en sidste række med "
              "hvert scenaries gennemsnitlige placering. Angiv outputmapperne fra 'Kør et "
              "scenarie'.",
    },
    "council_layout": {
        "en": "Builds an A3 print layout of a geoplan run for the council and exports it as PDF "
              "and PNG. For a scenario (its output folder has grid_change and changes.csv): "
              "before, after and change maps of one indicator — before and after on the same "
              "classes, the change on diverging colours with a neutral 'no change' class — and "
              "the change table. For a baseline run: the headline maps (safety index, walking "
              "distance to a grocery store, lighting of the network) and the area summaries "
              "when there are any.\n\nEvery layout has a title, a legend per map, a scale bar, "
              "a north arrow, the date and the data sources with © OpenStreetMap contributors.",
        "sv": "Bygger en utskriftslayout i A3 av en geoplan-körning för nämnden och exporterar "
              "den som PDF och PNG. För ett scenario (dess utdatamapp har grid_change och "
              "changes.csv): kartor före, efter och med förändringen för en indikator — före och "
              "efter med samma klasser, förändringen med divergerande färger och en neutral "
              "klass 'ingen förändring' — samt förändringstabellen. För en körning av nuläget: "
              "huvudkartorna (trygghetsindex, gångavstånd till livsmedelsbutik, nätets "
              "belysning) och områdessammanfattningarna om det finns några.\n\nVarje layout har "
              "en rubrik, en teckenförklaring per karta, en skalstock, en nordpil, datum och "
              "datakällorna med © OpenStreetMap-bidragsgivare.",
        "da": "Bygger et udskriftslayout i A3 af en geoplan-kørsel til udvalget og eksporterer "
              "det som PDF og PNG. For et scenarie (dets outputmappe har grid_change og "
              "changes.csv): kort før, efter og med ændringen for én indikator — før og efter "
              "med de samme klasser, ændringen med divergerende farver og en neutral klasse "
              "'ingen ændring' — samt ændringstabellen. For en kørsel af udgangspunktet: "
              "hovedkortene (tryghedsindeks, gangafstand til dagligvarebutik, nettets "
              "belysning) og områdeopsummeringerne, hvis der er nogen.\n\nHvert layout har en "
              "titel, en signaturforklaring pr. kort, en målestok, en nordpil, datoen og "
              "datakilderne med © OpenStreetMap-bidragydere.",
    },
}
