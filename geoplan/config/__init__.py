"""Pipeline files: a TOML description of one study, validated into a :class:`PipelineConfig`.

A GIS analyst writes one pipeline file per study area and runs it in batch with
``geoplan run PIPELINE.toml --out OUT``. This package only *reads, checks and writes* the file
(the run itself lives in :mod:`geoplan.runs.pipeline`):

- :mod:`~geoplan.config.schema`: the sections and keys, what each expects, the defaults;
- :mod:`~geoplan.config.model`: the frozen settings (:class:`PipelineConfig` and its specs);
- :mod:`~geoplan.config.problems`: :class:`Problem` and :class:`PipelineError`, whose messages
  name the key as written in the file and its line;
- :mod:`~geoplan.config.load`: :func:`load_pipeline`, :func:`parse_pipeline` and
  :func:`pipeline_from_dict` (for programs that build a pipeline as data);
- :mod:`~geoplan.config.dump`: :func:`dump_pipeline`, the configuration as TOML text again.

Paths
-----
Relative paths are resolved against the folder **of the pipeline file** (not the folder the
command is run from), so a study folder with its pipeline file and data can be moved or shared
as a whole. ``~`` is expanded. Write paths with forward slashes (``data/deso.gpkg``), also on
Windows, or in single quotes (``'C:\\gis\\deso.gpkg'``): in double quotes a backslash starts an
escape sequence in TOML.

Examples
--------
>>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250\\n', ".")
>>> cfg.grid.layer_name, cfg.population.source, cfg.buffer_m
('grid_250m', 'buildings', 1200.0)
>>> pipeline_from_dict(cfg.to_dict(), ".") == parse_pipeline(dump_pipeline(cfg), ".") == cfg
True
"""

from .dump import dump_pipeline
from .load import load_pipeline, parse_pipeline, pipeline_from_dict
from .model import LampRegister, PipelineConfig, PopulationSpec, SafetyWalkSpec, SummaryAreas
from .problems import PipelineError, Problem
from .schema import OUTPUT_FORMATS, PIPELINE_VERSION

__all__ = [
    "OUTPUT_FORMATS",
    "PIPELINE_VERSION",
    "LampRegister",
    "PipelineConfig",
    "PipelineError",
    "PopulationSpec",
    "Problem",
    "SafetyWalkSpec",
    "SummaryAreas",
    "dump_pipeline",
    "load_pipeline",
    "parse_pipeline",
    "pipeline_from_dict",
]
