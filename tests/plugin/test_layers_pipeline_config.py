"""The layers algorithm's parameters become a pipeline built as data (``pipeline_from_dict``);
the ``pipeline.toml`` it saves is read back by ``geoplan run`` as the same configuration."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from qgis.core import QgsProcessingContext

pytestmark = [pytest.mark.qgis]

BBOX = (24.935, 60.164, 24.953, 60.179)


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """A study area, districts to summarise by and a (vector) population grid."""
    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.box(*BBOX)], crs="EPSG:4326").to_file(area)
    districts = tmp_path / "districts.gpkg"
    gpd.GeoDataFrame({"code": ["A", "B"], "name": ["a", "b"]}, crs="EPSG:4326", geometry=[
        shapely.box(24.935, 60.164, 24.944, 60.171), shapely.box(24.944, 60.171, 24.953, 60.179)],
    ).to_file(districts, layer="districts")
    grid = tmp_path / "population.gpkg"
    gpd.GeoDataFrame({"inv": [10.0]}, geometry=[shapely.box(*BBOX)], crs="EPSG:4326").to_file(grid)
    return {"area": area, "districts": districts, "grid": grid}


def _config(params: dict, out: Path):
    from geoplan_qgis.algorithms.layers import LayersAlgorithm

    alg = LayersAlgorithm()
    alg.initAlgorithm()
    return alg.pipeline_config(params, QgsProcessingContext(), out)


def _saved_and_read_back(cfg, out: Path):
    from geoplan.config import dump_pipeline, load_pipeline

    (out / "pipeline.toml").write_text(dump_pipeline(cfg) + "\n", encoding="utf-8")
    return load_pipeline(out / "pipeline.toml")


def test_parameters_alone(processing_initialized, files, tmp_path):
    from geoplan.datasets import demo_extract

    out = tmp_path / "out"
    cfg = _config({
        "INPUT": str(demo_extract()), "AREA": str(files["area"]), "CELL_SIZE": 3,
        "POPULATION": 2, "POP_GRID": str(files["grid"]), "POP_FIELD": "inv",
        "SUMMARY_AREAS": str(files["districts"]), "SUMMARY_KEY": "code", "SUMMARY_NAME": "name",
        "CRS": "EPSG:3067", "TITLE": "Kamppi", "LANG": 2, "GEOTIFF": True, "OUTPUT": str(out),
    }, out)
    assert cfg.osm == demo_extract() and cfg.area == out / "study_area.geojson"
    assert cfg.crs == "EPSG:3067" and cfg.grid.cell_size_m == 250
    assert (cfg.population.source, cfg.population.grid, cfg.population.value_column) == (
        "grid", files["grid"], "inv")
    areas = cfg.summary_areas
    assert (areas.path, areas.layer, areas.key_column, areas.name_column) == (
        out / "summary_areas.gpkg", "summary_areas", "code", "name")
    assert (cfg.name, cfg.title, cfg.lang, cfg.formats) == (
        "geoplan", "Kamppi", "sv", ("gpkg", "tif"))
    assert _saved_and_read_back(cfg, out) == cfg


def test_defaults_when_only_the_osm_file_is_given(processing_initialized, tmp_path):
    from geoplan_qgis.i18n import current_language

    from geoplan.datasets import demo_extract

    cfg = _config({"INPUT": str(demo_extract()), "OUTPUT": str(tmp_path)}, tmp_path)
    assert cfg.grid.cell_size_m == 100 and cfg.population.source == "buildings"
    assert cfg.title == demo_extract().name.split(".")[0] and cfg.lang == current_language()
    assert cfg.formats == ("gpkg",) and cfg.summary_areas is None and cfg.area is None
    assert _saved_and_read_back(cfg, tmp_path) == cfg


def test_parameters_replace_the_keys_of_a_pipeline_file(processing_initialized, files, tmp_path):
    pipeline = tmp_path / "study.toml"
    pipeline.write_text(
        '[input]\nosm = "demo"\nbbox = [24.935, 60.164, 24.953, 60.179]\n'
        "[population]\npersons_per_m2 = 0.03\nmixed_use_share = 0.4\n"
        '[output]\ntitle = "From the file"\nformats = ["gpkg", "report"]\n', encoding="utf-8")
    out = tmp_path / "out"
    cfg = _config({"PIPELINE": str(pipeline), "AREA": str(files["area"]), "CELL_SIZE": 1,
                   "POPULATION": 2, "POP_GRID": str(files["grid"]), "GEOTIFF": True,
                   "OUTPUT": str(out)}, out)
    assert cfg.osm_is_demo and cfg.bbox is None and cfg.area == out / "study_area.geojson"
    assert cfg.grid.cell_size_m == 50 and cfg.source_file == pipeline
    assert cfg.population.source == "grid" and cfg.population.value_column == "population"
    assert cfg.population.rule.mixed_use_share == 0.4  # the residential rule stays
    assert (cfg.name, cfg.title, cfg.formats) == ("study", "From the file",
                                                  ("gpkg", "report", "tif"))
    assert _saved_and_read_back(cfg, out) == cfg
    # a population source from the parameters that is the file's keeps the file's knobs
    same = _config({"PIPELINE": str(pipeline), "POPULATION": 1, "OUTPUT": str(out)}, out)
    assert same.population.persons_per_m2 == 0.03 and same.population.source == "buildings"
