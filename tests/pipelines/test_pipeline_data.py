"""Pipelines as data: ``pipeline_from_dict`` checks what ``parse_pipeline`` checks, and a
configuration goes dict -> config -> TOML -> config unchanged (templates and the plugin's)."""

from __future__ import annotations

import ast
import doctest
import tomllib
from pathlib import Path

import pytest

import geoplan.config as config_pkg
from geoplan.config import dump as dump_module
from geoplan.config import load as load_module
from geoplan.config import load_pipeline, parse_pipeline, pipeline_from_dict
from geoplan.datasets import demo_extract

ROOT = Path(__file__).resolve().parents[2]
PIPELINES = ROOT / "pipelines"
TEMPLATES = sorted(p.stem for p in PIPELINES.glob("*.toml"))


def _round_trip(cfg: config_pkg.PipelineConfig, folder: Path, check_files: bool):
    """dict -> config, then config -> TOML file -> config; each step must give ``cfg``."""
    from_dict = pipeline_from_dict(cfg.to_dict(), folder, check_files=check_files)
    assert from_dict == cfg
    path = folder / "again.toml"
    path.write_text(config_pkg.dump_pipeline(from_dict), encoding="utf-8")
    again = load_pipeline(path, check_files=check_files)
    assert again == cfg
    assert again.to_dict() == cfg.to_dict()
    return again


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_round_trips_through_data_and_toml(name, tmp_path):
    cfg = load_pipeline(PIPELINES / f"{name}.toml", check_files=False)
    _round_trip(cfg, tmp_path, check_files=False)


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_template_as_data_is_the_template(name):
    """The file's own data (as tomllib reads it) give the same configuration as the file; only
    the default name differs (a file names the pipeline after itself)."""
    path = PIPELINES / f"{name}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    from_file = load_pipeline(path, check_files=False)
    from_data = pipeline_from_dict(data, PIPELINES, check_files=False)
    if "name" not in data.get("output", {}):
        assert from_data.name == "geoplan" and from_file.name == name
        data.setdefault("output", {})["name"] = name
        from_data = pipeline_from_dict(data, PIPELINES, check_files=False)
    assert from_data == from_file


def _plugin_style(tmp_path: Path, grid_file: str) -> dict:
    """What the plugin's layers algorithm builds: OSM file, study area file, CRS, population
    grid, areas to summarise by, output; paths as Path objects, formats as a tuple."""
    for f in ("study_area.geojson", "summary_areas.gpkg", grid_file):
        (tmp_path / f).write_bytes(b"")  # the configuration only checks that they exist
    return {
        "input": {"osm": demo_extract(), "area": tmp_path / "study_area.geojson",
                  "crs": "EPSG:3067"},
        "grid": {"cell_size_m": 250},
        "population": {"source": "grid", "grid": tmp_path / grid_file, "value_column": "inv"},
        "areas": {"path": tmp_path / "summary_areas.gpkg", "layer": "summary_areas",
                  "key_column": "code", "name_column": None},
        "output": {"name": "geoplan", "title": "Kamppi", "lang": "sv",
                   "formats": ("gpkg", "tif")},
    }


@pytest.mark.parametrize("grid_file", ["population.gpkg", "population.tif"])
def test_the_plugins_pipeline_round_trips(tmp_path, grid_file):
    cfg = pipeline_from_dict(_plugin_style(tmp_path, grid_file), tmp_path,
                             source="the parameters")
    assert cfg.osm == demo_extract() and not cfg.osm_is_demo
    assert cfg.area == tmp_path / "study_area.geojson" and cfg.bbox is None
    assert cfg.crs == "EPSG:3067" and cfg.grid.cell_size_m == 250
    assert cfg.population.source == "grid" and cfg.population.value_column == "inv"
    assert cfg.population.grid == tmp_path / grid_file and cfg.population.band == 1
    assert cfg.summary_areas.key_column == "code" and cfg.summary_areas.name_column is None
    assert (cfg.title, cfg.lang, cfg.formats) == ("Kamppi", "sv", ("gpkg", "tif"))
    again = _round_trip(cfg, tmp_path, check_files=True)
    # a vector grid has no band: the saved pipeline must not write one (geoplan run refuses it)
    assert ("band = 1" in config_pkg.dump_pipeline(again)) == grid_file.endswith(".tif")


def test_relative_paths_resolve_against_base_dir(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "area.geojson").write_bytes(b"")
    cfg = pipeline_from_dict({"input": {"osm": "demo", "area": "data/area.geojson"}}, tmp_path)
    assert cfg.area == tmp_path / "data" / "area.geojson" and cfg.base_dir == tmp_path


def test_none_means_not_given():
    cfg = pipeline_from_dict({"input": {"osm": "demo", "area": None, "bbox": None},
                              "lamps": None, "areas": None, "output": {"title": None}}, ".")
    assert cfg == parse_pipeline('[input]\nosm = "demo"\n', ".")


@pytest.mark.parametrize("text, data", [
    ('[input]\nosm = "demo"\n[grid]\ncell_size_m = 120\n',
     {"input": {"osm": "demo"}, "grid": {"cell_size_m": 120}}),
    ('[input]\nosm = "demo"\n[acess]\nradii_m = [400]\n',
     {"input": {"osm": "demo"}, "acess": {"radii_m": [400]}}),
    ('[input]\nosm = "demo"\n[night]\nthreshold_m = "800"\n',
     {"input": {"osm": "demo"}, "night": {"threshold_m": "800"}}),
    ('[input]\narea = "a.gpkg"\n', {"input": {"area": "a.gpkg"}}),
    ('[input]\nosm = "demo"\n[population]\nsource = "statistics"\n[grid]\ncell_size_m = 7\n',
     {"input": {"osm": "demo"}, "population": {"source": "statistics"},
      "grid": {"cell_size_m": 7}}),
    ('[input]\nosm = "demo"\n[lighting]\nassume = { residental = "yes" }\n',
     {"input": {"osm": "demo"}, "lighting": {"assume": {"residental": "yes"}}}),
])
def test_data_get_the_problems_of_the_text(text, data):
    with pytest.raises(config_pkg.PipelineError) as from_text:
        parse_pipeline(text, "/nonexistent/base", source="p", check_files=False)
    with pytest.raises(config_pkg.PipelineError) as from_data:
        pipeline_from_dict(data, "/nonexistent/base", source="p", check_files=False)
    assert sorted((p.key, p.message) for p in from_data.value.problems) == sorted(
        (p.key, p.message) for p in from_text.value.problems)  # the text's are in line order
    assert all(p.line is None for p in from_data.value.problems)
    assert all(p.line is not None for p in from_text.value.problems if p.key)


def test_data_that_are_not_a_mapping():
    with pytest.raises(config_pkg.PipelineError, match="^the parameters: a pipeline must be a"):
        pipeline_from_dict([("input", {"osm": "demo"})], ".", source="the parameters")


@pytest.mark.parametrize("module", [config_pkg, load_module, dump_module])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_config_imports_only_downwards():
    """The config package reads basics, sources, grid and population, never what runs on it."""
    allowed = {"errors", "types", "crs", "i18n", "datasets", "grid", "population", "sources"}
    for path in (ROOT / "geoplan" / "config").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                assert node.module.split(".")[0] in allowed, (path.name, node.module)
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not node.module.startswith("geoplan"), (path.name, node.module)
