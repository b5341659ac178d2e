"""A run folder's validated pipeline is read back without pydantic (``PipelineConfig.from_dict``,
``pipeline_from_provenance``), equal to what the checked reader gives; a hand-edited
``provenance.json`` still goes through the checks. Oracle: :func:`geoplan.config.parse_pipeline`
(the pydantic schema and builder) on the same settings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geoplan import __version__
from geoplan.config import parse_pipeline
from geoplan.config.model import ACCESS_KEYS, PipelineConfig
from geoplan.config.problems import PipelineError
from geoplan.config.schema import ACCESS_FIELDS
from geoplan.runs.folder import pipeline_digest, pipeline_from_provenance

#: Every section with values other than the defaults (files need not exist: check_files off).
VARIANTS = {
    "demo": '[input]\nosm = "demo"\n[grid]\ncell_size_m = 250\n',
    "statistics": '''
[input]
osm = "x.osm.pbf"
bbox = [18.0, 59.3, 18.1, 59.35]
crs = 3006
buffer_m = 900
cycleways_walkable = true
[lamps]
register = "lamps.csv"
crs = "EPSG:3006"
x_col = "E"
y_col = "N"
mode = "replace"
[lighting]
lamp_radius_m = 30
assume = {residential = "yes"}
[population]
source = "statistics"
areas = "deso.gpkg"
tables = ["pop.csv", "more.xlsx"]
key = "DeSO"
kinds = {"Andel" = "rate"}
mixed_use_share = 0.4
default_levels = 3
[access]
categories = ["school", "grocery"]
radii_m = [400, 800]
[green]
within_m = 250
[night]
unknown_as = "lit"
threshold_m = 600
[safety.weights]
lit = 2
[areas]
path = "districts.gpkg"
key_column = "code"
name_column = "name"
[safety_walk]
findings = "walk.csv"
crs = 3006
weight = 0.5
skip_bad_rows = true
[report]
author = "Malmö stad"
[output]
name = "fittja"
title = "Fittja — norr"
lang = "sv"
formats = ["gpkg", "tif", "report"]
''',
    "raster grid": '[input]\nosm = "x.osm"\narea = "a.gpkg"\narea_layer = "kommun"\n'
                   '[population]\nsource = "grid"\ngrid = "pop.tif"\nband = 2\n',
    "vector grid": '[input]\nosm = "x.osm"\n[population]\nsource = "grid"\n'
                   'grid = "pop.gpkg"\nvalue_column = "beboere"\n[grid]\ncell_size_m = 1000\n',
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_from_dict_equals_the_checked_reader(name, tmp_path):
    cfg = parse_pipeline(VARIANTS[name], tmp_path, check_files=False)
    data = json.loads(cfg.to_json())  # as provenance.json holds it
    back = PipelineConfig.from_dict(data)
    assert back == cfg
    assert back.to_dict() == cfg.to_dict()
    prov = {"geoplan": __version__, "pipeline": data, "pipeline_sha256": pipeline_digest(data)}
    assert pipeline_from_provenance(prov, check_files=False) == cfg


def test_access_keys_without_the_schema_are_the_schemas():
    assert list(ACCESS_KEYS.items()) == list(ACCESS_FIELDS.items())


def test_a_hand_edited_provenance_is_checked_again(tmp_path):
    cfg = parse_pipeline(VARIANTS["demo"], tmp_path, check_files=False)
    data = json.loads(cfg.to_json())
    digest = pipeline_digest(data)
    data["grid"]["cell_size_m"] = 333  # edited by hand: the digest no longer matches
    with pytest.raises(PipelineError, match="cell_size_m"):
        pipeline_from_provenance({"geoplan": __version__, "pipeline": data,
                                  "pipeline_sha256": digest}, check_files=False)
    # a folder written before the digest existed is read through the checks as before
    data["grid"]["cell_size_m"] = 100
    assert pipeline_from_provenance({"pipeline": data}, check_files=False).grid.cell_size_m == 100


def test_reading_a_run_folder_pipeline_imports_no_pydantic(tmp_path):
    cfg = parse_pipeline(VARIANTS["statistics"], tmp_path, check_files=False)
    data = json.loads(cfg.to_json())
    prov = tmp_path / "provenance.json"
    prov.write_text(json.dumps({"geoplan": __version__, "pipeline": data,
                                "pipeline_sha256": pipeline_digest(data)}))
    code = ("import json, sys\n"
            "from geoplan.runs.folder import pipeline_from_provenance\n"
            f"p = json.load(open({str(prov)!r}))\n"
            "cfg = pipeline_from_provenance(p, check_files=False)\n"
            "print(cfg.population.source, 'pydantic' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["statistics", "False"]
