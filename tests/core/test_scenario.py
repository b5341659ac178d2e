"""Scenarios: storage, edits joining the network, exact incremental recompute, outputs, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from geoplan.errors import ConfigError, GeoplanError
from geoplan.runs.scenario import compare_runs
from geoplan.scenario import (
    apply_scenario,
    change_layers,
    change_table,
    prepare_baseline,
    recompute,
)
from geoplan.scenario.io import read_scenario, write_scenario
from geoplan.scenario.recompute import at_baseline_scale
from geoplan.study import compute_layers, example_study
from geoplan.types import Densify, Lighting, NewDestination, NewGreen, NewPath, Scenario

ROOT = Path(__file__).resolve().parents[2]


def _s(*edits, crs="EPSG:3006", **kw):
    return Scenario("t", tuple(edits), crs=crs, **kw)


# ------------------------------------------------------------------------------ value objects
@pytest.mark.parametrize("make, words", [
    (lambda: NewDestination(shapely.Point(0, 0), "pub"), "unknown destination category"),
    (lambda: Densify(shapely.box(0, 0, 1, 1)), "exactly one number"),
    (lambda: Densify(shapely.box(0, 0, 1, 1), dwellings=3, residents=4), "exactly one number"),
    (lambda: NewPath(shapely.LineString()), "empty geometry"),
    (lambda: NewPath(shapely.LineString([(0, 0), (1, 1)]), crossing="ford"), "crossing"),
    (lambda: Lighting(), "needs lamps"),
    (lambda: Scenario("x", (NewGreen(shapely.box(0, 0, 1, 1)),)), "needs the CRS"),
])
def test_bad_edits_say_what_to_fix(make, words):
    with pytest.raises(ConfigError, match=words):
        make()


def test_scenario_gpkg_round_trip_and_bad_rows(tmp_path):
    s = Scenario("all kinds", (
        NewPath(shapely.LineString([(0, 0), (50, 10)]), lit=False, crossing="bridge", name="p"),
        Lighting(lamps=(shapely.Point(1, 2),), osm_ids=(7,)),
        Lighting(edge_ids=(3, 4)),
        Densify(shapely.box(0, 0, 10, 10), floor_area_m2=4200.0),
        NewGreen(shapely.box(20, 20, 40, 40), public=False, kind="garden"),
        NewDestination(shapely.Point(5, 5), "grocery", name="shop"),
    ), description="d", crs="EPSG:3006", connect_within_m=12.0)
    p = tmp_path / "s.gpkg"
    write_scenario(s, p)
    layers = set(pyogrio.list_layers(p)[:, 0])
    assert {"scenario", "new_paths", "new_lamps", "lit_paths", "densify", "new_green",
            "new_destinations", "layer_styles"} <= layers
    r = read_scenario(p)
    assert (r.name, r.description, r.connect_within_m) == ("all kinds", "d", 12.0)
    assert [type(e).__name__ for e in r.edits] == [type(e).__name__ for e in s.edits]
    assert r.edits[0].lit is False and r.edits[0].crossing == "bridge"
    assert r.edits[1].osm_ids == (7,) and r.edits[2].edge_ids == (3, 4)
    assert r.edits[3].residents_added() == pytest.approx(100.0)
    # a bad row names its layer and row
    bad = pyogrio.read_dataframe(p, layer="new_destinations")
    bad["category"] = ["tavern"]
    pyogrio.write_dataframe(bad, p, layer="new_destinations")
    with pytest.raises(ConfigError, match=r"new_destinations.*row 1.*unknown destination"):
        read_scenario(p)
    with pytest.raises(GeoplanError, match="does not exist"):
        read_scenario(tmp_path / "missing.gpkg")


# ------------------------------------------------------------------------------ applying edits
def test_new_path_splits_the_edges_it_joins_and_crosses():
    inputs = example_study()   # 0 (0,0) - 1 (100,0) - 2 (200,0); 1 - 3 (100,100)
    # from the middle of edge 0-1 across edge 1-3 to a free end
    a = apply_scenario(_s(NewPath(shapely.LineString([(50, 0), (150, 50)]))), inputs)
    net = a.inputs.network
    assert len(net.nodes) == 4 + 3          # split point, crossing, free end
    e = net.edges
    new = e[a.edge_parent < 0]
    assert len(new) == 2 and set(new["lit"]) == {"yes"}
    assert sorted(a.edge_parent[a.edge_split].tolist()) == [0, 0, 2, 2]
    assert e["length_m"].sum() == pytest.approx(300 + np.hypot(100, 50))
    degree = np.bincount(np.r_[e["u"], e["v"]])
    assert degree[4:].tolist() == [3, 4, 1]
    # a bridge makes no junction where it crosses
    b = apply_scenario(_s(NewPath(shapely.LineString([(50, 0), (150, 50)]), crossing="bridge")),
                       inputs)
    assert len(b.inputs.network.nodes) == 4 + 2 and int(b.edge_split.sum()) == 2


def test_path_that_joins_nothing_or_lies_in_degrees_is_refused():
    inputs = example_study()
    with pytest.raises(GeoplanError, match="connects to no existing path"):
        apply_scenario(_s(NewPath(shapely.LineString([(20, 40), (60, 60)]))), inputs)


def test_lighting_by_lamps_and_ids():
    inputs = example_study()
    a = apply_scenario(_s(Lighting(lamps=(shapely.Point(150, 0),))), inputs)
    e = a.inputs.network.edges
    assert e.loc[1, ["lit", "lit_source"]].tolist() == ["yes", "lamps"]
    assert len(a.inputs.lamps) == 1
    b = apply_scenario(_s(Lighting(osm_ids=(3,))), inputs)
    assert b.inputs.network.edges.loc[2, ["lit", "lit_source"]].tolist() == ["yes", "scenario"]
    with pytest.raises(GeoplanError, match="not walkable ways"):
        apply_scenario(_s(Lighting(osm_ids=(99,))), inputs)


def test_densify_moves_population_not_distances():
    inputs = example_study()
    base = prepare_baseline(inputs)
    a = apply_scenario(_s(Densify(shapely.box(0, 0, 100, 100), dwellings=100,
                                  persons_per_dwelling=2.0)), inputs)
    after, _ = recompute(base, a)
    g0, g1 = base.layers.grid, after.grid
    assert g1["pop"].tolist() == [210.0, 20.0]
    dist = [c for c in g1 if c.startswith(("dist_", "night_dist_"))]
    pd.testing.assert_frame_equal(g0[dist], g1[dist], check_exact=True)
    assert (g1["green_m2_per_capita"] < g0["green_m2_per_capita"]).all()
    assert g1.loc["100mN0E0", "eyes_on_street"] > g0.loc["100mN0E0", "eyes_on_street"]


# ------------------------------------------------------------------------------ the demo
@pytest.fixture(scope="module")
def demo_base(demo_baseline):
    """The demo's baseline, computed once per session (tests/core/conftest.py)."""
    return demo_baseline


def _random_scenario(inputs, seed: int) -> Scenario:
    rng = np.random.default_rng(seed)
    e = inputs.network.edges
    x0, y0, x1, y1 = inputs.data.area.bounds
    edits = []
    for _ in range(int(rng.integers(2, 5))):
        k = rng.integers(5)
        cx, cy = x0 + rng.random() * (x1 - x0), y0 + rng.random() * (y1 - y0)
        if k == 0:
            a = e.geometry.values[rng.integers(len(e))].interpolate(rng.random(), normalized=True)
            ang, length = rng.random() * 2 * np.pi, 40 + rng.random() * 200
            edits.append(NewPath(shapely.LineString(
                [(a.x, a.y), (a.x + length * np.cos(ang), a.y + length * np.sin(ang))]),
                lit=bool(rng.random() < 0.7)))
        elif k == 1:
            i = rng.choice(np.flatnonzero(e["lit"].to_numpy() != "yes"))
            g = e.geometry.values[i]
            edits.append(Lighting(lamps=tuple(g.interpolate(t, normalized=True)
                                              for t in (0.2, 0.5, 0.8))))
        elif k == 2:
            edits.append(Densify(shapely.box(cx, cy, cx + 60, cy + 60),
                                 dwellings=float(rng.integers(50, 400))))
        elif k == 3:
            edits.append(NewGreen(shapely.box(cx, cy, cx + 80, cy + 60)))
        else:
            edits.append(NewDestination(shapely.Point(cx, cy),
                                        ["school", "grocery", "library"][rng.integers(3)]))
    return Scenario(f"random {seed}", tuple(edits), crs=inputs.network.crs, connect_within_m=30)


@pytest.mark.parametrize("seed", [0, 2, 4, 5, 9, 11, 14, 19, 20, 23])
def test_incremental_equals_full_recompute_on_the_demo(demo_base, seed):
    _, base = demo_base
    applied = apply_scenario(_random_scenario(base.inputs, seed), base.inputs)
    inc, stats = recompute(base, applied)
    full = compute_layers(applied.inputs)
    pd.testing.assert_frame_equal(inc.grid, full.grid, check_exact=False, rtol=1e-9, atol=1e-9)
    assert stats.mode in ("incremental", "full")


def test_demo_scenario_file_changes_what_it_promises(demo_base):
    _, base = demo_base
    applied = apply_scenario(read_scenario(ROOT / "data" / "demo_scenario.gpkg"), base.inputs)
    after, stats = recompute(base, applied)
    assert stats.mode == "incremental"
    pd.testing.assert_frame_equal(after.grid, compute_layers(applied.inputs).grid, rtol=1e-9)
    t = change_table(base.layers, after, inputs=applied.inputs)
    total = t[t["area_key"] == "__study_area__"].set_index(["measure", "category"])
    assert total.loc[("residents", ""), "change"] == pytest.approx(630.0)
    assert total.loc[("residents_night_access_gain", "school"), "change"] > 5000
    assert total.loc[("green_m2_per_capita", ""), "change"] < 0
    assert total.loc[("eyes_on_street", ""), "change"] > 0
    assert total.loc[("lit_share", ""), "change"] > 0
    # the drawn footway pulls no home and no school onto itself (before issue 13 item 3: 33
    # cells, 971 residents, up to 87 m further to school by day; 46 cells at night)
    g0, g1 = base.layers.grid, after.grid
    for c in [c for c in g1 if c.startswith(("dist_", "night_dist_")) and c.endswith("_m")]:
        b0, b1 = g0[c].to_numpy(), g1[c].to_numpy()
        assert np.all((b1 <= b0 + 1e-9) | (np.isinf(b0) & np.isinf(b1))), c


def test_edits_in_degrees_labelled_as_metres_are_refused(demo_base):
    _, base = demo_base
    crs = base.inputs.network.crs
    with pytest.raises(GeoplanError, match="look like degrees"):
        apply_scenario(_s(NewPath(shapely.LineString([(24.94, 60.17), (24.95, 60.171)])),
                          crs=crs), base.inputs)
    # the same line declared in degrees is reprojected and joins the network
    a = apply_scenario(_s(NewPath(shapely.LineString([(24.9442, 60.1700), (24.9452, 60.1705)])),
                          crs="EPSG:4326", connect_within_m=40), base.inputs)
    assert (a.edge_parent < 0).any()


def test_no_edits_gives_the_baseline_back_bit_for_bit(demo_base):
    _, base = demo_base
    s = _random_scenario(base.inputs, 4).without_edits()
    applied = apply_scenario(s, base.inputs)
    after, stats = recompute(base, applied)
    assert stats.mode == "none" and after is base.layers
    pd.testing.assert_frame_equal(compute_layers(applied.inputs).grid, base.layers.grid,
                                  check_exact=True)


def test_run_scenario_outputs_and_compare(demo_base, tmp_path):
    from geoplan.cli.scenario import register
    from geoplan.runs.scenario import run_scenario

    cfg, base = demo_base
    s1 = read_scenario(ROOT / "data" / "demo_scenario.gpkg")
    s2 = Scenario("lamps only", (s1.edits[1],), crs=s1.crs)
    r1 = run_scenario(cfg, s1, tmp_path / "a", baseline=base)
    run_scenario(cfg, s2, tmp_path / "b", baseline=base)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["changes.csv", "changes.xlsx", "data_dictionary.csv", "data_dictionary.xlsx",
                     "geoplan.gpkg", "scenario.json"]
    gpkg = tmp_path / "a" / "geoplan.gpkg"
    layers = set(pyogrio.list_layers(gpkg)[:, 0])
    assert {"grid", "grid_change", "areas_change", "changes", "network"} <= layers
    gc = pyogrio.read_dataframe(gpkg, layer="grid_change")
    assert {"cell_id", "pop_before", "pop_after", "pop_change", "safety_index_change",
            "loses_school_at_night_change"} <= set(gc.columns)
    ac = pyogrio.read_dataframe(gpkg, layer="areas_change")
    assert ac["area"].iloc[-1] == "__study_area__"
    import sqlite3

    with sqlite3.connect(gpkg) as con:
        styled = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles"))
    assert "grid_change" in styled and "areas_change" in styled
    # the data dictionary has a labelled row for every column of every layer (read by pyogrio)
    dd = pd.read_csv(tmp_path / "a" / "data_dictionary.csv", encoding="utf-8-sig",
                     keep_default_na=False)
    rows = set(zip(dd["layer"], dd["column"], strict=True))
    for layer in layers - {"layer_styles", "geoplan_metadata"}:
        for col in pyogrio.read_info(gpkg, layer=layer)["fields"]:
            assert (layer, col) in rows, (layer, col)
    assert (dd["label"].str.strip() != "").all()
    assert not dd["label"].str.match(r"^(Column|Kolumn|Kolonne) ").any()
    csv = pd.read_csv(tmp_path / "a" / "changes.csv")
    assert list(csv.columns) == ["scenario", "area_key", "area_name", "measure", "category",
                                 "label", "unit", "before", "after", "change", "better"]
    info = json.loads((tmp_path / "a" / "scenario.json").read_text())
    assert info["recompute"]["mode"] == "incremental"
    assert r1.stats.mode == "incremental"
    ranking = compare_runs([tmp_path / "a", tmp_path / "b"])
    assert ranking.attrs["runs"] == [s1.name, "lamps only"]
    # with attachment fixed at the baseline both runs gain the same residents a lit school
    # route (the lamps do it; the path no longer pulls homes onto itself): a tie, no rank; the
    # drawn path shortens day routes, so the full scenario ranks first there
    rows = ranking.set_index(["measure", "category"])
    assert np.isnan(rows.loc[("residents_night_access_gain", "school"), f"{s1.name} rank"])
    assert rows.loc[("median_distance_m", "school"), f"{s1.name} rank"] == 1.0
    # the CLI commands (registered on a bare group here; the lead registers them on geoplan's)
    group = click.Group("geoplan")
    register(group)
    res = CliRunner().invoke(group, ["scenario", "compare", str(tmp_path / "a"),
                                     str(tmp_path / "b"), "--out", str(tmp_path / "r.xlsx")])
    assert res.exit_code == 0, res.output
    assert "lamps only" in res.output and (tmp_path / "r.xlsx").is_file()


def test_change_layers_on_the_example():
    inputs = example_study()
    base = prepare_baseline(inputs)
    a = apply_scenario(_s(NewPath(shapely.LineString([(100, 0), (150, -30), (200, 0)]))), inputs)
    gc, ac = change_layers(base.layers, recompute(base, a)[0], a.inputs)
    assert gc["loses_school_at_night_change"].tolist() == [-1, -1]
    assert np.isnan(gc["night_dist_school_m_before"]).all()
    # 181.619 m of network + the 35 m access leg from the home at (135, 65) to its path
    assert ac["night_dist_school_m_after"].iloc[-1] == pytest.approx(216.619, abs=1e-3)


# ------------------------------------------------------------------------------ fixed attachment
def test_a_drawn_path_does_not_pull_a_home_onto_itself():
    """The example's home at (45, 15) is 15 m from the lit path 0-1 (school: 15 + 45 + 100 + 10
    ... = 170 m with its leg). A path drawn from node 3 to 5 m beside the home (its free end
    joins nothing) is nearer to the home than its street, but the home keeps its baseline place:
    every distance stays (by hand: 15 + 55 + 100 = 170 m and 35 + 35 + 30 + 100 = 200 m to the
    school at node 2), where re-attaching walked it round by the new dead end (5 + 97.1 +
    100 + 100 = 302 m)."""
    inputs = example_study()
    base = prepare_baseline(inputs)
    a = apply_scenario(_s(NewPath(shapely.LineString([(100, 100), (45, 20)])),
                          connect_within_m=5), inputs)
    assert (a.edge_parent < 0).sum() == 1
    after, _ = recompute(base, a)
    full = compute_layers(at_baseline_scale(base, a).inputs)  # as `scenario run --full` does
    for g in (after.grid, full.grid):
        assert g["dist_school_m"].tolist() == pytest.approx([170.0, 200.0])
        assert g["access_leg_m"].tolist() == pytest.approx([15.0, 35.0])
    pd.testing.assert_frame_equal(after.grid, full.grid, rtol=1e-9, atol=1e-9)


def _paths_lamps_densify(inputs, rng) -> Scenario:
    """1-3 new paths from random points of the network, lamps along a dark path, a block of
    new homes: edits that may only shorten distances."""
    e = inputs.network.edges
    x0, y0, x1, y1 = inputs.data.area.bounds
    edits = []
    for _ in range(int(rng.integers(1, 4))):
        a = e.geometry.values[rng.integers(len(e))].interpolate(rng.random(), normalized=True)
        ang, length = rng.random() * 2 * np.pi, 40 + rng.random() * 200
        edits.append(NewPath(shapely.LineString(
            [(a.x, a.y), (a.x + length * np.cos(ang), a.y + length * np.sin(ang))]),
            lit=bool(rng.random() < 0.7)))
    g = e.geometry.values[rng.choice(np.flatnonzero(e["lit"].to_numpy() != "yes"))]
    edits.append(Lighting(lamps=tuple(g.interpolate(t, normalized=True) for t in (0.2, 0.5, 0.8))))
    cx, cy = x0 + rng.random() * (x1 - x0), y0 + rng.random() * (y1 - y0)
    edits.append(Densify(shapely.box(cx, cy, cx + 60, cy + 60), residents=100.0))
    return Scenario("props", tuple(edits), crs=inputs.network.crs, connect_within_m=30)


def _reach_m(spec) -> float:
    return max(*spec.radii_m, spec.gravity_cutoff_m, spec.night_threshold_m,
               spec.green_within_m, spec.green_per_capita_within_m)


#: Normalised study-wide (issue 13 item 6, fixed separately): they may move in untouched cells.
_STUDY_WIDE = ("eyes_on_street", "safety_")


def test_random_paths_lamps_and_homes_on_the_demo(demo_base):
    """Property over seeded random scenarios on the demo: no day or night distance grows, no
    count within a radius falls, cells farther (straight line) from every edit than the largest
    reach keep every value (a nearest distance shorter than the way to the edits included),
    residents are conserved."""
    _, base = demo_base
    rng = np.random.default_rng(13)
    spec, g0 = base.inputs.spec, base.layers.grid
    origin_xy = np.asarray(base.layers.origins.values, dtype=object)
    dist_cols = [c for c in g0 if c.startswith(("dist_", "night_dist_")) and c.endswith("_m")]
    more_cols = [c for c in g0 if c.startswith(("n_", "night_n_"))]
    untouched_seen = kept_seen = 0
    for _ in range(6):
        s = _paths_lamps_densify(base.inputs, rng)
        try:
            applied = apply_scenario(s, base.inputs)
        except GeoplanError:
            continue
        g1 = recompute(base, applied)[0].grid
        for c in dist_cols:
            b0, b1 = g0[c].to_numpy(), g1[c].to_numpy()
            assert np.all((b1 <= b0 + 1e-6) | (np.isinf(b0) & np.isinf(b1))), c
        for c in more_cols:
            b0, b1 = g0[c].to_numpy(), g1[c].to_numpy()
            assert np.all((b1 >= b0) | np.isnan(b0)), c
        assert g1["pop"].sum() == pytest.approx(g0["pop"].sum() + 100.0, rel=1e-12)
        # what the edits touch: new, split and relit edges, the cells given new homes; a route
        # through them is at least as long as the straight line from the cell's origin to them
        edges = applied.inputs.network.edges.geometry.values
        grown = applied.inputs.cells.geometry.values[(applied.pop_delta > 0).to_numpy()]
        edited = (applied.edge_parent < 0) | applied.edge_relit | applied.edge_split
        touched = np.concatenate([edges[edited], grown])
        far = shapely.distance(origin_xy[:, None], touched[None, :]).min(axis=1)
        untouched = far > _reach_m(spec) + 1.0
        untouched_seen += int(untouched.sum())
        keep = [c for c in g0.columns if c != "geometry" and c not in dist_cols
                and not c.startswith(_STUDY_WIDE)]
        pd.testing.assert_frame_equal(g1.loc[untouched, keep], g0.loc[untouched, keep],
                                      check_exact=True)
        for c in dist_cols:  # a nearest distance shorter than the way to the edits stays
            short = g0[c].to_numpy() < far - 1.0
            kept_seen += int(short.sum())
            np.testing.assert_array_equal(g1[c].to_numpy()[short], g0[c].to_numpy()[short])
        for c in more_cols:  # a count within r metres of cells farther than r from the edits
            beyond = far > float(c.rsplit("_", 1)[1][:-1]) + 1.0
            kept_seen += int(beyond.sum())
            np.testing.assert_array_equal(g1[c].to_numpy()[beyond], g0[c].to_numpy()[beyond])
    assert kept_seen > 1000, (kept_seen, untouched_seen)
