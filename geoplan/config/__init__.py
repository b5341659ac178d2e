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

The names below load their module when first used, so that reading a run folder's recorded
pipeline (:meth:`PipelineConfig.from_dict`) needs neither the schema nor pydantic.

Examples
--------
>>> from geoplan.config import dump_pipeline, parse_pipeline, pipeline_from_dict
>>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250\\n', ".")
>>> cfg.grid.layer_name, cfg.population.source, cfg.buffer_m
('grid_250m', 'buildings', 1200.0)
>>> pipeline_from_dict(cfg.to_dict(), ".") == parse_pipeline(dump_pipeline(cfg), ".") == cfg
True
"""

import importlib

#: Where each public name lives (loaded on first use: PEP 562).
_HOME = {
    "dump_pipeline": "dump", "load_pipeline": "load", "parse_pipeline": "load",
    "pipeline_from_dict": "load", "LampRegister": "model", "PipelineConfig": "model",
    "PopulationSpec": "model", "SafetyWalkSpec": "model", "SummaryAreas": "model",
    "PIPELINE_VERSION": "model", "PipelineError": "problems", "Problem": "problems",
    "OUTPUT_FORMATS": "schema",
}

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


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
