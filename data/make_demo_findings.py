"""Make the EXAMPLE safety-walk findings for the demo extract (central Helsinki).

EXAMPLE DATA: the findings are invented by this script to show and test geoplan's safety-walk
input. They lie on real paths of the OpenStreetMap extract (© OpenStreetMap contributors, ODbL)
and are chosen from the paths' own attributes (dark paths get "dark spot" findings, tunnels
"tunnel" findings …), but nobody walked there and said these things.

What it writes next to itself:

``demo_findings.csv``
    what a walk leader's spreadsheet looks like: Swedish column names, ``;`` separated, category
    words in Swedish, Danish and English and as codes, lon/lat (EPSG:4326) for points and WKT for
    the lines, dates of two walks and a follow-up, some findings fixed. Every row's ``vandring``
    (walk) says EXAMPLE DATA.
``demo_findings.gpkg``
    the same findings normalised by geoplan (``geoplan safety-walk import``) in ETRS-TM35FIN
    (EPSG:3067), with the QGIS forms; its metadata says EXAMPLE DATA.

Run from the repository: ``.venv/bin/python data/make_demo_findings.py`` (deterministic: the same
extract gives the same files).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import shapely

from geoplan.datasets import demo_extract
from geoplan.indicators.safety import node_degree
from geoplan.network import build_walk_network
from geoplan.outputs.findings import write_findings
from geoplan.sources.findings import read_findings
from geoplan.sources.osm import read_osm

HERE = Path(__file__).resolve().parent
EXAMPLE = "EXAMPLE DATA (invented by geoplan for the demo, not a real walk)"
WALKS = {
    "A": ("2024-10-03", "Kvällsvandring i centrum"),
    "B": ("2024-10-17", "Tryghedsvandring i centrum"),
    "C": ("2025-03-12", "Follow-up walk"),
}
FOOT = ("footway", "path", "pedestrian", "steps", "living_street")

# (category word as a walk leader typed it, severity, walk, status, note)
PLAN = {
    "dark": [
        ("mörkt", 3, "A", "open", "Helt mörkt på gångvägen, man ser inte vem som kommer."),
        ("mørkt", 3, "B", "open", "Meget mørkt om aftenen, ingen lamper langs stien."),
        ("dark spot", 2, "C", "open", "Dark stretch between the buildings."),
        ("dålig belysning", 2, "A", "fixed", "Belysningen var svag; ny armatur satt upp i vintras."),
        ("Mörk plats", 2, "A", "open", "Ungdomar undviker stråket på kvällen."),
    ],
    "unknown": [
        ("mörkt", 2, "A", "open", "Oklart om lamporna fungerar – kändes mörkt."),
        ("dark_spot", 1, "C", "open", "Dim light, could be better."),
        ("mørk plet", 2, "B", "open", "Mørkt hjørne ved stien."),
    ],
    "lamp": [
        ("trasig lampa", 2, "A", "open", "Gatlampan blinkar och slocknar."),
        ("defekt lampe", 2, "B", "fixed", "Lampen var i stykker, skiftet i november."),
        ("broken_lamp", 3, "C", "open", "Two lamps out in a row."),
        ("Trasig belysning", 2, "A", "open", "Lampan vid trappan lyser inte."),
    ],
    "tunnel": [
        ("gångtunnel", 3, "A", "open", "Lång tunnel utan uppsikt, klotter på väggarna."),
        ("tunnel", 2, "B", "open", "Tunnelen føles utryg, ingen kan se ind."),
        ("underpass", 2, "C", "open", "Underpass smells and is poorly lit."),
    ],
    "green": [
        ("buskage", 2, "A", "open", "Höga buskar skymmer sikten längs gången."),
        ("buskads", 2, "B", "fixed", "Buskene er beskåret efter vandringen."),
        ("overgrown", 1, "C", "open", "Hedge grows over the path."),
        ("vegetation", 2, "A", "open", "Träd och buskar gör platsen svåröverblickbar."),
    ],
    "dead_end": [
        ("skymd plats", 3, "A", "open", "Skymd hörna bakom huset, man kan bli överraskad."),
        ("skjult hjørne", 2, "B", "open", "Blind vinkel ved gården."),
        ("hidden corner", 2, "C", "open", "Poor sight lines round the corner."),
    ],
    "litter": [
        ("klotter", 1, "A", "open", "Klotter och krossat glas."),
        ("hærværk", 1, "B", "fixed", "Knust glas i busskuret, ryddet op."),
        ("litter", 1, "C", "open", "Litter bins overflow at weekends."),
    ],
    "crossing": [
        ("trafikfara", 3, "A", "open", "Bilar kör fort, svårt att korsa med barnvagn."),
        ("trafikfare", 2, "B", "open", "Farligt kryds, dårligt udsyn til bilerne."),
        ("traffic", 2, "C", "open", "No crossing where people actually cross."),
    ],
    "other": [
        ("övrigt", 2, "A", "open", "Folk samlas här sent på kvällarna, många känner sig otrygga."),
        ("andet", 1, "B", "open", "Ønske om en bænk og mere liv på pladsen."),
    ],
}
# line findings: (source of the stretch, row of PLAN it uses)
LINES = {("dark", 0), ("green", 3), ("unknown", 0)}


def _candidates(data, net) -> dict[str, np.ndarray]:
    """Edge positions (or node positions for ``dead_end``/``crossing``) for each kind."""
    e = net.edges
    foot = e["highway"].isin(FOOT).to_numpy()
    long_ = (e["length_m"] > 15).to_numpy()
    lamps = np.asarray(data.lamps.geometry.values, dtype=object)
    geoms = np.asarray(e.geometry.values, dtype=object)
    near_lamp = np.zeros(len(e), bool)
    near_lamp[shapely.STRtree(lamps).query(geoms, predicate="dwithin", distance=10)[1]] = True
    green = data.green[data.green["kind"].isin(["park", "scrub", "garden"])]
    in_green = np.zeros(len(e), bool)
    in_green[shapely.STRtree(np.asarray(green.geometry.values, dtype=object)).query(
        geoms, predicate="intersects")[0]] = True
    deg = node_degree(net)
    u, v = e["u"].to_numpy(), e["v"].to_numpy()
    main = e["highway"].isin(["primary", "secondary"]).to_numpy()
    crossing_nodes = np.intersect1d(np.union1d(u[foot], v[foot]), np.union1d(u[main], v[main]))
    foot_nodes = np.union1d(u[foot & long_], v[foot & long_])
    return {
        "dark": np.flatnonzero((e["lit"] == "no").to_numpy() & foot & long_),
        "unknown": np.flatnonzero((e["lit"] == "unknown").to_numpy() & foot & long_),
        "lamp": np.flatnonzero((e["lit"] == "yes").to_numpy() & near_lamp & long_),
        "tunnel": np.flatnonzero(e["tunnel"].to_numpy(bool) & foot & long_),
        "green": np.flatnonzero(in_green & foot & long_ & (e["lit"] != "no").to_numpy()),
        "dead_end": np.intersect1d(np.flatnonzero(deg == 1), foot_nodes),
        "crossing": crossing_nodes,
        "litter": np.flatnonzero(foot & long_ & (e["lit"] == "yes").to_numpy()),
        "other": np.flatnonzero((e["highway"] == "pedestrian").to_numpy() & long_),
    }


def make_rows() -> list[dict]:
    """The example findings as spreadsheet rows (lon/lat or WKT in EPSG:4326)."""
    data = read_osm(demo_extract())
    net = build_walk_network(data)
    to_ll = net.edges.crs
    cands = _candidates(data, net)
    rng = np.random.default_rng(20241003)
    rows = []
    used: set[int] = set()
    for kind, plan in PLAN.items():
        pool = [int(i) for i in cands[kind] if int(i) not in used]
        picks = rng.choice(len(pool), size=len(plan), replace=False)
        for j, (word, sev, walk, status, note) in enumerate(plan):
            k = pool[int(picks[j])]
            if kind in ("dead_end", "crossing"):
                geom = net.nodes.geometry.iloc[k]
            else:
                used.add(k)
                line = net.edges.geometry.iloc[k]
                geom = line if (kind, j) in LINES else line.interpolate(
                    float(rng.uniform(0.3, 0.7)), normalized=True)
            rows.append({"kind": kind, "word": word, "sev": sev, "walk": walk,
                         "status": status, "note": note, "geom": geom})
    import geopandas as gpd

    ll = gpd.GeoSeries([r["geom"] for r in rows], crs=to_ll).to_crs(4326)
    out = []
    for i, (r, g) in enumerate(zip(rows, ll, strict=True), start=1):
        date, walk_name = WALKS[r["walk"]]
        point = g.geom_type == "Point"
        wkt = "" if point else shapely.to_wkt(g, rounding_precision=6)
        out.append({
            "id": f"H{i:02d}", "kategori": r["word"], "allvarlighet": r["sev"], "datum": date,
            "status": {"open": "öppen", "fixed": "åtgärdad"}[r["status"]] if r["walk"] == "A"
            else r["status"],
            "anteckning": r["note"],
            "foto": f"foto/IMG_{1200 + i}.jpg" if i % 5 == 0 else "",
            "vandring": f"{walk_name} – {EXAMPLE}",
            "lon": f"{g.x:.6f}" if point else "", "lat": f"{g.y:.6f}" if point else "",
            "wkt": wkt,
        })
    return out


def main() -> None:
    rows = make_rows()
    csv_path = HERE / "demo_findings.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)
    findings = read_findings(csv_path, crs="EPSG:4326", to_crs="EPSG:3067", today="2025-06-01")
    write_findings(HERE / "demo_findings.gpkg", findings, lang="sv", metadata={
        "example_data": EXAMPLE,
        "title": "EXAMPLE safety-walk findings, central Helsinki (geoplan demo)",
        "made_by": "data/make_demo_findings.py",
        "basemap": "paths from OpenStreetMap, © OpenStreetMap contributors (ODbL)",
    })
    print(f"written: {csv_path} and demo_findings.gpkg ({len(findings)} EXAMPLE findings)")


if __name__ == "__main__":
    main()
