"""Pipeline files: the templates parse, defaults are geoplan's own, bad keys are named."""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path

import pytest

from geoplan.config import (
    PipelineConfig,
    PipelineError,
    dump_pipeline,
    load_pipeline,
    parse_pipeline,
)
from geoplan.errors import ConfigError, GeoplanError
from geoplan.grid import GridSpec
from geoplan.population import PERSONS_PER_M2, ResidentialRule
from geoplan.sources.osm import read_osm
from geoplan.types import AccessSpec, LightingRule, SafetyWeights

ROOT = Path(__file__).resolve().parents[2]
PIPELINES = ROOT / "pipelines"
SHARED_DATA = ROOT.parent / "shared" / "data"
DEMO = '[input]\nosm = "demo"\n'


def _problems(text: str, **kw) -> PipelineError:
    with pytest.raises(PipelineError) as info:
        parse_pipeline(text, "/nonexistent/base", source="p.toml", **kw)
    return info.value


# ------------------------------------------------------------------------------------------------
# templates


def test_demo_parses_with_its_files():
    cfg = load_pipeline(PIPELINES / "demo.toml")
    assert cfg.osm_is_demo and cfg.osm.name == "Helsinki.osm.pbf" and cfg.osm.is_file()
    assert cfg.population.source == "buildings"
    assert cfg.name == "helsinki_demo" and cfg.lang == "en"
    assert cfg.source_file == (PIPELINES / "demo.toml").resolve()


@pytest.mark.parametrize("name", ["template_sweden_deso", "template_denmark"])
def test_templates_parse_structure(name):
    cfg = load_pipeline(PIPELINES / f"{name}.toml", check_files=False)
    assert isinstance(cfg, PipelineConfig)
    assert cfg.population.source == "statistics" and cfg.population.tables


def test_swedish_template_names_real_shared_files():
    """The worked example's statistics exist beside the checkout; only the OSM extract is the
    user's own download."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    with pytest.raises(PipelineError) as info:
        load_pipeline(PIPELINES / "template_sweden_deso.toml")
    assert [p.key for p in info.value.problems] == ["input.osm"]
    cfg = load_pipeline(PIPELINES / "template_sweden_deso.toml", check_files=False)
    assert all(t.is_file() for t in cfg.population.tables)
    assert cfg.population.areas.is_file() and cfg.crs == "EPSG:3006" and cfg.lang == "sv"


def test_danish_template():
    cfg = load_pipeline(PIPELINES / "template_denmark.toml", check_files=False)
    assert cfg.crs == "EPSG:25832" and cfg.lang == "da"
    assert cfg.lamps is not None and cfg.lamps.crs == "EPSG:25832" and cfg.lamps.x_col == "x"
    assert cfg.population.key == "sognekode" and dict(cfg.population.kinds) == {
        "gennemsnitlig_indkomst": "rate"}
    assert cfg.summary_areas.key_column == "omraade_id"


def test_reference_template_states_the_real_defaults():
    """template_sweden_deso.toml writes every knob out: its values must be geoplan's defaults."""
    cfg = load_pipeline(PIPELINES / "template_sweden_deso.toml", check_files=False)
    assert cfg.lighting == LightingRule()
    assert cfg.grid == GridSpec()
    assert cfg.access == AccessSpec()
    assert cfg.safety == SafetyWeights()
    assert cfg.population.rule == ResidentialRule()


# ------------------------------------------------------------------------------------------------
# defaults


def test_defaults_are_geoplans_own():
    cfg = parse_pipeline(DEMO, ".")
    assert cfg.lighting == LightingRule()
    assert cfg.grid == GridSpec()
    assert cfg.access == AccessSpec()
    assert cfg.safety == SafetyWeights()
    assert cfg.population.rule == ResidentialRule()
    assert cfg.population.source == "buildings"
    assert cfg.population.persons_per_m2 == PERSONS_PER_M2
    assert cfg.population.default_levels == inspect.signature(read_osm).parameters[
        "default_levels"].default
    assert cfg.lamps is None and cfg.summary_areas is None
    assert cfg.area is None and cfg.bbox is None and cfg.study_area is None and cfg.crs is None
    assert cfg.lang == "en" and cfg.formats == ("gpkg",) and cfg.name == "geoplan"
    a = AccessSpec()
    assert cfg.buffer_m == max(*a.radii_m, a.gravity_cutoff_m, a.night_threshold_m,
                               a.green_within_m, a.green_per_capita_within_m) == 1200.0


def test_buffer_follows_the_largest_walking_distance():
    cfg = parse_pipeline(DEMO + "[access]\nradii_m = [400, 2000]\ngravity_cutoff_m = 1500\n", ".")
    assert cfg.buffer_m == 2000.0
    assert parse_pipeline(DEMO + "buffer_m = 0\n", ".").buffer_m == 0.0


def test_schema_covers_every_knob_of_the_value_objects():
    """A field added to a value object must get a pipeline key (or this test is updated)."""
    text = (PIPELINES / "template_sweden_deso.toml").read_text(encoding="utf-8")
    keys = {line.split("=")[0].strip().lstrip("# ") for line in text.splitlines() if "=" in line}
    prefixed = {"green_scb_min_ha": "scb_min_ha", "green_who_min_ha": "who_min_ha",
                "green_within_m": "within_m", "green_per_capita_within_m": "per_capita_within_m",
                "night_unknown_as": "unknown_as", "night_threshold_m": "threshold_m"}
    for cls in (LightingRule, GridSpec, AccessSpec, SafetyWeights, ResidentialRule):
        for f in dataclasses.fields(cls):
            assert prefixed.get(f.name, f.name) in keys, (cls.__name__, f.name)


def test_values_are_taken():
    cfg = parse_pipeline(
        DEMO
        + 'bbox = [24.935, 60.164, 24.953, 60.179]\ncrs = 3067\n'
        + '[lighting]\nassume = { residential = "yes" }\nlamp_radius_m = 30\n'
        + "[grid]\ncell_size_m = 250\n"
        + '[access]\ncategories = ["school", "grocery"]\nradii_m = [500]\n'
        + '[night]\nunknown_as = "lit"\n'
        + "[safety.weights]\nlit = 1\nno_dark_stretch = 0\n"
        + '[output]\nlang = "da"\nformats = ["tif", "gpkg", "tif"]\ntitle = "Køge"\n',
        ".",
    )
    assert cfg.bbox == (24.935, 60.164, 24.953, 60.179) and cfg.study_area == cfg.bbox
    assert cfg.crs == "EPSG:3067"
    assert dict(cfg.lighting.assume) == {"residential": "yes"} and cfg.lighting.lamp_radius_m == 30
    assert cfg.grid.cell_size_m == 250 and isinstance(cfg.grid.cell_size_m, int)
    assert cfg.access.categories == ("school", "grocery") and cfg.access.radii_m == (500.0,)
    assert cfg.access.night_unknown_as == "lit"
    assert cfg.safety.lit == 1 and cfg.safety.no_dark_stretch == 0 and cfg.safety.no_tunnel == 0.1
    assert cfg.lang == "da" and cfg.formats == ("tif", "gpkg") and cfg.title == "Køge"


# ------------------------------------------------------------------------------------------------
# bad pipelines: every message names the key at fault

BAD = [
    # (id, text after [input] osm = "demo", dotted key, text the message must contain)
    ("unknown section", "[acess]\nradii_m = [400]\n", "acess",
     "unknown key 'acess' — did you mean 'access'?"),
    ("unknown key", 'arae = "x.gpkg"\n', "input.arae",
     "unknown key 'input.arae' — did you mean 'input.area'?"),
    ("key in wrong section", "[access]\nwithin_m = 300\n", "access.within_m",
     "'within_m' belongs in [green]"),
    ("wrong type", '[access]\nradii_m = "800"\n', "access.radii_m",
     '[access] radii_m must be a list of numbers (metres), e.g. [400, 800], got "800"'),
    ("wrong item type", '[access]\nradii_m = [400, "800"]\n', "access.radii_m[1]",
     '[access] radii_m[1] must be a number, got "800"'),
    ("bool is no number", "[green]\nwithin_m = true\n", "green.within_m",
     "[green] within_m must be"),
    ("bad enum", '[night]\nunknown_as = "grey"\n', "night.unknown_as",
     "[night] unknown_as = \"grey\" is not allowed: must be 'dark' or 'lit'"),
    ("bad lamp mode", '[lamps]\nregister = "l.gpkg"\nmode = "merge"\n', "lamps.mode",
     "[lamps] mode = \"merge\" is not allowed: choose 'augment' or 'replace'"),
    ("bad cell size", "[grid]\ncell_size_m = 120\n", "grid.cell_size_m",
     "[grid] cell_size_m = 120 is not allowed: must be one of 50, 100, 250, 1000"),
    ("negative radius", "[access]\nradii_m = [-400, 800]\n", "access.radii_m",
     "[access] radii_m = [-400, 800] is not allowed: must be positive"),
    ("zero distance", "[access]\ngravity_cutoff_m = 0\n", "access.gravity_cutoff_m",
     "[access] gravity_cutoff_m = 0 is not allowed: must be > 0"),
    ("share above 1", "[lighting]\nmin_lit_share = 1.5\n", "lighting.min_lit_share",
     "[lighting] min_lit_share = 1.5 is not allowed"),
    ("both area and bbox", 'area = "a.gpkg"\nbbox = [24.9, 60.1, 24.95, 60.2]\n', "input.bbox",
     "[input] area and [input] bbox are both set"),
    ("bbox in metres", "bbox = [315000, 6631000, 316000, 6632000]\n", "input.bbox",
     "[input] bbox = [315000, 6631000, 316000, 6632000] is not in degrees"),
    ("bbox of 3", "bbox = [24.9, 60.1, 24.95]\n", "input.bbox", "(got 3 items)"),
    ("unknown category", '[access]\ncategories = ["scool", "grocery"]\n', "access.categories",
     "unknown destination categories ['scool']"),
    ("bad lang", '[output]\nlang = "fi"\n', "output.lang",
     "[output] lang = \"fi\" is not allowed: choose 'en', 'sv' or 'da'"),
    ("bad format", '[output]\nformats = ["gpkg", "shp"]\n', "output.formats[1]",
     '[output] formats[1] = "shp" is not allowed'),
    ("weights all zero",
     "[safety.weights]\nlit = 0\nno_dark_stretch = 0\nno_tunnel = 0\nconnectivity = 0\n"
     "eyes_on_street = 0\n", "safety.weights", "not all 0"),
    ("negative weight", "[safety.weights]\nlit = -1\n", "safety.weights.lit",
     "[safety.weights] lit = -1 is not allowed"),
    ("geographic crs", 'crs = "EPSG:4326"\n', "input.crs", "not a projected CRS in metres"),
    ("infinite buffer", "buffer_m = inf\n", "input.buffer_m", "give a finite number"),
    ("misspelt highway", '[lighting]\nassume = { residental = "yes" }\n',
     "lighting.assume.residental", "did you mean 'residential'?"),
    ("key of another source", '[population]\ntables = ["a.xlsx"]\n', "population.tables",
     'only used with source = "statistics"'),
    ("statistics without tables", '[population]\nsource = "statistics"\nareas = "a.gpkg"\n',
     "population.tables", "[population] tables is missing"),
    ("csv without key",
     '[population]\nsource = "statistics"\nareas = "a.gpkg"\ntables = ["a.csv"]\n',
     "population.key", "[population] key is missing"),
    ("csv lamps without crs", '[lamps]\nregister = "lamps.csv"\n', "lamps.crs",
     "[lamps] crs is missing"),
    ("lamp keys without register", '[lamps]\nmode = "replace"\n', "lamps.mode",
     "[lamps] mode is set but [lamps] register is not"),
    ("bad output name", '[output]\nname = "my study"\n', "output.name", '"my study"'),
    ("section as value", "grid = 100\n", "input.grid", "unknown key 'input.grid'"),
    ("wrong version", "", "version", "version = 2 is not allowed"),
]


@pytest.mark.parametrize(("text", "key", "needle"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_config_names_the_key(text, key, needle):
    if key == "version":
        text = "version = 2\n" + DEMO
    else:
        text = DEMO + text
    err = _problems(text, check_files=False)
    assert [p.key for p in err.problems] == [key], str(err)
    assert needle in str(err)
    assert str(err).startswith("p.toml: ")
    assert isinstance(err, ConfigError) and isinstance(err, GeoplanError)


def test_missing_input_and_osm():
    assert [p.key for p in _problems("[grid]\ncell_size_m = 100\n").problems] == ["input"]
    err = _problems('[input]\nbbox = [24.9, 60.1, 24.95, 60.2]\n')
    assert [p.key for p in err.problems] == ["input.osm"]
    assert "[input] osm is missing" in str(err)


def test_toml_syntax_error_gives_line_and_column():
    err = _problems('[input]\nosm = "demo"\n\n[grid]\ncell_size_m = hundred\n')
    assert "TOML syntax error at line 5, column" in str(err)
    assert err.problems[0].line == 5
    assert "cell_size_m = hundred" in str(err)  # the offending line is shown
    dup = _problems('[input]\nosm = "demo"\n[grid]\ncell_size_m = 100\ncell_size_m = 250\n')
    assert "line 5" in str(dup) and "appears twice" in str(dup)


def test_messages_give_the_line_of_the_key():
    err = _problems(DEMO + "\n[grid]\n# a comment\ncell_size_m = 120\n")
    assert err.problems[0].line == 6 and str(err).endswith("(line 6)")


def test_all_problems_are_reported_at_once():
    err = _problems(DEMO + "[grid]\ncell_size_m = 120\n[output]\nlang = \"fi\"\n[acess]\n")
    assert {p.key for p in err.problems} == {"grid.cell_size_m", "output.lang", "acess"}
    assert len(str(err).splitlines()) == 3


# ------------------------------------------------------------------------------------------------
# files and paths


def _write(folder: Path, text: str, name: str = "study.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def test_relative_paths_resolve_against_the_pipeline_folder(tmp_path, monkeypatch):
    study = tmp_path / "studies" / "botkyrka"
    (study / "data").mkdir(parents=True)
    for f in ("x.osm.pbf", "deso.geojson", "pop.xlsx", "inc.csv", "lamps.gpkg"):
        (study / "data" / f).write_bytes(b"x")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "districts.gpkg").write_bytes(b"x")
    p = _write(study, (
        '[input]\nosm = "data/x.osm.pbf"\narea = "data/deso.geojson"\n'
        '[lamps]\nregister = "./data/lamps.gpkg"\n'
        '[population]\nsource = "statistics"\nareas = "data/deso.geojson"\n'
        'tables = ["data/pop.xlsx", "data/inc.csv"]\nkey = "DeSO"\n'
        '[areas]\npath = "../../shared/districts.gpkg"\nkey_column = "id"\n'
    ))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cfg = load_pipeline(p)
    assert cfg.osm == study / "data" / "x.osm.pbf"
    assert cfg.area == cfg.study_area == study / "data" / "deso.geojson"
    assert cfg.lamps.path == study / "data" / "lamps.gpkg"
    assert cfg.population.tables == (study / "data" / "pop.xlsx", study / "data" / "inc.csv")
    assert cfg.summary_areas.path == tmp_path / "shared" / "districts.gpkg"
    assert cfg.base_dir == study and cfg.name == "study"


def test_missing_file_names_key_index_and_resolved_path(tmp_path):
    (tmp_path / "x.osm.pbf").write_bytes(b"x")
    (tmp_path / "a.xlsx").write_bytes(b"x")
    (tmp_path / "deso.gpkg").write_bytes(b"x")
    p = _write(tmp_path, '[input]\nosm = "x.osm.pbf"\n[population]\nsource = "statistics"\n'
                         'areas = "deso.gpkg"\ntables = ["a.xlsx", "x.xlsx"]\n')
    with pytest.raises(PipelineError) as info:
        load_pipeline(p)
    err = info.value
    assert [q.key for q in err.problems] == ["population.tables[1]"]
    assert (f'[population] tables[1] = "x.xlsx" does not exist (resolved to {tmp_path / "x.xlsx"})'
            in str(err))
    assert load_pipeline(p, check_files=False).population.tables[1] == tmp_path / "x.xlsx"


def test_osm_file_kind_is_checked_even_without_files():
    err = _problems('[input]\nosm = "roads.shp"\n', check_files=False)
    assert err.problems[0].key == "input.osm" and ".osm.pbf" in str(err)


def test_pipeline_file_itself(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_pipeline(tmp_path / "nope.toml")
    p = tmp_path / "cp1252.toml"
    p.write_bytes('[input]\nosm = "demo"\n[output]\ntitle = "Köge"\n'.encode("cp1252"))
    with pytest.raises(PipelineError) as info:
        load_pipeline(p)
    assert "not UTF-8" in str(info.value) and info.value.problems[0].line == 4


def test_values_are_data_never_code(tmp_path):
    marker = tmp_path / "pwned"
    text = f'[input]\nosm = "demo"\n[output]\ntitle = "__import__(\'os\').mkdir(\'{marker}\')"\n'
    cfg = parse_pipeline(text, tmp_path)
    assert cfg.title.startswith("__import__") and not marker.exists()


# ------------------------------------------------------------------------------------------------
# provenance and round trip


@pytest.mark.parametrize("name", ["demo", "template_sweden_deso", "template_denmark"])
def test_to_dict_is_json_and_dump_round_trips(name, tmp_path):
    cfg = load_pipeline(PIPELINES / f"{name}.toml", check_files=False)
    d = json.loads(json.dumps(cfg.to_dict()))
    assert d["grid"]["cell_size_m"] == cfg.grid.cell_size_m
    assert d["safety"]["weights"] == cfg.safety.as_dict()
    text = dump_pipeline(cfg)
    again = parse_pipeline(text, tmp_path, check_files=False)
    assert again == cfg
    assert again.to_dict() == cfg.to_dict()


def test_to_dict_keeps_demo_symbolic():
    assert parse_pipeline(DEMO, ".").to_dict()["input"]["osm"] == "demo"


def test_a_bad_section_does_not_cause_follow_up_problems():
    err = _problems(DEMO + '[population]\nsource = "statistic"\ntables = ["a.xlsx"]\n'
                           "[grid]\ncell_size_m = 120\n", check_files=False)
    assert {p.key for p in err.problems} == {"population.source", "grid.cell_size_m"}
    assert "did you mean 'statistics'?" in str(err)
