"""Writing a pipeline: :func:`dump_pipeline` turns a :class:`~geoplan.config.PipelineConfig`
into TOML text that parses back to an equal configuration."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .model import PipelineConfig

__all__ = ["dump_pipeline"]


def toml_value(v: Any) -> str:
    """A value as TOML text, for :func:`dump_pipeline` and for quoting values in messages.

    Examples
    --------
    >>> toml_value([400, 800.0]), toml_value({"residential": "yes"}), toml_value(True)
    ('[400, 800.0]', '{ residential = "yes" }', 'true')
    """
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str | Path):
        return json.dumps(str(v), ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    return json.dumps(str(v), ensure_ascii=False)


def toml_key(k: str) -> str:
    """A key as TOML text: bare when it can be, else quoted."""
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def dump_pipeline(config: PipelineConfig) -> str:
    """The pipeline as normalised TOML text: every default written out, paths absolute.

    Parsing the text again gives an equal :class:`PipelineConfig` (with ``check_files`` as for
    the original). Programs that build a pipeline as data (the QGIS plugin) validate it with
    :func:`~geoplan.config.pipeline_from_dict` and save it with this function.

    Parameters
    ----------
    config
        A validated pipeline.

    Returns
    -------
    str

    Examples
    --------
    >>> from geoplan.config import parse_pipeline
    >>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250\\n', ".")
    >>> text = dump_pipeline(cfg)
    >>> "[grid]\\ncell_size_m = 250" in text
    True
    >>> parse_pipeline(text, ".") == cfg
    True
    """
    d = config.to_dict()
    lines = [f"# {config.title} — normalised by geoplan", f"version = {d.pop('version')}", ""]

    def table(name: str, values: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in values.items() if v is not None and not _is_subtable(v)}
        if scalars or not values:
            lines.append(f"[{name}]")
            lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in scalars.items())
            lines.append("")
        for k, v in values.items():
            if _is_subtable(v):
                table(f"{name}.{k}", v)

    for name, values in d.items():
        if values is not None:
            table(name, values)
    return "\n".join(lines)


def _is_subtable(v) -> bool:
    # [safety.weights] is a sub-table; assume and kinds are written inline
    return isinstance(v, Mapping) and bool(v) and all(isinstance(x, int | float)
                                                      and not isinstance(x, bool)
                                                      for x in v.values())
