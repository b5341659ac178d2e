"""Run a pipeline: read the inputs, build the walk network and the grid, allocate population,
compute every layer and write the outputs (atomically) into one folder.

``OUT/geoplan.gpkg``
    layers ``grid`` (one row per cell: population and every indicator; NULL distance = no
    destination reachable), ``network`` (edges with lighting), ``destinations`` (with
    ``attached``/``snap_m``: a destination no path reaches is listed, not dropped), ``green``,
    ``origins`` (where each cell's residents start) and ``areas`` (area summaries, when an area
    layer is given) — each with a QGIS style stored in the GeoPackage, so it opens styled —
    and the table ``night_bounds`` (per cell, whether each destination is lost after dark if
    paths of unknown lighting are dark, and if they are lit: :func:`night_bounds`).
``OUT/data_dictionary.csv`` and ``OUT/data_dictionary.xlsx``
    one row per column of every layer of ``geoplan.gpkg``: label, description, unit, better
    direction and kind in the run's language (:mod:`geoplan.outputs.dictionary`); the same
    labels and descriptions are the GeoPackage's field aliases (``gpkg_data_columns`` and the
    layers' QGIS styles).
``OUT/grid.tif``
    one band per indicator, band descriptions = column names (when ``formats`` has ``"tif"``).
``OUT/data_quality.json`` and ``OUT/data_quality_<lang>.txt``
    the data-quality summary of :mod:`geoplan.inspect` for the study area (how much of the
    lighting is known, lamps, destinations, buildings with known floors …).
``OUT/scenario_baseline.pkl``
    the baseline a scenario starts from (:func:`geoplan.scenario.recompute.save_baseline`,
    stamped by :func:`baseline_stamp`): ``geoplan scenario run OUT SCENARIO`` loads it instead of
    reading OSM again, and refuses it when the inputs or settings changed since.
``OUT/provenance.json``
    the pipeline as run (and its SHA-256, ``pipeline_sha256``: while it matches, a scenario
    reads the pipeline back without checking it again), input file hashes, versions, CRS,
    date and summary numbers.

Outputs are replaced as a set (:func:`geoplan.atomic.staged_folder`): the output folder
is checked first (bad ``out`` fails before anything is read), then everything is computed, then
every file is written into a hidden staging folder inside ``OUT`` and only when all are complete
are they moved into place. A run that fails on bad input, or is killed (Ctrl+C, SIGKILL, power
cut) before that, leaves the previous files in ``OUT`` exactly as they were and adds nothing
visible; its hidden ``.geoplan-tmp-*`` leftovers are removed by the next run that writes there.

Example
-------
>>> import tempfile, pathlib
>>> from geoplan.config import parse_pipeline
>>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250', pathlib.Path("."))
>>> result = run_pipeline(cfg, pathlib.Path(tempfile.mkdtemp()) / "out")
>>> sorted(p.name for p in result.files)
['data_dictionary.csv', 'data_dictionary.xlsx', 'data_quality.json', 'data_quality_en.txt', 'geoplan.gpkg', 'provenance.json', 'scenario_baseline.pkl']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import __version__
from ..atomic import check_not_inputs, check_writable_dir, staged_folder, write_text
from ..config import PipelineConfig
from ..errors import ConfigError
from ..grid import make_grid
from ..indicators.equity import name_study_area
from ..network import build_walk_network
from ..progress import Progress, report, scaled
from ..sources.area import read_area
from ..sources.lamps import study_lamps
from ..sources.osm import context_layers, read_osm
from ..study import ATTRIBUTION, Layers, Study, compute_layers_with_parts, grid_columns
from . import folder as rf

__all__ = [
    "RunResult",
    "baseline_stamp",
    "compute_population",
    "finite_or_null",
    "grid_columns",
    "night_bounds",
    "pipeline_lamps",
    "quality_json",
    "quality_words",
    "read_study_findings",
    "run_pipeline",
    "study_from_pipeline",
]

@dataclass(frozen=True)
class RunResult:
    """What a run wrote and computed."""

    out_dir: Path
    files: tuple[Path, ...]
    layers: Layers


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def compute_population(cfg: PipelineConfig, cells: gpd.GeoDataFrame, data, progress=None):
    """Cells with ``pop`` from the pipeline's population source."""
    from ..population import population_from_buildings, population_from_grid, population_from_stats

    pop = cfg.population
    if pop.source == "buildings":
        return population_from_buildings(cells, data.buildings, persons_per_m2=pop.persons_per_m2,
                                         rule=pop.rule, study_area=data.area)
    if pop.source == "grid":
        return population_from_grid(cells, pop.grid, value_column=pop.value_column,
                                    buildings=data.buildings, study_area=data.area, rule=pop.rule,
                                    band=pop.band, progress=progress)
    if pop.source == "statistics":
        from ..sources.area import read_layer_file
        from ..sources.stats import combine_area_tables, read_area_table

        areas = read_layer_file(pop.areas, "[population] areas file", layer=pop.area_layer)
        tables = [read_area_table(t, key=pop.key, kinds=dict(pop.kinds) or None) for t in pop.tables]
        table = combine_area_tables(*tables) if len(tables) > 1 else tables[0]
        return population_from_stats(cells, areas, table, area_key=pop.area_key,
                                     pop_column=pop.pop_column, buildings=data.buildings,
                                     study_area=data.area, rule=pop.rule, progress=progress)
    raise ConfigError(f"[population] source {pop.source!r} is not known")


def pipeline_lamps(cfg: PipelineConfig, data):
    """The study's street lamps: OSM's, merged with the pipeline's ``[lamps]`` register."""
    reg = cfg.lamps
    if reg is None:
        return data.lamps
    return study_lamps(data, reg.path, crs=reg.crs, mode=reg.mode, x_col=reg.x_col,
                       y_col=reg.y_col, id_col=reg.id_col, same_lamp_m=reg.same_lamp_m)


def _summary_areas(cfg: PipelineConfig, data):
    """``(areas, key column, name column)`` of the ``[areas]`` section (Nones without one),
    checked before anything is computed: valid polygons, unique keys, enough of the study area
    covered (:func:`geoplan.sources.area.check_summary_areas`)."""
    sa = cfg.summary_areas
    if sa is None:
        return None, None, None
    from ..crs import to_crs
    from ..sources.area import check_polygons, check_summary_areas, read_layer_file

    what = f"[areas] file {Path(sa.path).name!r}"
    areas = check_polygons(read_layer_file(sa.path, "[areas] file", layer=sa.layer), what)
    if sa.key_column in areas.columns and areas.crs is not None:  # else area_summary says why
        check_summary_areas(to_crs(areas, data.crs, what), data.area, key=sa.key_column,
                            what=what)
    return areas, sa.key_column, sa.name_column


def read_study_findings(cfg: PipelineConfig, data):
    """The pipeline's safety-walk findings in the run's CRS, checked against the study area
    (None without a ``[safety_walk]`` section)."""
    walk = cfg.safety_walk
    if walk is None:
        return None
    from ..sources.findings import read_findings

    return read_findings(walk.findings, crs=walk.crs, layer=walk.layer, to_crs=data.crs,
                         area=gpd.GeoSeries([data.area], crs=data.crs),
                         on_error="skip" if walk.skip_bad_rows else "raise")


def study_from_pipeline(cfg: PipelineConfig, progress: Progress | None = None) -> Study:
    """The :class:`~geoplan.study.Study` of a pipeline: reads OSM, lamps (with the register),
    builds the network, the grid and its population, reads the summary areas and the
    safety-walk findings. ``geoplan run`` and ``geoplan scenario run`` both start from it.

    Examples
    --------
    >>> import pathlib
    >>> from geoplan.config import parse_pipeline
    >>> cfg = parse_pipeline('[input]\\nosm = "demo"\\n[grid]\\ncell_size_m = 250', pathlib.Path("."))
    >>> study = study_from_pipeline(cfg)
    >>> study.cells.index.name, study.findings is None
    ('cell_id', True)
    """
    area = read_area(cfg.study_area, layer=cfg.area_layer)
    data = read_osm(cfg.osm, area=area, crs=cfg.crs, buffer_m=cfg.buffer_m,
                    default_levels=cfg.population.default_levels,
                    cycleways_walkable=cfg.cycleways_walkable,
                    progress=scaled(progress, 0.0, 0.5))
    lamps = pipeline_lamps(cfg, data)
    net = build_walk_network(data, lighting=cfg.lighting, lamps=lamps,
                             progress=scaled(progress, 0.5, 0.8))
    report(progress, 0.8, "grid and population")
    cells = make_grid(data.area, data.crs, cfg.grid)
    cells = compute_population(cfg, cells, data, progress=scaled(progress, 0.8, 1.0))
    areas, key, name = _summary_areas(cfg, data)
    walk = cfg.safety_walk
    return Study(data, net, cells, lamps, spec=cfg.access, weights=cfg.safety,
                 lighting=cfg.lighting, areas=areas, area_key=key, area_name=name,
                 findings=read_study_findings(cfg, data),
                 findings_weight=walk.weight if walk is not None else 0.0)


def finite_or_null(df: pd.DataFrame) -> pd.DataFrame:
    """``±inf`` (no destination reachable) -> NaN (NULL in the GeoPackage, nodata in GeoTIFF).

    A new frame; only the columns that change are new (pandas copies on write: the others are
    shared with ``df`` until either is written)."""
    out = df.copy(deep=False)
    for c in out.columns:
        s = out[c]
        if c == "geometry" or not pd.api.types.is_float_dtype(s):
            continue
        if s.dtype == np.float64 and not np.isinf(s.to_numpy()).any():
            continue  # nothing to change (most columns)
        out[c] = s.where(np.isfinite(s), np.nan)
    return out


def _styles(layers: Layers, lang: str) -> dict[str, str]:
    from ..outputs.styles import class_breaks, graduated_fill_qml

    styles = {}
    g = layers.grid
    if "safety_index" in g and g["safety_index"].notna().any():
        styles["grid"] = graduated_fill_qml("safety_index", class_breaks(g["safety_index"]),
                                            ramp="sequential", lang=lang, opacity=0.75)
    if layers.areas is not None and "safety_index" in layers.areas:
        a = layers.areas["safety_index"]
        if a.notna().any() and a.nunique() > 1:
            styles["areas"] = graduated_fill_qml("safety_index", class_breaks(a), lang=lang,
                                                 opacity=0.6)
    return styles


def night_bounds(study: Study, layers: Layers, parts=None) -> pd.DataFrame:
    """Both bounds of every ``loses_<c>_at_night``: ``…_if_unknown_dark`` and
    ``…_if_unknown_lit`` per cell (one of them is the run's own column), so a night figure that
    depends on paths of unknown lighting can be given as a range.

    The other bound is the night part alone computed again with ``night_unknown_as`` flipped
    (the same origins, attachment and day distances); a run whose lighting is fully known skips
    it (both bounds are equal). ``parts`` (:class:`~geoplan.study.LayerParts` of ``layers``)
    gives the attachment made with the layers, reused.
    """
    from ..indicators.night import night_losses
    from ..study import study_attachments

    spec = study.spec
    other = "lit" if spec.night_unknown_as == "dark" else "dark"
    grid = layers.grid
    if (study.network.edges["lit"] == "unknown").any():
        if parts is None:
            _, o_att, d_att = study_attachments(study, layers.origins)
        else:
            o_att, d_att = parts.origin_att, parts.dest_att
        other_grid = night_losses(
            study.network, layers.origins, study.data.destinations,
            replace(spec, night_unknown_as=other), day=grid, origin_att=o_att, dest_att=d_att)
    else:
        other_grid = grid
    out = {}
    for c in spec.categories:
        col = f"loses_{c}_at_night"
        if col in grid.columns:
            by = {spec.night_unknown_as: grid[col], other: other_grid[col].reindex(grid.index)}
            out[f"{col}_if_unknown_dark"] = by["dark"].astype(bool)
            out[f"{col}_if_unknown_lit"] = by["lit"].astype(bool)
    return pd.DataFrame(out, index=grid.index)


def quality_json(quality) -> str:
    """``data_quality.json``: the summary's numbers and ``warnings``, the keys of
    :func:`~geoplan.runs.folder.quality_warnings` (implausible input)."""
    d = quality.to_dict()
    d["warnings"] = [k for k, _ in rf.quality_warnings(d)]
    return json.dumps(d, indent=2, ensure_ascii=False, sort_keys=True)


def quality_words(quality, lang: str) -> str:
    """``data_quality_<lang>.txt``: the summary in words, then its warnings."""
    warnings = rf.quality_warnings(quality.to_dict(), lang)
    if not warnings:
        return quality.to_text(lang)
    from ..i18n import tr

    return "\n".join([quality.to_text(lang), tr("qw_title", lang) + ":",
                      *(f"  ! {text}" for _, text in warnings)])


#: What a run may write into its folder (the report is a folder of its own).
OUTPUT_NAMES = (rf.QUALITY, rf.GPKG, rf.DICTIONARY_CSV, rf.DICTIONARY_XLSX, rf.GRID_TIF,
                rf.SCENARIO_BASELINE, rf.PROVENANCE)


def input_files(cfg: PipelineConfig) -> dict[str, Path]:
    """Every file a pipeline reads, by role (``osm``, ``area``, ``lamps``, ``population_*``,
    ``summary_areas``, ``safety_walk``): what provenance hashes and no output may overwrite."""
    files = {"osm": Path(cfg.osm)}
    for name, p in (("area", cfg.area), ("lamps", cfg.lamps.path if cfg.lamps else None),
                    ("population_areas", cfg.population.areas),
                    ("population_grid", cfg.population.grid),
                    ("summary_areas", cfg.summary_areas.path if cfg.summary_areas else None),
                    ("safety_walk", cfg.safety_walk.findings if cfg.safety_walk else None)):
        if p is not None and Path(p).is_file():
            files[name] = Path(p)
    for i, t in enumerate(cfg.population.tables):
        files[f"population_table_{i}"] = Path(t)
    return files


def baseline_stamp(cfg: PipelineConfig) -> dict:
    """What a saved scenario baseline must match (:func:`geoplan.scenario.recompute.load_baseline`):
    the pipeline's settings (without ``[output]``: language and formats do not change it) and
    the SHA-256 of every input file (:func:`input_files`).

    Examples
    --------
    >>> from geoplan.config import parse_pipeline
    >>> stamp = baseline_stamp(parse_pipeline('[input]\\nosm = "demo"', Path(".")))
    >>> sorted(stamp), sorted(stamp["inputs"]), "output" in stamp["pipeline"]
    (['inputs', 'pipeline'], ['osm'], False)
    """
    pipeline = {k: v for k, v in cfg.to_dict().items() if k != "output"}
    return {"pipeline": pipeline,
            "inputs": {name: _sha256(p) for name, p in input_files(cfg).items()}}


def _provenance(cfg: PipelineConfig, layers: Layers, files) -> dict:
    from importlib.metadata import version

    import geopandas
    import pyogrio
    import scipy
    import shapely

    inputs = {name: {"path": str(p), "sha256": _sha256(p)}
              for name, p in input_files(cfg).items()}
    pipeline = cfg.to_dict()
    return {
        "geoplan": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "pipeline": pipeline,
        # the checked pipeline's digest: a scenario reads it back unchecked while it matches
        "pipeline_sha256": rf.pipeline_digest(pipeline),
        "pipeline_file": str(cfg.source_file) if cfg.source_file else None,
        "inputs": inputs,
        "crs": layers.meta.get("crs"),
        "summary": dict(layers.meta),
        "versions": {"python": platform.python_version(), "geopandas": geopandas.__version__,
                     "shapely": shapely.__version__, "pyogrio": pyogrio.__version__,
                     "osmnx": version("osmnx"), "scipy": scipy.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__},
        "files": sorted(Path(f).name for f in files),
        "attribution": ATTRIBUTION,
    }


def _gpkg_layers(study: Study, layers: Layers, lang: str, parts=None) -> tuple[dict, dict]:
    """The layers a run writes into its GeoPackage, and their QGIS styles."""
    bounds = night_bounds(study, layers, parts)
    gpkg_layers = {
        "grid": finite_or_null(layers.grid.reset_index()),
        "network": layers.network,
        "destinations": layers.destinations,
        "green": layers.green,
        "origins": gpd.GeoDataFrame({"cell_id": layers.origins.index},
                                    geometry=layers.origins.values, crs=layers.origins.crs),
    }
    gpkg_layers.update(context_layers(study.data))  # map context only: buildings, water, places
    if len(bounds.columns):
        gpkg_layers[rf.NIGHT_BOUNDS] = pd.DataFrame(bounds.reset_index())
    styles = _styles(layers, lang)
    if layers.areas is not None:
        gpkg_layers["areas"] = finite_or_null(
            name_study_area(layers.areas, study.area_key, study.area_name, lang))
    if layers.findings is not None:
        from ..outputs.styles import findings_form_qml

        kinds = layers.findings.geometry.geom_type
        for lname, geom, mask in (("findings", "point", kinds.isin(["Point", "MultiPoint"])),
                                  ("findings_lines", "line", ~kinds.isin(["Point", "MultiPoint"]))):
            if mask.any():
                gpkg_layers[lname] = layers.findings[mask.to_numpy()]
                styles[lname] = findings_form_qml(geom, lang=lang)
    return gpkg_layers, styles


def run_pipeline(cfg: PipelineConfig, out_dir, *, progress: Progress | None = None,
                 extra_files: dict[str, str] | None = None) -> RunResult:
    """Run ``cfg`` and write its outputs into ``out_dir`` (created if needed).

    The outputs replace the previous ones as a set (see the module doc): an interrupted or
    failed run leaves each previous file whole and unchanged, and no new file behind.
    ``extra_files`` (``{file name: UTF-8 text}``, e.g. the QGIS plugin's ``pipeline.toml``)
    are written into the same set.
    """
    out, extra = Path(out_dir), dict(extra_files or {})
    check_writable_dir(out)
    check_not_inputs([out / n for n in (*OUTPUT_NAMES, *extra, rf.quality_text(cfg.lang))],
                     input_files(cfg).values())
    report(progress, 0.0, "reading inputs")
    study = study_from_pipeline(cfg, progress=scaled(progress, 0.0, 0.45))
    layers, parts = compute_layers_with_parts(study, progress=scaled(progress, 0.45, 0.9))
    report(progress, 0.9, "writing outputs")
    from ..inspect import summarize
    from ..outputs.dictionary import write_explained_gpkg
    from ..scenario.recompute import prepare_baseline, save_baseline

    quality = replace(  # the access legs are measured by the run
        summarize(study.data, study.network, study.lamps),
        access_leg_median_m=layers.meta.get("access_leg_median_m"),
        access_leg_max_m=layers.meta.get("access_leg_max_m"))
    gpkg_layers, styles = _gpkg_layers(study, layers, cfg.lang, parts)
    meta = {"title": cfg.title, "cell_size_m": cfg.grid.cell_size_m, **dict(layers.meta)}
    names = [rf.QUALITY, rf.quality_text(cfg.lang)]
    if "gpkg" in cfg.formats or "report" in cfg.formats:  # the report reads the gpkg
        names += [rf.GPKG, rf.DICTIONARY_CSV, rf.DICTIONARY_XLSX]
    if "tif" in cfg.formats:
        names.append(rf.GRID_TIF)
    if "report" in cfg.formats:
        names.append(rf.REPORT_DIR)
    names += [*extra, rf.SCENARIO_BASELINE, rf.PROVENANCE]
    files = [out / n for n in names if n != rf.REPORT_DIR]
    # data and report are committed as one set: a run killed or failing at any point (the
    # report included) leaves the previous set whole, never new data beside an old report
    with staged_folder(out, last=(rf.PROVENANCE,)) as stage:
        write_text(stage / rf.QUALITY, quality_json(quality) + "\n")
        write_text(stage / rf.quality_text(cfg.lang), quality_words(quality, cfg.lang) + "\n")
        for name, text in extra.items():
            write_text(stage / Path(name).name, text)
        if rf.GPKG in names:
            write_explained_gpkg(stage, gpkg_layers, styles=styles, metadata=meta,
                                 lang=cfg.lang, spec=cfg.access)
        if rf.GRID_TIF in names:
            from ..outputs.raster import write_grid_tif

            write_grid_tif(stage / rf.GRID_TIF, finite_or_null(layers.grid),
                           grid_columns(layers.grid), int(cfg.grid.cell_size_m))
        save_baseline(prepare_baseline(study, layers=layers, parts=parts),
                      stage / rf.SCENARIO_BASELINE,
                      stamp=baseline_stamp(cfg))
        write_text(stage / rf.PROVENANCE,
                   json.dumps(_provenance(cfg, layers, [out / n for n in names]),
                              indent=2, ensure_ascii=False) + "\n")
        if rf.REPORT_DIR in names:
            from ..outputs.maps import load_run
            from ..outputs.report import write_report_into

            report(progress, 0.93, "writing the report")
            (stage / rf.REPORT_DIR).mkdir()
            written = write_report_into(load_run(stage), stage / rf.REPORT_DIR, lang=cfg.lang,
                                        progress=scaled(progress, 0.93, 0.99))
            files += written.moved(stage, out).files
    report(progress, 1.0, "done")
    return RunResult(out, tuple(files), layers)
